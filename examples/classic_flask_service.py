"""A service written as a class, the way the ``elg`` package's FlaskService is used.

This is code written for ``elg`` 0.6.0 with only its imports changed:
``from elg import FlaskService`` became ``from elg_decorators import
FlaskService`` and ``elg.model`` became ``elg_decorators.model``.

Run it (or ``python -m elg_decorators serve examples/classic_flask_service.py``, or
``gunicorn classic_flask_service:app`` from its folder) and call it::

    python examples/classic_flask_service.py
    curl -s -H 'Content-Type: application/json' \\
         -d '{"type": "text", "content": "hello world"}' \\
         http://localhost:8000/process/upper
"""
from elg_decorators import FlaskService, serve
from elg_decorators.model import Failure, TextsResponse
from elg_decorators.model.base import StandardMessages


class CaseChanger(FlaskService):
    """Changes the case of a text: /process/upper or /process/lower."""

    def process_text(self, request):
        mode = self.url_param("mode")
        if mode == "upper":
            content = request.content.upper()
        elif mode == "lower":
            content = request.content.lower()
        else:
            error = StandardMessages.generate_elg_request_parameter_invalid(params=["mode", mode])
            return Failure(errors=[error])
        return TextsResponse(texts=[{"content": content}])


service = CaseChanger("case-changer", path="/process/<mode>")
app = service.app

if __name__ == "__main__":
    serve()  # gunicorn, as for the decorated examples; `service.run()` starts Flask's development server
