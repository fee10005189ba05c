"""``@resource``: declare something handlers need, created once per worker (or once before the fork).

Handlers take a resource as the parameter of the same name. Resources are declared above the
handlers that use them, as Python names are defined before they are used: a handler parameter
that names no resource declared so far is read from the request's ``params``, and declaring a
resource after a handler that already reads that name from ``params`` is an error.
"""
from __future__ import annotations

import inspect
from typing import Any, TypeVar, overload
from collections.abc import Callable

from ..errors import HandlerDefinitionError
from .binding import ArgumentSource, describe
from .registry import Registry, current_registry
from ..runtime.resources import Resource

F = TypeVar("F", bound=Callable[..., Any])

#: Parameter names that mean something else to every handler (besides the fields of its request kind).
_RESERVED = frozenset({"request", "params"})


@overload
def resource(func: F, /) -> F: ...


@overload
def resource(*, shared: bool = False, registry: Registry | None = None) -> Callable[[F], F]: ...


def resource(
    func: F | None = None, /, *, shared: bool = False, registry: Registry | None = None
) -> F | Callable[[F], F]:
    """Declare a resource: the function's name is the resource's, its result the value handlers get.

    .. code-block:: python

        @resource
        def tagger():
            model = load("tagger.bin")     # once per worker process
            yield model
            model.close()                  # when the worker stops

        @text_service
        def tag(content: str, tagger):
            ...

    The function is returned unchanged. It takes no argument and may return its value, yield it
    once (the code after ``yield`` runs when the process exits), or be ``async`` (it is then created
    and cleaned up on the process's event loop, where async handlers run and can use what it made:
    an HTTP client session, a connection pool). Declare a resource above the handlers that use it.

    :param shared: create it once in the server's master process before the workers are forked,
        so that they share its memory copy-on-write (``serve`` or ``gunicorn --preload``); it
        must start no thread or native thread pool, since threads do not survive a fork, and cannot
        be ``async`` (an event loop does not survive it either).
    :param registry: the registry to add to; default the one :func:`serve` serves.
    """
    if func is not None:
        _declare(func, shared, registry)
        return func

    def declare(function: F) -> F:
        _declare(function, shared, registry)
        return function

    return declare


def _declare(func: Callable[..., Any], shared: bool, registry: Registry | None) -> Resource:
    if not callable(func) or not hasattr(func, "__name__"):
        raise HandlerDefinitionError(f"@resource decorates a function, not {type(func).__name__}")
    target = registry if registry is not None else current_registry()
    where = f"@resource {describe(func)}"
    name = func.__name__
    required = [
        parameter.name for parameter in inspect.signature(func).parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        raise HandlerDefinitionError(f"{where}: a resource is created with no argument; remove {', '.join(required)}")
    request_fields = {field for kind in target.kinds for field in kind.model.model_fields}
    if name in _RESERVED or name in request_fields or name.startswith("_"):
        raise HandlerDefinitionError(
            f"{where}: {name!r} cannot name a resource (handlers receive {name!r} from the request); rename it"
        )
    if shared and (inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)):
        raise HandlerDefinitionError(
            f"{where}: an async resource cannot be shared=True: what it creates belongs to an event loop, and no "
            "loop survives the fork into the workers; drop shared=True (each worker then creates it on its own loop)"
        )
    existing = target.resources.get(name)
    if existing is not None:
        raise HandlerDefinitionError(
            f"{where}: a resource named {name!r} is already declared by {describe(existing.factory)} "
            f"(in {existing.factory.__module__}); rename one of them"
        )
    for handler in target.handlers:
        reads_params = (argument.source is ArgumentSource.NAMED_PARAM for argument in handler.arguments
                        if argument.name == name)
        if any(reads_params):
            raise HandlerDefinitionError(
                f"{where} is declared after the handler {describe(handler.func)}, which therefore reads {name!r} "
                f"from the request's params; move @resource {name} above the handlers that use it"
            )
    return target.resources.add(Resource(func, shared=shared))
