"""``@text_service`` and its siblings: register a plain function as an ELG handler."""
from __future__ import annotations

from typing import Any, TypeVar, overload
from collections.abc import Callable, Sequence

from ..kinds import REQUEST_KINDS, RequestKind
from ..settings import DEFAULT_PATH
from .registry import Registry, current_registry

F = TypeVar("F", bound=Callable[..., Any])


class ServiceDecorator:
    """A decorator that registers functions for one request kind (see :func:`service_decorator`)."""

    def __init__(self, kind: RequestKind) -> None:
        self.kind = kind
        self.__name__ = self.__qualname__ = kind.decorator
        self.__doc__ = _DOC.format(
            type=kind.type,
            name=kind.decorator,
            model=kind.model.__name__,
            fields=", ".join(f"``{field}``" for field in kind.fields),
            content=kind.content_field,
        )

    @overload
    def __call__(self, func: F, /) -> F: ...

    @overload
    def __call__(
        self,
        path_: str | None = None,
        /,
        *,
        path: str | None = None,
        registry: Registry | None = None,
        timeout: float | None = None,
        max_batch_size: int | None = None,
        max_batch_wait: float | None = None,
        batch_by: str | Sequence[str] | None = None,
    ) -> Callable[[F], F]: ...

    def __call__(
        self,
        func_or_path: Any = None,
        /,
        *,
        path: str | None = None,
        registry: Registry | None = None,
        timeout: float | None = None,
        max_batch_size: int | None = None,
        max_batch_wait: float | None = None,
        batch_by: str | Sequence[str] | None = None,
    ) -> Any:
        target = registry if registry is not None else current_registry()
        if callable(func_or_path):
            target.add(self.kind, func_or_path, path=path or DEFAULT_PATH)
            return func_or_path
        if func_or_path is not None and path is not None:
            raise TypeError(f"{self.__name__}: give the path once, either positionally or as path=")
        chosen_path = func_or_path or path or DEFAULT_PATH

        def register(func: F) -> F:
            target.add(self.kind, func, path=chosen_path, timeout=timeout, max_batch_size=max_batch_size,
                       max_batch_wait=max_batch_wait, batch_by=batch_by)
            return func

        return register

    def __repr__(self) -> str:
        return f"<decorator {self.__name__}>"


_DOC = """Register the decorated function as the handler of {type} requests on a path.

The function is returned unchanged, so it can still be called directly.
Its parameters are filled by name: ``request`` (the {model}), {fields},
``params``, each URL variable of the path, and any other name from the
request's ``params``, converted to its annotation.

.. code-block:: python

    @{name}("/process")
    def handle({content}):
        ...

:param path: the URL path (Flask syntax, ``/ner/<lang>``); default ``/process``.
:param registry: the registry to add to; default the one :func:`serve` serves.
:param timeout: seconds a request may take before it is answered with a deadline
    failure; default the service's ``REQUEST_TIMEOUT``.
:param max_batch_size: make it a batched handler taking up to this many requests at
    once: each argument from a request gets a list (one value per request, in order)
    and it returns a list with one entry per request (an exception entry fails that
    request alone). See "Batched handlers" in the handlers guide.
:param max_batch_wait: seconds a request may wait for its batch at most; default
    adaptive (a batch fires as soon as waiting longer would cost more than it gains).
:param batch_by: arguments whose values are equal within a batch, passed as one value.
"""


def service_decorator(kind: RequestKind) -> ServiceDecorator:
    """The decorator registering handlers for ``kind`` (``@text_service`` for ``text``, and so on)."""
    return ServiceDecorator(kind)


text_service = service_decorator(REQUEST_KINDS["text"])
structured_text_service = service_decorator(REQUEST_KINDS["structuredText"])
audio_service = service_decorator(REQUEST_KINDS["audio"])
image_service = service_decorator(REQUEST_KINDS["image"])
