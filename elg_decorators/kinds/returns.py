"""What a handler's return annotation declares: the response it builds, and whether it streams."""
from __future__ import annotations

import collections.abc
import types
import typing
from dataclasses import dataclass
from typing import Any

from ..errors import HandlerDefinitionError
from ..model.response import ResponseObject
from ..model.status import Failure, Progress
from .responses import RESPONSE_KINDS, ResponseKind, ResponseKinds

_STREAM_ORIGINS = {
    collections.abc.Iterator, collections.abc.Iterable, collections.abc.Generator,
    collections.abc.AsyncIterator, collections.abc.AsyncIterable, collections.abc.AsyncGenerator,
}


@dataclass(frozen=True)
class DeclaredReturn:
    """What a return annotation says about a handler's answer."""

    #: The response it names, if any.
    response_kind: ResponseKind | None
    #: True: it names a stream (``Iterator[Progress | TextsResponse]``); False: single messages only;
    #: None: there is no annotation, so nothing is declared.
    streams: bool | None


def declared_return(annotation: Any, where: str, kinds: ResponseKinds = RESPONSE_KINDS) -> DeclaredReturn:
    """What ``annotation`` (a handler's return annotation, None when it has none) declares.

    ``TextsResponse``, ``Optional[TextsResponse]``, ``Union[TextsResponse,
    Failure]`` and ``Iterator[Progress | TextsResponse]`` all name
    ``TextsResponse``. An annotation naming something that is not an ELG
    message (``-> dict``) is a :class:`HandlerDefinitionError` naming ``where``,
    since nothing says which response to build from the value.
    """
    if annotation is None or annotation is Any:
        return DeclaredReturn(None, None)
    found: list[type[ResponseObject]] = []
    foreign: list[Any] = []
    streams = _collect(annotation, found, foreign)
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
    return DeclaredReturn(kinds.for_model(concrete.pop()) if concrete else None, streams)


def _collect(annotation: Any, found: list[Any], foreign: list[Any]) -> bool:
    """Add the responses ``annotation`` names to ``found``, the non-messages to ``foreign``; True if it streams."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _collect(typing.get_args(annotation)[0], found, foreign)
    if origin is typing.Union or origin is types.UnionType:
        return any([_collect(member, found, foreign) for member in typing.get_args(annotation)])
    if origin in _STREAM_ORIGINS:
        args = typing.get_args(annotation)
        if args:
            _collect(args[0], found, foreign)
        return True
    if annotation is type(None):
        return False
    if isinstance(annotation, type) and issubclass(annotation, ResponseObject):
        found.append(annotation)
    elif not (isinstance(annotation, type) and issubclass(annotation, (Failure, Progress))):
        foreign.append(annotation)
    return False
