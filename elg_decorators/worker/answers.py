"""The answers the server gives by itself, before or instead of the application: all ELG failures.

A request the worker cannot read, cannot take (overload), or that passed its deadline is
answered here, as whole HTTP/1.1 responses of ELG failure JSON (or one final server-sent
event, for a stream already under way).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Mapping, Sequence

from gunicorn.http import errors as http_errors

from ..model.messages import standard_message
from ..model.status import Failure, StatusMessage
from ..protocol import failures
from ..protocol.encoding import MessageEncoder, sse_event
from ..protocol.status_lines import status_line
from ..runtime.lifecycle import LIVE_BODY

_ENCODER = MessageEncoder()


class ServerAnswer:
    """An ELG failure with its HTTP status and any extra headers, answered by the server itself."""

    def __init__(self, status: int, message: StatusMessage, headers: Sequence[tuple[str, str]] = ()) -> None:
        self.status = status
        self.message = message
        self.headers = tuple(headers)

    @property
    def code(self) -> str:
        return self.message.code

    def body(self) -> bytes:
        """The failure JSON."""
        return _ENCODER.envelope("failure", Failure(errors=[self.message]))

    def http(self, *, close: bool = True, request_id: str = "") -> bytes:
        """The whole HTTP/1.1 response."""
        body = self.body()
        lines = [
            f"HTTP/1.1 {status_line(self.status)}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            f"Connection: {'close' if close else 'keep-alive'}",
        ]
        if request_id:
            lines.append(f"X-Request-ID: {request_id}")
        lines.extend(f"{name}: {value}" for name, value in self.headers)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def event(self) -> bytes:
        """The failure as the final server-sent event of a stream."""
        return sse_event(self.body())


def alive(request_id: str) -> bytes:
    """The whole HTTP response to ``GET /health/live`` when the loop answers it (every thread busy)."""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n"
        b"X-Request-ID: %s\r\n\r\n%s" % (len(LIVE_BODY), request_id.encode("latin-1"), LIVE_BODY)
    )


def application_failed() -> ServerAnswer:
    """500: the WSGI application raised instead of answering (its traceback is in the log)."""
    return _internal("the application failed to answer", 500, {"reason": "application error"})


def _invalid(reason: str, status: int, **detail: Any) -> ServerAnswer:
    return ServerAnswer(status, standard_message("elg.request.invalid", detail={"reason": reason, **detail}))


def _internal(
    text: str, status: int, detail: Mapping[str, Any], headers: Sequence[tuple[str, str]] = ()
) -> ServerAnswer:
    message = standard_message("elg.service.internalError", params=[text], detail=detail)
    return ServerAnswer(status, message, headers)


def deadline_passed(seconds: float) -> ServerAnswer:
    """504: the request was not answered within its deadline."""
    shown = f"{seconds:g}"
    return _internal(
        f"no answer within the request's deadline of {shown} seconds", 504,
        {"reason": "deadline passed", "deadline": seconds},
    )


def shutting_down(seconds: float) -> ServerAnswer:
    """503: the worker stopped before the request finished (graceful timeout after SIGTERM)."""
    return _internal(
        f"the service stopped before answering (graceful timeout of {seconds:g} seconds)", 503,
        {"reason": "shutting down", "gracefulTimeout": seconds},
    )


def overloaded(retry_after: int, queued: int) -> ServerAnswer:
    """503 with ``Retry-After``: every thread is busy and the queue is full."""
    return _internal(
        f"the service is busy: every thread is working and {queued} requests wait; retry in {retry_after} s", 503,
        {"reason": "overloaded", "retryAfter": retry_after}, headers=[("Retry-After", str(retry_after))],
    )


def no_room(what: str, limit: int, retry_after: int, unit: str = "") -> ServerAnswer:
    """503 with ``Retry-After``: the worker holds as many connections, or as many bytes of request
    bodies, as it may (``MAX_CONNECTIONS``, ``MAX_BODY_BUFFER``)."""
    shown = f"{limit} {unit}".strip()
    return _internal(
        f"the service is busy: it holds as many {what} as it may ({shown}); retry in {retry_after} s", 503,
        {"reason": "overloaded", "retryAfter": retry_after}, headers=[("Retry-After", str(retry_after))],
    )


def read_timeout(seconds: float) -> ServerAnswer:
    """408: the client did not send its request within the read timeout."""
    return _invalid(f"the request was not received within {seconds:g} seconds", 408, timeout=seconds)


def too_large(limit: int) -> ServerAnswer:
    """413: the body is larger than the service accepts (the application's own failure for it)."""
    error = failures.too_large(limit)
    return ServerAnswer(error.status, error.message)


def body_not_stored(error: OSError) -> ServerAnswer:
    """500: a large body could not be written to its temporary file (the disk is full, say)."""
    reason = error.strerror or type(error).__name__
    return _internal(f"the request body could not be stored: {reason}", 500,
                     {"reason": "body not stored", "error": reason})


def bad_chunk(reason: str) -> ServerAnswer:
    """400: a chunked body that does not follow HTTP's chunked coding."""
    return _invalid(f"malformed chunked body: {reason}", 400)


def unknown_method(method: str) -> ServerAnswer:
    """501: a method that HTTP does not define."""
    return _invalid(f"method {method[:40]} is not implemented", 501, method=method[:40])


def _errors(*names: str) -> tuple[type, ...]:
    """gunicorn's error classes of these names that its installed version has."""
    return tuple(getattr(http_errors, name) for name in names if hasattr(http_errors, name))


#: gunicorn's errors about what the application tried to send (its fault, not the client's).
RESPONSE_ERRORS = _errors("InvalidResponseHeader", "InvalidResponseHeaderName")

#: What each parse error of gunicorn's HTTP parser means for the client, by class.
_PARSE_ERRORS: tuple[tuple[tuple[type, ...], int, str], ...] = (
    (_errors("LimitRequestLine"), 414, "the request line (URL) is too long"),
    (_errors("LimitRequestHeaders"), 431, "the request header fields are too large or too many"),
    (_errors("ExpectationFailed"), 417, "the Expect header asks for something this server does not do"),
    (_errors("UnsupportedTransferCoding"), 501, "the Transfer-Encoding is not implemented"),
    (_errors("InvalidRequestMethod"), 400, "the request method is malformed"),
    (_errors("InvalidHTTPVersion"), 400, "the HTTP version is not supported"),
    (_errors("InvalidChunkSize"), 400, "malformed chunked body: invalid chunk size"),
    (_errors("ChunkMissingTerminator", "InvalidChunkExtension"), 400, "malformed chunked body"),
    (_errors("InvalidHeaderName"), 400, "a header name is malformed"),
    (_errors("InvalidHeader", "ObsoleteFolding"), 400, "a header is malformed or contradicts another"),
    (_errors("InvalidRequestLine"), 400, "the request line is malformed"),
)


def for_parse_error(error: BaseException) -> ServerAnswer:
    """The answer to a request that gunicorn's parser (or ours) refused."""
    if isinstance(error, ServerAnswerError):
        return error.answer
    for kinds, status, reason in _PARSE_ERRORS:
        if kinds and isinstance(error, kinds):
            return _invalid(reason, status)
    return _invalid("the request is not valid HTTP/1.1", 400)


class ServerAnswerError(Exception):
    """Raised while reading a request that the server answers by itself."""

    def __init__(self, answer: ServerAnswer) -> None:
        super().__init__(answer.message.render())
        self.answer = answer

