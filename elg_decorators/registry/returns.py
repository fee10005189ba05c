"""Turning what a handler returns into an ELG message."""
from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from ..errors import HandlerDefinitionError
from ..logger import logger
from ..model.response import (
    AnnotationsResponse,
    AudioResponse,
    ClassificationResponse,
    ResponseObject,
    TextsResponse,
)
from ..model.status import Failure, Progress
from ..protocol.failures import invalid_response, invalid_response_value
from ..protocol.streaming import close, is_stream, iterate

_STREAM_ORIGINS = {
    collections.abc.Iterator, collections.abc.Iterable, collections.abc.Generator,
    collections.abc.AsyncIterator, collections.abc.AsyncIterable, collections.abc.AsyncGenerator,
}
#: What a handler may return as it is.
MESSAGE_TYPES = (ResponseObject, Failure, Progress)


def response_type_of(annotation: Any, where: str) -> type[ResponseObject] | None:
    """The response model a return annotation names, if any.

    ``TextsResponse``, ``Optional[TextsResponse]``, ``Union[TextsResponse,
    Failure]`` and ``Iterator[Progress | TextsResponse]`` all name
    ``TextsResponse``. An annotation naming something that is not an ELG
    message (``-> dict``) is a definition error, since nothing says which
    response to build from the value.
    """
    if annotation is None or annotation is type(None) or annotation is Any:
        return None
    found: list[type[ResponseObject]] = []
    foreign: list[Any] = []
    _collect(annotation, found, foreign)
    if foreign:
        names = ", ".join(getattr(item, "__name__", repr(item)) for item in foreign)
        raise HandlerDefinitionError(
            f"{where}: its return annotation names {names}, which is not an ELG message; annotate it with the "
            "response it builds (e.g. -> AnnotationsResponse, -> TextsResponse) or remove the annotation"
        )
    concrete = {item for item in found if item is not ResponseObject}
    if len(concrete) > 1:
        names = ", ".join(sorted(response.__name__ for response in concrete))
        raise HandlerDefinitionError(
            f"{where}: its return annotation names several responses ({names}); "
            "return model instances and annotate with one response type, or none"
        )
    return concrete.pop() if concrete else None


def _collect(annotation: Any, found: list[Any], foreign: list[Any]) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        _collect(typing.get_args(annotation)[0], found, foreign)
    elif origin is typing.Union or origin is types.UnionType:
        for member in typing.get_args(annotation):
            _collect(member, found, foreign)
    elif origin in _STREAM_ORIGINS:
        args = typing.get_args(annotation)
        if args:
            _collect(args[0], found, foreign)
    elif annotation is type(None):
        return
    elif isinstance(annotation, type) and issubclass(annotation, ResponseObject):
        found.append(annotation)
    elif isinstance(annotation, type) and issubclass(annotation, (Failure, Progress)):
        return
    else:
        foreign.append(annotation)


def coerce(value: Any, response_type: type[ResponseObject] | None, name: str) -> Any:
    """``value`` as an ELG message, or a 500 ``elg.response.invalid`` ProcessingError.

    Messages pass through; a dict, str or list is validated into
    ``response_type``; streams are wrapped so each item is coerced the same way.
    """
    if isinstance(value, MESSAGE_TYPES):
        return value
    if is_stream(value):
        return _coerced_stream(value, response_type, name)
    if response_type is not None and isinstance(value, (dict, str, list)):
        try:
            return BUILDERS.get(response_type, response_type.model_validate)(value)
        except (ValidationError, ValueError, TypeError) as exc:
            logger.warning("handler %s returned a value that is not a valid %s: %s", name, response_type.__name__, exc)
            raise invalid_response_value(response_type.__name__, exc) from None
    logger.warning("handler %s returned %s, not an ELG response", name, type(value).__name__)
    hint = "" if response_type else " (annotate the return type to have a dict, str or list converted)"
    raise invalid_response(f"the handler returned {type(value).__name__}, not an ELG response{hint}")


def _coerced_stream(source: Any, response_type: type[ResponseObject] | None, name: str) -> Iterator[Any]:
    items = iterate(source)
    try:
        for item in items:
            yield coerce(item, response_type, name)
    finally:
        close(items)


def _texts(value: Any) -> TextsResponse:
    if isinstance(value, dict) and "texts" in value:
        return TextsResponse.model_validate(value)
    nodes = value if isinstance(value, list) else [value]
    texts: list[Any] = [{"content": node} if isinstance(node, str) else node for node in nodes]
    return TextsResponse(texts=texts)


def _classification(value: Any) -> ClassificationResponse:
    if isinstance(value, dict) and "classes" in value:
        return ClassificationResponse.model_validate(value)
    items = value if isinstance(value, list) else [value]
    classes: list[Any] = [{"class": item} if isinstance(item, str) else item for item in items]
    return ClassificationResponse(classes=classes)


def _annotations(value: Any) -> AnnotationsResponse:
    if isinstance(value, dict) and not value:  # nothing found: no annotations, not an invalid response
        return AnnotationsResponse(annotations={})
    if isinstance(value, dict) and set(value) <= {"type", "features", "annotations", "warnings"}:
        return AnnotationsResponse.model_validate(value)
    if isinstance(value, dict):
        return AnnotationsResponse(annotations=value)
    raise TypeError("an annotations response is built from a dict")


def _audio(value: Any) -> AudioResponse:
    if isinstance(value, dict):
        return AudioResponse.model_validate(value)
    raise TypeError("an audio response is built from a dict")


BUILDERS: dict[type[ResponseObject], Callable[[Any], ResponseObject]] = {
    TextsResponse: _texts,
    ClassificationResponse: _classification,
    AnnotationsResponse: _annotations,
    AudioResponse: _audio,
}
