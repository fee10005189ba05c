"""Batched handlers, as the registry sees them: the decorator's options, the signature checks, and
the binding of a batch's arguments.

A batched handler (``max_batch_size=N``) takes, for each argument that comes from a request, a
list with one value per request of the batch; an argument named in ``batch_by`` takes one value
(every request of a batch has the same); resources are passed as usual. Queuing, the adaptive
policy and the bisection of failing batches are the runtime's (:mod:`elg_decorators.runtime.batching`).
"""
from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Collection, Mapping, Sequence

from ..errors import HandlerDefinitionError
from .binding import Argument, ArgumentSource, annotated_function, describe, resolved_hints


@dataclass(frozen=True)
class BatchOptions:
    """What ``max_batch_size=``, ``max_batch_wait=`` and ``batch_by=`` asked for."""

    max_batch_size: int
    #: Seconds a request may wait for its batch at most; None: as the adaptive policy sees fit.
    max_batch_wait: float | None = None
    #: Arguments whose values are equal within a batch, passed as one value.
    batch_by: tuple[str, ...] = ()


def batch_options(
    max_batch_size: int | None, max_batch_wait: float | None, batch_by: str | Sequence[str] | None, where: str,
) -> BatchOptions | None:
    """The batch options of a handler, or None when it is not batched; wrong values raise."""
    if max_batch_size is None:
        if max_batch_wait is not None or batch_by:
            raise HandlerDefinitionError(f"{where}: max_batch_wait= and batch_by= need max_batch_size=N "
                                         "(the largest batch the function takes)")
        return None
    if isinstance(max_batch_size, bool) or not isinstance(max_batch_size, int) or max_batch_size < 1:
        raise HandlerDefinitionError(f"{where}: max_batch_size={max_batch_size!r} must be a whole number of "
                                     "requests, 1 or more")
    if max_batch_wait is not None and not (isinstance(max_batch_wait, (int, float)) and max_batch_wait >= 0):
        raise HandlerDefinitionError(f"{where}: max_batch_wait={max_batch_wait!r} must be a number of seconds, "
                                     "0 or more (leave it out for the adaptive wait)")
    names = (batch_by,) if isinstance(batch_by, str) else tuple(batch_by or ())
    return BatchOptions(max_batch_size, None if max_batch_wait is None else float(max_batch_wait), names)


def element_hints(
    func: Callable[..., Any], options: BatchOptions, resources: Collection[str], decorator: str,
) -> dict[str, Any]:
    """The type of one request's value for each parameter of a batched ``func``.

    A parameter outside ``batch_by`` that is not a resource takes a list: its annotation must be
    ``list[X]`` (one request's value is an X), a bare ``list``, or none. Raises naming the function
    and the fix for a signature that cannot be batched.
    """
    target = annotated_function(func)
    name = f"{decorator}(max_batch_size={options.max_batch_size}) {describe(func)}"
    if inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target):
        raise HandlerDefinitionError(f"{name}: a batched handler cannot be a generator; return a list with one "
                                     "response per request instead of yielding")
    parameters = inspect.signature(func).parameters
    for parameter in parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            raise HandlerDefinitionError(f"{name}: a batched handler cannot take **{parameter.name}; name each "
                                         "parameter it needs (each gets a list with one value per request)")
    for by in options.batch_by:
        if by not in parameters or by in resources:
            raise HandlerDefinitionError(f"{name}: batch_by names {by!r}, which is not a request argument of the "
                                         "function; name one of its parameters")
    hints = resolved_hints(func, decorator)
    elements: dict[str, Any] = {}
    for parameter in parameters.values():
        hint = hints.get(parameter.name, Any)
        if parameter.name in options.batch_by or parameter.name in resources:
            elements[parameter.name] = hint
            continue
        origin = typing.get_origin(hint)
        if hint is Any or hint is list:
            elements[parameter.name] = Any
        elif origin is list or origin is Sequence or origin is typing.Sequence:
            (elements[parameter.name],) = typing.get_args(hint) or (Any,)
        else:
            raise HandlerDefinitionError(
                f"{name}: parameter {parameter.name!r} is annotated {hint!r}, but a batched handler gets a list "
                f"with one value per request; annotate it list[{getattr(hint, '__name__', hint)}] or name it in "
                "batch_by= to get one value per batch"
            )
    return elements


def batch_key(arguments: tuple[Argument, ...], bound: Mapping[str, Any], options: BatchOptions) -> Any:
    """What requests of one batch share: the values of their ``batch_by`` arguments (hashable)."""
    if not options.batch_by:
        return ()
    return tuple(_hashable(bound.get(name)) for name in options.batch_by)


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return ("unhashable", repr(value))
    return value


def batch_arguments(
    arguments: tuple[Argument, ...], bound: Sequence[Mapping[str, Any]], options: BatchOptions,
) -> dict[str, Any]:
    """The keyword arguments of one call for the requests whose single arguments are ``bound``."""
    call: dict[str, Any] = {}
    first = bound[0]
    for argument in arguments:
        name = argument.name
        if argument.source is ArgumentSource.RESOURCE or name in options.batch_by:
            call[name] = first[name]
        else:
            call[name] = [values[name] for values in bound]
    return call
