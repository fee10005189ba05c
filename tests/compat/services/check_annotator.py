"""An annotator of capitalised words written for the elg package (tests/compat/test_check_reference.py)."""
import re

from elg import FlaskService
from elg.model import AnnotationsResponse


class Annotator(FlaskService):
    def process_text(self, request):
        found = [{"start": m.start(), "end": m.end()} for m in re.finditer(r"\b[A-Z]\w+", request.content)]
        return AnnotationsResponse(annotations={"Capitalised": found})


service = Annotator("check-annotator")
app = service.app
