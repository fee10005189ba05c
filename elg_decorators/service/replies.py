"""What a service's code returned, as the reply sent: ELG JSON, or server-sent events."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

from ..errors import ProcessingError
from ..logger import logger
from ..model.response import ResponseObject
from ..model.status import Failure
from ..protocol import failures
from ..protocol.encoding import MessageEncoder, sse_event
from ..protocol.negotiation import wants_event_stream
from ..protocol.streaming import Outgoing, as_outgoing, final_message, is_stream, messages
from ..runtime.service_app import handler_name, note_failure, note_final_event
from .exchange import Reply

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def result_reply(result: Any, accept: str | None, encoder: MessageEncoder, owner: str) -> Reply:
    """The reply to a service's ``result``: a message as JSON; a stream as events when ``accept`` asks for
    them, else its final message as JSON. Anything else raises ``elg.response.invalid``."""
    if isinstance(result, (ResponseObject, Failure)):
        return _json(as_outgoing(result), encoder)
    if is_stream(result):
        name = handler_name(owner)
        if wants_event_stream(accept):
            events = event_stream(messages(result, name=name), encoder, owner)
            return Reply(200, "text/event-stream; charset=utf-8", events, dict(SSE_HEADERS))
        return _json(final_message(result, name=name), encoder)
    logger.warning("%s returned %s, not an ELG response", handler_name(owner), type(result).__name__)
    raise failures.invalid_response(f"the service returned {type(result).__name__}, not an ELG response")


def failure_reply(error: ProcessingError, encoder: MessageEncoder, owner: str) -> Reply:
    """The JSON reply of ``error``, with its status and headers."""
    try:
        body = encoder.envelope("failure", error.failure)
    except Exception as exc:  # e.g. a detail holding an object JSON cannot represent
        logger.exception("%s: a failure could not be encoded", owner)
        error = failures.internal_error(exc)
        body = encoder.envelope("failure", error.failure)
    note_failure(error.message.code)
    return Reply(error.status, "application/json", body, dict(error.headers))


def event_stream(stream: Iterator[Outgoing], encoder: MessageEncoder, owner: str) -> Iterator[bytes]:
    """The server-sent events of ``stream``; one that cannot be encoded ends it with a failure event."""
    try:
        for message in stream:
            try:
                payload = encoder.envelope(message.kind, message.model)
            except Exception as exc:  # the status line is sent: end the stream with a failure event
                logger.exception("%s: a streamed %s could not be encoded", owner, message.kind)
                error = failures.internal_error(exc)
                note_failure(error.message.code)
                note_final_event()
                yield sse_event(encoder.envelope("failure", error.failure))
                return
            if message.kind == "failure":
                note_failure(message.model.errors[0].code)  # type: ignore[attr-defined]
            if message.is_terminal:
                note_final_event()
            yield sse_event(payload)
    finally:
        stream.close()  # type: ignore[attr-defined]


def _json(message: Outgoing, encoder: MessageEncoder) -> Reply:
    if message.kind == "failure":
        note_failure(message.model.errors[0].code)  # type: ignore[attr-defined]
    return Reply(message.status, "application/json", encoder.envelope(message.kind, message.model))
