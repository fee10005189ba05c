"""The registry of handlers: one per (path, request type)."""
from __future__ import annotations

import inspect
import typing
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterator, Mapping, Sequence

from ..errors import HandlerDefinitionError
from ..kinds import (
    REQUEST_KINDS,
    Endpoint,
    EndpointHandler,
    RequestKind,
    RequestKinds,
    ResponseKind,
    declared_return,
    url_variables,
)
from ..model.request import Request
from ..logger import logger
from ..protocol import event_loop
from ..protocol.failures import invalid_response
from ..runtime import batching
from ..runtime.service_app import current_request, note_handler
from ..runtime.resources import ResourceSet
from ..settings import DEFAULT_PATH
from .binding import (
    Argument,
    ArgumentSource,
    annotated_function,
    bind_arguments,
    callable_name,
    client_parameters,
    describe,
    plan_arguments,
    resolved_hints,
)
from .batching import BatchOptions, batch_arguments, batch_key, batch_options, element_hints
from .returns import MESSAGE_TYPES, coerce


@dataclass(frozen=True)
class Handler:
    """A registered function and everything needed to call it, worked out once."""

    func: Callable[..., Any]
    kind: str
    path: str
    arguments: tuple[Argument, ...]
    #: The response its return annotation declares, built from a plain value it returns.
    response_kind: ResponseKind | None
    #: Whether it may answer with a stream (see :attr:`elg_decorators.kinds.EndpointHandler.streams`).
    streams: bool
    #: True when calling the function gives a coroutine to run (``async def``).
    is_async: bool
    #: The function's qualified name, for logs and messages.
    name: str
    #: Seconds a request to this handler may take (``timeout=``); None: the service's default.
    timeout: float | None = None
    #: For a batched handler (``max_batch_size=``): its options, and the queue its requests wait in.
    batch: BatchOptions | None = None
    batcher: batching.Batcher | None = None

    @property
    def content_optional(self) -> bool:
        """Whether it declares a default for its ``content`` (``content: bytes | None = None``): a request
        without content then reaches it with that default instead of being refused (400)."""
        return any(argument.name == "content" and argument.source is ArgumentSource.REQUEST_FIELD
                   and not argument.required for argument in self.arguments)

    def __call__(self, request: Request, url_values: Mapping[str, Any]) -> Any:
        """Call the function for ``request`` and return its result as an ELG message or stream.

        A batched handler's request is queued for its batch when the server can answer it later
        (the result is then a :class:`~elg_decorators.runtime.batching.Pending`); elsewhere it runs
        at once, in a batch of one.
        """
        note_handler(self.name, self.timeout)
        if self.batcher is not None:
            return self._batched(bind_arguments(self.arguments, request, url_values))
        result = self.func(**bind_arguments(self.arguments, request, url_values))
        if self.is_async:
            result = event_loop.run(result)  # on the process's loop, with the async resources
        if isinstance(result, MESSAGE_TYPES):  # coerce()'s first case, tested here: the usual return
            return result
        return coerce(result, self.response_kind, self.name)

    def _batched(self, bound: dict[str, Any]) -> Any:
        assert self.batch is not None and self.batcher is not None
        record = current_request.get()
        if batching.deferral.get() is not None:
            return self.batcher.submit(batch_key(self.arguments, bound, self.batch), bound, record)
        if record is not None:
            record.batch_size = 1
        entries = self.call_batch([bound])
        if not isinstance(entries, (list, tuple)) or len(entries) != 1:
            got = f"{len(entries)} entries" if isinstance(entries, (list, tuple)) else type(entries).__name__
            logger.error("batched handler %s returned %s for a batch of 1 request", self.name, got)
            raise invalid_response(f"the batched handler returned {got} for a batch of 1 request")
        entry = entries[0]
        if isinstance(entry, BaseException):
            raise entry
        return self.settle_entry(entry)

    def call_batch(self, bound: list[dict[str, Any]]) -> Any:
        """Call a batched handler's function for the requests whose single arguments are ``bound``."""
        assert self.batch is not None
        result = self.func(**batch_arguments(self.arguments, bound, self.batch))
        if self.is_async:
            result = event_loop.run(result)  # on the process's loop, with the async resources
        return result

    def settle_entry(self, entry: Any) -> Any:
        """One entry of a batch's result as an ELG message (a stream collapses to its final message)."""
        if isinstance(entry, MESSAGE_TYPES):
            return entry
        return coerce(entry, self.response_kind, self.name)


