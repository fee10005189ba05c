"""A service that loads its model in ``before_first_request`` (removed from Flask in 2.3)."""
import os

from elg import FlaskService
from elg.model import TextsResponse

LOADS = os.environ.get("LOADER_EVENTS")


class Loader(FlaskService):
    model = None

    def process_text(self, request):
        return TextsResponse(texts=[{"content": f"{self.model['name']}:{request.content}"}])


service = Loader("loader")
app = service.app


@app.before_first_request
def load_model():
    if LOADS:
        with open(LOADS, "a") as log:
            log.write(f"{os.getpid()}\n")
    Loader.model = {"name": "tiny"}
