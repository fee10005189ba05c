"""Answering POSTs to a service's fixed paths straight from the WSGI environ.

Building Flask's request context, URL adapter and response object costs
more than parsing, validating and answering a small ELG request. Decorated
handlers receive everything as arguments and need none of it, so their
fixed paths (those without URL variables) are answered here; every other
request, and every request once the application has Flask request hooks,
goes to Flask as usual.
"""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, Optional

from flask import Flask
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_input_stream

from ..protocol.status_lines import status_line
from ..protocol.streaming import close
from .exchange import Exchange, Reply

if TYPE_CHECKING:
    from .flask_service import FlaskService

WSGIApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DirectDispatch:
    """WSGI middleware handing POSTs on ``paths`` to ``service.answer`` without Flask."""

    def __init__(self, service: "FlaskService", paths: Iterable[str]) -> None:
        self.service = service
        self.app = service.app
        self.flask_wsgi_app: WSGIApp = service.app.wsgi_app
        self.paths = frozenset(paths)

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "POST" or path not in self.paths or self._has_request_hooks():
            return self.flask_wsgi_app(environ, start_response)
        limit = self.service.size_limit
        exchange = Exchange(
            method="POST",
            path=path,
            route=path,
            url_values={},
            content_type=environ.get("CONTENT_TYPE"),
            body=lambda: _input(environ, limit),
            query=lambda: Request(environ).args.to_dict(flat=False),  # read for raw bodies only
            accept=environ.get("HTTP_ACCEPT"),
        )
        with self.app.app_context():  # handlers may use current_app and g, as in a Flask view
            reply = self.service.answer(exchange)
        start_response(status_line(reply.status), _headers(reply))
        if isinstance(reply.body, bytes):
            return [reply.body]
        return _InAppContext(self.app, reply.body)

    def _has_request_hooks(self) -> bool:
        app = self.app
        hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
        return bool(app.teardown_appcontext_funcs) or any(
            functions for registry in hooks for functions in registry.values()
        )


class _InAppContext:
    """The events of a stream, each produced inside the application context (the handler runs meanwhile).

    The context is entered around each step rather than across the steps, so that other
    contexts the server's thread enters between two events cannot upset Flask's stack. A class,
    not a generator: closing it closes the handler's stream even if no event was ever asked for.
    """

    def __init__(self, app: Flask, body: Iterator[bytes]) -> None:
        self._context = app.app_context()
        self._body = body

    def __iter__(self) -> "_InAppContext":
        return self

    def __next__(self) -> bytes:
        with self._context:
            return next(self._body)

    def close(self) -> None:
        with self._context:
            close(self._body)


class _KnownLengthInput:
    """The request body when its length is known: reads stop there (cheaper than werkzeug's wrapper)."""

    def __init__(self, raw: IO[bytes], length: int) -> None:
        self.raw = raw
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.raw.read(size)
        if not data:
            raise ClientDisconnected()  # the body ended before its Content-Length
        self.remaining -= len(data)
        return data


def _input(environ: Dict[str, Any], limit: Optional[int]) -> IO[bytes]:
    """The body stream, refusing one over ``limit`` (werkzeug's RequestEntityTooLarge)."""
    length = environ.get("CONTENT_LENGTH", "")
    if length.isascii() and length.isdigit():  # "²".isdigit() is true too
        size = int(length)
        if limit is not None and size > limit:
            raise RequestEntityTooLarge()
        return _KnownLengthInput(environ["wsgi.input"], size)  # type: ignore[return-value]
    return get_input_stream(environ, max_content_length=limit)  # chunked, or length not given


def _headers(reply: Reply) -> list[tuple[str, str]]:
    headers = [("Content-Type", reply.content_type)]
    if isinstance(reply.body, bytes):
        headers.append(("Content-Length", str(len(reply.body))))
    headers.extend(reply.headers.items())
    return headers


def install(service: "FlaskService", paths: Iterable[str]) -> None:
    """Answer POSTs on ``paths`` of ``service.app`` directly (see the module docstring)."""
    service.app.wsgi_app = DirectDispatch(service, paths)  # type: ignore[method-assign]
