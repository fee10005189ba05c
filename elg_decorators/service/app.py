"""The Flask application under a service: JSON provider, size limit, ELG error pages."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask import request as http_request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from ..errors import ProcessingError
from ..logger import logger
from ..protocol import failures
from ..protocol.encoding import MessageEncoder
from ..runtime.log_values import printable
from ..runtime.service_app import note_failure
from ..settings import MAX_REQUEST_SIZE
from .compat import CompatFlask

#: Largest request body accepted unless configured otherwise (bytes).
DEFAULT_MAX_REQUEST_SIZE: int = MAX_REQUEST_SIZE.default


def max_request_size(default: int | None) -> int | None:
    """The size limit in force: ``MAX_REQUEST_SIZE`` from the environment, else ``default`` (0, None: none)."""
    limit = MAX_REQUEST_SIZE.read(default if default is not None else 0)
    return int(limit) or None


class _ELGJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with the service's conversions, in field order, as UTF-8."""

    ensure_ascii = False
    sort_keys = False

    def __init__(self, app: Flask, encoder: MessageEncoder) -> None:
        super().__init__(app)
        self.default = encoder.default


def error_response(encoder: MessageEncoder, error: ProcessingError) -> Response:
    """An ELG failure as a Flask response with the error's status."""
    note_failure(error.message.code)
    return Response(encoder.envelope("failure", error.failure), status=error.status, mimetype="application/json")


def create_flask_app(name: str, encoder: MessageEncoder, *, size_limit: int | None) -> Flask:
    """A Flask app whose every error, from routing to crashes, is an ELG failure."""
    app = CompatFlask(name, static_folder=None)
    app.json = _ELGJSONProvider(app, encoder)
    app.config["MAX_CONTENT_LENGTH"] = size_limit

    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error  # redirects (e.g. to a trailing slash) stay as they are
        failure = failure_for_http_error(
            error, method=http_request.method, path=http_request.path, size_limit=size_limit
        )
        response = error_response(encoder, failure)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    def crash(error: Exception) -> Response:
        logger.exception("unhandled error on %s %s", printable(http_request.method), printable(http_request.path))
        return error_response(encoder, failures.internal_error(error))

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, crash)
    return app


def failure_for_http_error(
    error: HTTPException, *, method: str, path: str, size_limit: int | None
) -> ProcessingError:
    """The ELG failure standing for a werkzeug HTTP error."""
    if isinstance(error, NotFound):
        return failures.not_found(path)
    if isinstance(error, MethodNotAllowed):
        return failures.method_not_allowed(method, error.valid_methods or ())
    if isinstance(error, RequestEntityTooLarge):
        return failures.too_large(size_limit)
    if error.code is not None and error.code >= 500:
        return failures.internal_error(error)
    return ProcessingError("elg.request.invalid", detail={"reason": error.description}, status=error.code)