def _is_generator_function(func: Callable[..., Any]) -> bool:
    """Whether calling ``func`` gives a generator (sync or async) to iterate."""
    target = annotated_function(func)
    return inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target)


def _is_coroutine_function(func: Callable[..., Any]) -> bool:
    """Whether calling ``func`` gives a coroutine: an ``async def``, a partial of one, or an object
    whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(func):
        return True
    return not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)


class Registry:
    """Handlers by path and request type.

    The module-level :data:`default_registry` is what the decorators fill
    and :func:`elg_decorators.serve` serves; create your own to hold
    several services in one program or to isolate tests.

    :param name: the service name (used in logs, OpenAPI and health answers).
    :param kinds: the request kinds handlers may be registered for.
    """

    def __init__(self, name: str = "ELG service", *, kinds: RequestKinds = REQUEST_KINDS) -> None:
        self.name = name
        self.kinds = kinds
        self._handlers: dict[tuple[str, str], Handler] = {}
        #: The resources (``@resource``) the handlers use.
        self.resources = ResourceSet()

    def add(
        self, kind: str | RequestKind, func: Callable[..., Any], *, path: str = DEFAULT_PATH,
        timeout: float | None = None, max_batch_size: int | None = None, max_batch_wait: float | None = None,
        batch_by: str | Sequence[str] | None = None,
    ) -> Handler:
        """Register ``func`` for requests of type ``kind`` on ``path`` (the decorators' imperative twin).

        ``kind`` is a request type of the registry's table, or a :class:`RequestKind`, which
        the table gains if it lacks it (as a decorator made by ``service_decorator`` passes it).
        ``timeout``: seconds a request to it may take before it is answered with a deadline failure.
        ``max_batch_size``, ``max_batch_wait``, ``batch_by``: make it a batched handler (see the decorators).
        """
        request_kind = self._learn(kind, func) if isinstance(kind, RequestKind) else self.kinds.get(kind)
        if request_kind is None:
            raise ValueError(f"unknown request type {kind!r}; use one of {', '.join(self.kinds.types)}")
        request_type = request_kind.type
        decorator = f"@{request_kind.decorator}"
        if not callable(func):
            raise HandlerDefinitionError(f"{decorator} decorates a function, not {type(func).__name__}")
        if not path.startswith("/"):
            raise HandlerDefinitionError(f"{decorator} {describe(func)}: path {path!r} must start with '/'")
        if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
            raise HandlerDefinitionError(f"{decorator} {describe(func)}: timeout={timeout!r} must be a number of "
                                         "seconds above 0 (leave it out for the service's REQUEST_TIMEOUT)")
        existing = self._handlers.get((path, request_type))
        if existing is not None:
            raise HandlerDefinitionError(
                f"{decorator} {describe(func)}: {request_type} requests on {path} are already handled by "
                f"{describe(existing.func)} (in {existing.func.__module__}); give one of them another path, "
                f"e.g. {decorator}(\"{path.rstrip('/')}/{func.__name__}\")"
            )
        options = batch_options(max_batch_size, max_batch_wait, batch_by, f"{decorator} {describe(func)}")
        resources = self.resources.providers()
        hints = element_hints(func, options, resources, decorator) if options is not None else None
        returned = resolved_hints(func, decorator).get("return")
        if options is not None and typing.get_origin(returned) in (list, Sequence, typing.Sequence):
            (returned,) = typing.get_args(returned) or (None,)  # list[X]: each entry is an X
        declared = declared_return(returned, f"{decorator} {describe(func)}")
        variables = tuple(variable.name for variable in url_variables(path))
        handler = Handler(
            func=func,
            kind=request_type,
            path=path,
            arguments=plan_arguments(func, request_kind, variables, decorator, resources, hints),
            response_kind=declared.response_kind,
            streams=options is None and (_is_generator_function(func) or declared.streams is not False),
            is_async=_is_coroutine_function(func),
            name=callable_name(func),
            timeout=timeout,
            batch=options,
        )
        if options is not None:
            batcher = batching.Batcher(handler.name, path, handler.call_batch, handler.settle_entry,
                                       options.max_batch_size, options.max_batch_wait)
            object.__setattr__(handler, "batcher", batcher)
            batching.declare(handler.name)
        self._handlers[(path, request_type)] = handler
        return handler

    def _learn(self, kind: RequestKind, func: Callable[..., Any]) -> RequestKind:
        """``kind``, added to the table if the table lacks it; a different kind of the same type is an error."""
        known = self.kinds.get(kind.type)
        if known is None:
            self.kinds = self.kinds.with_kind(kind)
        elif known != kind:
            raise HandlerDefinitionError(
                f"@{kind.decorator} {describe(func)}: {self!r} already describes {kind.type!r} requests by another "
                f"RequestKind (that of @{known.decorator}); make one RequestKind for {kind.type!r} and use it for both"
            )
        return kind

    def remove(self, func: Callable[..., Any]) -> None:
        """Unregister every handler of ``func``."""
        for key in [key for key, handler in self._handlers.items() if handler.func is func]:
            del self._handlers[key]

    def clear(self) -> None:
        """Unregister every handler."""
        self._handlers.clear()

    def lookup(self, path: str | None, kind: str) -> Handler | None:
        """The handler for ``kind`` on ``path``; with no path, the only handler of that kind, if unique."""
        if path is not None:
            return self._handlers.get((path, kind))
        candidates = [handler for (_, handler_kind), handler in self._handlers.items() if handler_kind == kind]
        return candidates[0] if len(candidates) == 1 else None

    @property
    def handlers(self) -> list[Handler]:
        """Every handler, in registration order."""
        return list(self._handlers.values())

    def endpoints(self) -> dict[str, list[str]]:
        """Each path and the request types it takes, in registration order."""
        return {endpoint.path: list(endpoint.request_types) for endpoint in self.describe_endpoints()}

    def describe_endpoints(self) -> tuple[Endpoint, ...]:
        """Each path, in registration order, with what its handlers take and answer."""
        handlers: dict[str, list[EndpointHandler]] = {}
        for handler in self._handlers.values():
            handlers.setdefault(handler.path, []).append(EndpointHandler(
                self.kinds[handler.kind], handler.name, handler.response_kind,
                client_parameters(handler.arguments), handler.streams,
            ))
        return tuple(Endpoint(path, tuple(described)) for path, described in handlers.items())

    def __len__(self) -> int:
        return len(self._handlers)

    def __repr__(self) -> str:
        return f"<Registry {self.name!r}: {len(self)} handlers>"


#: The registry the decorators use unless given another.
default_registry = Registry()

_collecting: list[Registry] = []


def current_registry() -> Registry:
    """The registry decorators without ``registry=`` add to: the default, or one being loaded into."""
    return _collecting[-1] if _collecting else default_registry


@contextmanager
def collecting_into(registry: Registry) -> Iterator[Registry]:
    """Within this block, decorators without ``registry=`` add to ``registry``.

    Loading a script this way gives each load its own registry, so loading
    the same script twice (a reload, a test) does not clash with itself.
    """
    _collecting.append(registry)
    try:
        yield registry
    finally:
        _collecting.remove(registry)

