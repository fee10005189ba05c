"""Every request the application answers, reported in one place: :class:`ServiceApp`.

The Flask application of a service is a :class:`ServiceApp`. Its WSGI entry point sees every
request before anything else does (the POSTs answered straight from the environ, Flask's routes,
unknown paths), gives it a request id, and reports how it ended to :data:`lifecycle` once its
answer is complete: at once for plain answers, when the last event is sent (or the client has
gone) for event streams. What the application learns while answering (the request type, the
handler, the route) it notes on the request's :class:`RequestRecord`.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol
from collections.abc import Callable, Iterable, Iterator

from flask import Flask

from ..errors import ProcessingError
from . import metrics, process
from .lifecycle import RECORD_KEY, DeferredAnswer, RequestRecord
from .process import REQUEST_ID_HEADER, accepted_request_id, new_request_id


class Runtime(Protocol):
    """What the application needs of its runtime (:class:`.service_runtime.ServiceRuntime`)."""

    @property
    def started(self) -> bool: ...

    #: Resources without which no POST is answered.
    guards: list[Any]

    def start(self) -> Any: ...

    def refusal(self, start_response: Callable[..., Any]) -> list[bytes] | None: ...

    def answer_failure(self, problem: ProcessingError, start_response: Callable[..., Any]) -> list[bytes]: ...




#: The record of the request this thread (or task) is answering.
current_request: ContextVar[RequestRecord | None] = ContextVar("elg_current_request", default=None)


def note_request(route: str, request_type: str) -> None:
    """Record the route and the ELG type (``text``, ...) of the request being answered."""
    record = current_request.get()
    if record is not None:
        record.route = route
        record.request_type = request_type


def note_handler(name: str, timeout: float | None) -> None:
    """Record the handler function answering the current request, and give the request its ``timeout``.

    The timeout (seconds in all) becomes the request's deadline, which the server enforces where
    it offers one (the service worker and the sync worker do).
    """
    record = current_request.get()
    if record is not None:
        record.handler = name
        if timeout is not None:
            record.set_deadline(timeout)


def note_failure(code: str) -> None:
    """Record the code of the failure being answered, where it is encoded (an ELG failure's first code)."""
    record = current_request.get()
    if record is not None:
        record.code = code


def note_final_event() -> None:
    """Record that the stream's final event (its response or failure) is being handed to the server:
    from then on the server adds nothing to the stream, even past the request's deadline."""
    record = current_request.get()
    if record is not None:
        record.answered = True


def handler_name(default: str) -> str:
    """The handler function answering the current request, else ``default``."""
    record = current_request.get()
    return record.handler if record is not None and record.handler else default


def record_of(environ: dict[str, Any]) -> RequestRecord:
    """A record for a request the server made none for: no deadline, the client's well-formed
    ``X-Request-ID`` or else a new id."""
    sent = environ.get("HTTP_X_REQUEST_ID")
    return RequestRecord((sent and accepted_request_id(sent)) or new_request_id(),
                         environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "") or "/")


class ServiceApp(Flask):
    """The Flask application of a service: reports every request it answers (see the module docstring)."""

    #: Resources, readiness and the routes of the runtime; set by :func:`.service_runtime.install_runtime`.
    elg_runtime: Runtime | None = None
    #: Whether :meth:`refusal` may answer a request: set by a subclass when it may.
    may_refuse = False
    #: The process generation (see :mod:`.process`) in which the runtime was last seen started.
    _started_in = -1

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        runtime = self.elg_runtime
        if self._started_in != process.generation:
            self._started_in = process.generation
            if runtime is not None and not runtime.started:
                runtime.start()  # under a server that did not start it when the worker began
        record = environ.get(RECORD_KEY)
        if record is None:
            record = record_of(environ)
        else:  # the server's: the method and path as the application sees them (decoded)
            record.method = environ.get("REQUEST_METHOD", "-")
            record.path = environ.get("PATH_INFO", "") or "/"
        stream = False

        def start(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            nonlocal stream
            record.status = int(status[:3])
            for name, value in headers:
                if name == "Content-Type" and value.startswith("text/event-stream"):
                    stream = True
            headers.append((REQUEST_ID_HEADER, record.request_id))
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        token = current_request.set(record)
        metrics.answering.add(record)
        try:
            body: Iterable[bytes] | None = self.refusal(environ, start) if self.may_refuse else None
            if body is None and runtime is not None and runtime.guards and environ.get("REQUEST_METHOD") == "POST":
                body = runtime.refusal(start)
            if body is None:
                body = self.wsgi_app(environ, start)
        except Exception:
            self._finish(record, None)
            raise
        except BaseException:  # the server stops the request (a deadline in the sync worker): it reports it
            metrics.answering.discard(record)
            raise
        finally:
            current_request.reset(token)
        assert body is not None
        if isinstance(body, DeferredAnswer):  # a batched handler's: reported when the server writes it
            body.when_answered(lambda: self._finish(record, None))
            return body
        if stream:
            return _ReportedStream(body, record, lambda events: self._finish(record, events))
        metrics.answering.discard(record)  # self._finish, inlined: this runs for every request
        record.finish(record.status, record.code)
        return body

    def refusal(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes] | None:
        """An answer given before the request reaches the application's routes, or None (the default)."""
        return None

    @staticmethod
    def _finish(record: RequestRecord, events: int | None) -> None:
        metrics.answering.discard(record)
        record.finish(record.status, record.code, events)  # ignored if the server answered in the application's place


class _ReportedStream:
    """An event stream's body: counts the events and reports the outcome when the server closes it.

    The handler's generator runs while the server reads this body, after the application's
    call returned: each step runs with the request's record current again, so that what the
    handler logs carries its request id and a deadline it sets reaches the server.
    """

    def __init__(self, body: Iterable[bytes], record: RequestRecord, report: Callable[[int], None]) -> None:
        self._body = body
        self._iterator: Iterator[bytes] = iter(body)
        self._record = record
        self._report: Callable[[int], None] | None = report
        self._events = 0

    def __iter__(self) -> _ReportedStream:
        return self

    def __next__(self) -> bytes:
        token = current_request.set(self._record)
        try:
            chunk = next(self._iterator)
        finally:
            current_request.reset(token)
        if chunk:
            self._events += 1
        return chunk

    def close(self) -> None:
        token = current_request.set(self._record)
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            current_request.reset(token)
            report, self._report = self._report, None
            if report is not None:
                report(self._events)
