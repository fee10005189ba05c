"""A service whose process_text lets an exception escape, with a secret in its text (the elg
package sends it as an internal error, with HTTP 200)."""
from elg import FlaskService
from elg.model import TextsResponse


class Raising(FlaskService):
    def process_text(self, request):
        if request.content == "crash":
            raise RuntimeError("cannot reach postgres://admin:hunter2@db/records")
        return TextsResponse(texts=[{"content": request.content}])


app = Raising("raising").app
