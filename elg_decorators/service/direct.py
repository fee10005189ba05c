"""Answering POSTs to a service's fixed paths straight from the WSGI environ.

Building Flask's request context, URL adapter and response object costs
more than parsing, validating and answering a small ELG request. Decorated
handlers receive everything as arguments and need none of it, so their
fixed paths (those without URL variables) are answered here; every other
request, and every request once the application has Flask request hooks,
goes to Flask as usual.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from flask import Flask
from flask import globals as flask_globals
from flask import signals as flask_signals
from flask.ctx import AppContext
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_input_stream

from ..protocol.status_lines import STATUS_LINES, status_line
from ..protocol.streaming import close
from ..runtime import batching
from ..runtime.lifecycle import RECORD_KEY, RequestRecord
from ..runtime.service_app import current_request
from .exchange import Exchange, Reply

if TYPE_CHECKING:
    from .flask_service import FlaskService

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DirectDispatch:
    """WSGI middleware handing POSTs on ``paths`` to ``service.answer`` without Flask."""

    def __init__(self, service: FlaskService, paths: Iterable[str]) -> None:
        self.service = service
        self.app = service.app
        self.flask_wsgi_app: WSGIApp = service.app.wsgi_app
        self.paths = frozenset(paths)
        self._settled: bool | None = None
        self._answered = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        needs_flask = self._settled
        if needs_flask is None:
            needs_flask = self._needs_flask()
        if environ.get("REQUEST_METHOD") != "POST" or path not in self.paths or needs_flask:
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
        record: RequestRecord | None = environ.get(RECORD_KEY)
        if record is None or record.defer is None:
            return self._start(self._answer(exchange), start_response)
        deferring = batching.deferral.set(record.defer)  # batched handlers may queue the request
        try:
            reply = self._answer(exchange)
        finally:
            batching.deferral.reset(deferring)
        if reply.pending is not None:
            return self._later(reply, exchange, record, start_response)
        return self._start(reply, start_response)

    def _answer(self, exchange: Exchange) -> Reply:
        # Handlers may use current_app and g, as in a Flask view: answer inside the application context.
        if _current_app_context is not None and not (_PUSHED.receivers or _POPPED.receivers
                                                     or _TEARING_DOWN.receivers):  # _lean_context_will_do()
            token = _current_app_context.set(AppContext(self.app))
            try:
                reply = self.service.answer(exchange)
            finally:
                _current_app_context.reset(token)
        else:
            with self.app.app_context():
                reply = self.service.answer(exchange)
        return reply

    def _later(self, reply: Reply, exchange: Exchange, record: RequestRecord,
               start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The server's deferred answer, completed when the batched handler's result settles."""
        assert record.defer is not None
        deferred = record.defer()

        def settled(outcome: batching.Settled) -> None:  # in the batch's runner thread
            token = current_request.set(record)
            try:
                body = self._start(self.service.settle(outcome, exchange), start_response)
            finally:
                current_request.reset(token)
            deferred.complete(body)

        reply.pending.then(settled)
        return deferred

    def _start(self, reply: Reply, start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = reply.body
        headers = [("Content-Type", reply.content_type)]
        if isinstance(body, bytes):
            headers.append(("Content-Length", str(len(body))))
        if reply.headers:
            headers.extend(reply.headers.items())
        start_response(STATUS_LINES.get(reply.status) or status_line(reply.status), headers)
        return [body] if isinstance(body, bytes) else _InAppContext(self.app, body)

    def _needs_flask(self) -> bool:
        """Whether the application has request hooks, which only Flask's own dispatch runs.

        Once the application has answered a request its setup is over (Flask refuses new hooks
        then, and hooks are added at import), so from the second request on the answer is kept.
        """
        if self._settled is not None:
            return self._settled
        app = self.app
        hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
        needs = bool(app.teardown_appcontext_funcs) or any(
            functions for registry in hooks for functions in registry.values())
        self._settled = needs if app._got_first_request or self._answered else None
        self._answered = True
        return needs


class _InAppContext:
    """The events of a stream, each produced inside the application context (the handler runs meanwhile).

    The context is entered around each step rather than across the steps, so that other
    contexts the server's thread enters between two events cannot upset Flask's stack. A class,
    not a generator: closing it closes the handler's stream even if no event was ever asked for.
    """

    def __init__(self, app: Flask, body: Iterator[bytes]) -> None:
        self._app = app
        self._body = body

    def __iter__(self) -> _InAppContext:
        return self

    def __next__(self) -> bytes:
        with _app_context(self._app):
            return next(self._body)

    def close(self) -> None:
        with _app_context(self._app):
            close(self._body)


# Flask keeps the current application context in this context variable (Flask 2.3 and later).
_current_app_context: Any = getattr(flask_globals, "_cv_app", None)
_PUSHED, _POPPED, _TEARING_DOWN = (flask_signals.appcontext_pushed, flask_signals.appcontext_popped,
                                   flask_signals.appcontext_tearing_down)


def _lean_context_will_do() -> bool:
    """Whether setting Flask's context variable alone enters an application context as Flask would.

    Flask's ``app_context()`` also sends three signals and runs the ``teardown_appcontext``
    functions, a third of a small request's cost in the framework; with no receiver connected
    (and no such function: those applications go through Flask, see ``_needs_flask``) the two
    are the same.
    """
    return _current_app_context is not None and not (_PUSHED.receivers or _POPPED.receivers
                                                       or _TEARING_DOWN.receivers)


def _app_context(app: Flask) -> Any:
    """The application context of ``app``, entered the lean way where that is the same as Flask's."""
    return _LeanAppContext(app) if _lean_context_will_do() else app.app_context()


class _LeanAppContext:
    """An application context entered by setting Flask's context variable alone (see :func:`_lean_context_will_do`)."""

    __slots__ = ("_app", "_token")

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __enter__(self) -> None:
        self._token = _current_app_context.set(AppContext(self._app))

    def __exit__(self, *exc: object) -> None:
        _current_app_context.reset(self._token)
class _KnownLengthInput:
    """The request body when its length is known: reads stop there (cheaper than werkzeug's wrapper)."""

    #: Its length was checked against the size limit (see ``protocol.parsing``).
    within_limit = True

    def __init__(self, raw: IO[bytes], length: int) -> None:
        self.raw = raw
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.raw.read(size)
        while len(data) < size:  # a WSGI input may return less than asked: read on to the end
            more = self.raw.read(size - len(data))
            if not more:
                raise ClientDisconnected()  # the body ended before its Content-Length
            data += more
        self.remaining -= len(data)
        return data


def _input(environ: dict[str, Any], limit: int | None) -> IO[bytes]:
    """The body stream, refusing one over ``limit`` (werkzeug's RequestEntityTooLarge)."""
    length = environ.get("CONTENT_LENGTH", "")
    if length.isascii() and length.isdigit():  # "²".isdigit() is true too
        size = int(length)
        if limit is not None and size > limit:
            raise RequestEntityTooLarge()
        return _KnownLengthInput(environ["wsgi.input"], size)  # type: ignore[return-value]
    return get_input_stream(environ, max_content_length=limit)  # chunked, or length not given


def install(service: FlaskService, paths: Iterable[str]) -> None:
    """Answer POSTs on ``paths`` of ``service.app`` directly (see the module docstring)."""
    service.app.wsgi_app = DirectDispatch(service, paths)  # type: ignore[method-assign]
