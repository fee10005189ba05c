"""Handler results that arrive over time: progress messages ending in a response.

A stream always ends with exactly one terminal message (a response or a
failure); the handler's iterator is closed as soon as that message is out,
whether the client read to the end, disconnected, or the handler failed.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..errors import ProcessingError
from ..logger import logger
from ..model.messages import http_status_for
from ..model.response import ResponseObject
from ..model.status import Failure, Progress
from . import event_loop
from .failures import internal_error, invalid_response

Source = Iterator[Any] | AsyncIterator[Any]


# Not frozen: one is made for every answer, and a frozen dataclass is several times dearer to make.
@dataclass(slots=True)
class Outgoing:
    """One ELG message on its way out: ``kind`` is ``progress``, ``response`` or ``failure``."""

    kind: str
    model: BaseModel
    status: int = 200

    @property
    def is_terminal(self) -> bool:
        return self.kind != "progress"

    @classmethod
    def for_error(cls, error: ProcessingError) -> Outgoing:
        return cls("failure", error.failure, error.status)


def is_stream(result: Any) -> bool:
    """True for results that stream: any (async) iterator, generators included."""
    return isinstance(result, (Iterator, AsyncIterator))


def iterate(source: Source) -> Iterator[Any]:
    """``source`` as a synchronous iterator: a sync one as it is, an async one stepped on the process's
    event loop (closing the iterator returned closes ``source`` there)."""
    if isinstance(source, AsyncIterator):
        return event_loop.iterate(source)
    return source


def close(items: Iterator[Any]) -> None:
    """Close an iterator that can be closed (generators can; list iterators need not be)."""
    closer = getattr(items, "close", None)
    if closer is not None:
        closer()


def as_outgoing(item: Any) -> Outgoing:
    """A Progress, response or Failure as an outgoing message (a failure with its code's status)."""
    if isinstance(item, Progress):
        return Outgoing("progress", item)
    if isinstance(item, ResponseObject):
        return Outgoing("response", item)
    if isinstance(item, Failure):
        return Outgoing("failure", item, http_status_for(item.errors[0].code))
    raise invalid_response(f"a stream yielded {type(item).__name__}, not Progress or an ELG response")


def messages(source: Source, *, name: str) -> Iterator[Outgoing]:
    """The messages of a handler's stream, ending with exactly one terminal message.

    An exception in the handler becomes a failure; a stream that ends without
    a response gives ``elg.response.invalid``; items after the terminal
    message are not pulled beyond one look-ahead, which is logged and dropped.
    """
    items = iterate(source)
    try:
        while True:
            try:
                item = next(items)
            except StopIteration:
                logger.warning("handler %s ended its stream without a response", name)
                yield Outgoing.for_error(invalid_response("the stream ended without a response or failure"))
                return
            except ProcessingError as error:
                yield Outgoing.for_error(error)
                return
            except Exception as exc:
                logger.exception("handler %s failed while streaming", name)
                yield Outgoing.for_error(internal_error(exc))
                return
            try:
                message = as_outgoing(item)
            except ProcessingError as error:
                logger.warning("handler %s yielded %r", name, type(item).__name__)
                message = Outgoing.for_error(error)
            yield message
            if message.is_terminal:
                _warn_if_more(items, name)
                return
    finally:
        close(items)


def _warn_if_more(items: Iterator[Any], name: str) -> None:
    try:
        next(items)
    except StopIteration:
        return
    except Exception:  # the response is out already; a late fault only gets logged
        logger.exception("handler %s failed after its final message", name)
        return
    logger.warning("handler %s yielded more messages after its final one; they were dropped", name)


def final_message(source: Source, *, name: str) -> Outgoing:
    """Drain a stream to its terminal message, for clients that did not ask for events."""
    # Read messages() to its end (it stops after the terminal message and its one look-ahead),
    # so the handler's stream is closed here, as on the event-stream path.
    terminal = None
    for message in messages(source, name=name):
        terminal = message
    assert terminal is not None and terminal.is_terminal
    return terminal
