"""A checker answering annotations built from model objects; failures are returned, not raised."""
from elg import FlaskService
from elg.model import AnnotationsResponse, Failure, TextRequest
from elg.model.base import Annotation, StandardMessages


class Checker(FlaskService):
    MAX_CHAR = 40

    def process_text(self, request: TextRequest):
        text = request.content
        if len(text) > self.MAX_CHAR:
            return Failure(errors=[StandardMessages.generate_elg_request_too_large()])
        try:
            if "crash" in text:
                raise RuntimeError("the checker crashed")
            found = []
            for start in range(len(text)):
                if text.startswith("teh", start):
                    found.append(Annotation(start=start, end=start + 3,
                                            features={"original": "teh", "suggestion": ["the"]}))
            params = request.params or {}
            return AnnotationsResponse(annotations={"errs": found}, features={"mode": params.get("mode", "all")})
        except Exception as err:
            return Failure(errors=[StandardMessages.generate_elg_service_internalerror(params=[str(err)])])


checker = Checker("checker")
app = checker.app
