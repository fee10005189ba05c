"""The registry of handlers: one per (path, request type)."""
from __future__ import annotations

import inspect
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterator, Mapping

from ..errors import HandlerDefinitionError
from ..kinds import REQUEST_KINDS, RequestKinds
from ..model.request import Request
from ..protocol import event_loop
from ..runtime.service_app import note_handler
from ..runtime.resources import ResourceSet
from ..settings import DEFAULT_PATH
from .binding import Argument, bind_arguments, callable_name, describe, plan_arguments, resolved_hints
from .returns import MESSAGE_TYPES, coerce, response_type_of

_URL_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([A-Za-z_][A-Za-z0-9_]*)>")


def url_variables(path: str) -> tuple[str, ...]:
    """The names of the Flask URL variables in ``path`` (``/t/<src>/<int:n>`` -> src, n)."""
    return tuple(_URL_VARIABLE.findall(path))


@dataclass(frozen=True)
class Handler:
    """A registered function and everything needed to call it, worked out once."""

    func: Callable[..., Any]
    kind: str
    path: str
    arguments: tuple[Argument, ...]
    response_type: type | None
    #: True when calling the function gives a coroutine to run (``async def``).
    is_async: bool
    #: The function's qualified name, for logs and messages.
    name: str
    #: Seconds a request to this handler may take (``timeout=``); None: the service's default.
    timeout: float | None = None

    def __call__(self, request: Request, url_values: Mapping[str, Any]) -> Any:
        """Call the function for ``request`` and return its result as an ELG message or stream."""
        note_handler(self.name, self.timeout)
        result = self.func(**bind_arguments(self.arguments, request, url_values))
        if self.is_async:
            result = event_loop.run(result)  # on the process's loop, with the async resources
        if isinstance(result, MESSAGE_TYPES):  # coerce()'s first case, tested here: the usual return
            return result
        return coerce(result, self.response_type, self.name)


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
        self, kind: str, func: Callable[..., Any], *, path: str = DEFAULT_PATH, timeout: float | None = None
    ) -> Handler:
        """Register ``func`` for requests of type ``kind`` on ``path`` (the decorators' imperative twin).

        ``timeout``: seconds a request to it may take before it is answered with a deadline failure.
        """
        request_kind = self.kinds.get(kind)
        if request_kind is None:
            raise ValueError(f"unknown request type {kind!r}; use one of {', '.join(self.kinds.types)}")
        decorator = f"@{request_kind.decorator}"
        if not callable(func):
            raise HandlerDefinitionError(f"{decorator} decorates a function, not {type(func).__name__}")
        if not path.startswith("/"):
            raise HandlerDefinitionError(f"{decorator} {describe(func)}: path {path!r} must start with '/'")
        if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
            raise HandlerDefinitionError(f"{decorator} {describe(func)}: timeout={timeout!r} must be a number of "
                                         "seconds above 0 (leave it out for the service's REQUEST_TIMEOUT)")
        existing = self._handlers.get((path, kind))
        if existing is not None:
            raise HandlerDefinitionError(
                f"{decorator} {describe(func)}: {kind} requests on {path} are already handled by "
                f"{describe(existing.func)} (in {existing.func.__module__}); give one of them another path, "
                f"e.g. {decorator}(\"{path.rstrip('/')}/{func.__name__}\")"
            )
        where = f"{decorator} {describe(func)}"
        handler = Handler(
            func=func,
            kind=kind,
            path=path,
            arguments=plan_arguments(func, request_kind, url_variables(path), decorator, self.resources.providers()),
            response_type=response_type_of(resolved_hints(func, decorator).get("return"), where),
            is_async=_is_coroutine_function(func),
            name=callable_name(func),
            timeout=timeout,
        )
        self._handlers[(path, kind)] = handler
        return handler

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
        served: dict[str, list[str]] = {}
        for path, kind in self._handlers:
            served.setdefault(path, []).append(kind)
        return served

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

