"""Turning what a handler returns into an ELG message."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

from pydantic import ValidationError

from ..kinds import ResponseKind
from ..model.response import ResponseObject
from ..model.status import Failure, Progress
from ..protocol.failures import invalid_response, invalid_response_value
from ..protocol.streaming import close, is_stream, iterate
from ..logger import logger


#: What a handler may return as it is.
MESSAGE_TYPES = (ResponseObject, Failure, Progress)


def coerce(value: Any, response_kind: ResponseKind | None, name: str) -> Any:
    """``value`` as an ELG message, or a 500 ``elg.response.invalid`` ProcessingError.

    Messages pass through; a dict, str or list is built into the response
    ``response_kind`` (the one the return annotation declares) describes;
    streams are wrapped so each item is coerced the same way.
    """
    if isinstance(value, MESSAGE_TYPES):
        return value
    if is_stream(value):
        return _coerced_stream(value, response_kind, name)
    if response_kind is not None and isinstance(value, (dict, str, list)):
        try:
            return response_kind.build(value)
        except (ValidationError, ValueError, TypeError) as exc:
            model = response_kind.model.__name__
            logger.warning("handler %s returned a value that is not a valid %s: %s", name, model, exc)
            raise invalid_response_value(model, exc) from None
    logger.warning("handler %s returned %s, not an ELG response", name, type(value).__name__)
    hint = "" if response_kind else " (annotate the return type to have a dict, str or list converted)"
    raise invalid_response(f"the handler returned {type(value).__name__}, not an ELG response{hint}")


def _coerced_stream(source: Any, response_kind: ResponseKind | None, name: str) -> Iterator[Any]:
    items = iterate(source)
    try:
        for item in items:
            yield coerce(item, response_kind, name)
    finally:
        close(items)
