"""The endpoint description of a classic :class:`~elg_decorators.FlaskService`: its ``process_*`` methods."""
from __future__ import annotations

import inspect
import typing
from typing import Any
from collections.abc import Callable, Sequence

from ..errors import HandlerDefinitionError
from ..kinds import DeclaredReturn, Endpoint, EndpointHandler, RequestKind, declared_return


def classic_endpoints(
    paths: Sequence[str], methods: Sequence[tuple[RequestKind, Callable[..., Any]]]
) -> tuple[Endpoint, ...]:
    """Each of ``paths``, answered by ``methods`` (the ``process_*`` method of each request kind served).

    A method takes the whole request, so it has no parameters of its own; its
    return annotation, if any, declares its response.
    """
    handlers = tuple(_handler(kind, method) for kind, method in methods)
    return tuple(Endpoint(path, handlers) for path in paths)


def _handler(kind: RequestKind, method: Callable[..., Any]) -> EndpointHandler:
    name = getattr(method, "__qualname__", kind.method)
    # The elg package never read these annotations, so one that cannot be read or names no ELG
    # message only declares nothing: the service keeps working as it did there.
    try:
        declared = declared_return(typing.get_type_hints(method).get("return"), name)
    except (HandlerDefinitionError, NameError, TypeError, AttributeError):
        declared = DeclaredReturn(None, None)
    generator = inspect.isgeneratorfunction(method) or inspect.isasyncgenfunction(method)
    return EndpointHandler(kind, name, declared.response_kind, (), generator or declared.streams is not False)
