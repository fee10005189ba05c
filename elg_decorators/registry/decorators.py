"""``@text_service`` and its siblings: register a plain function as an ELG handler."""
from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar, Union, overload

from .registry import DEFAULT_PATH, Registry, current_registry

F = TypeVar("F", bound=Callable[..., Any])


class _ServiceDecorator:
    """A decorator that registers functions for one request type."""

    def __init__(self, kind: str, name: str, doc: str) -> None:
        self.kind = kind
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc

    @overload
    def __call__(self, func: F, /) -> F: ...

    @overload
    def __call__(
        self, path: Optional[str] = None, /, *, registry: Optional[Registry] = None, timeout: Optional[float] = None
    ) -> Callable[[F], F]: ...

    @overload
    def __call__(
        self, *, path: Optional[str] = None, registry: Optional[Registry] = None, timeout: Optional[float] = None
    ) -> Callable[[F], F]: ...

    def __call__(
        self,
        func_or_path: Union[F, str, None] = None,
        /,
        *,
        path: Optional[str] = None,
        registry: Optional[Registry] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        target = registry if registry is not None else current_registry()
        if callable(func_or_path):
            target.add(self.kind, func_or_path, path=path or DEFAULT_PATH)
            return func_or_path
        if func_or_path is not None and path is not None:
            raise TypeError(f"{self.__name__}: give the path once, either positionally or as path=")
        chosen_path = func_or_path or path or DEFAULT_PATH

        def register(func: F) -> F:
            target.add(self.kind, func, path=chosen_path, timeout=timeout)
            return func

        return register

    def __repr__(self) -> str:
        return f"<decorator {self.__name__}>"


_DOC = """Register the decorated function as the handler of {what} on a path.

The function is returned unchanged, so it can still be called directly.
Its parameters are filled by name: ``request`` (the {model}), {fields},
``params``, each URL variable of the path, and any other name from the
request's ``params``, converted to its annotation.

.. code-block:: python

    @{name}("/process")
    def handle({example}):
        ...

:param path: the URL path (Flask syntax, ``/ner/<lang>``); default ``/process``.
:param registry: the registry to add to; default the one :func:`serve` serves.
:param timeout: seconds a request may take before it is answered with a deadline
    failure; default the service's ``REQUEST_TIMEOUT``.
"""

text_service = _ServiceDecorator(
    "text", "text_service",
    _DOC.format(what="text requests", model="TextRequest", name="text_service",
                fields="``content``, ``mime_type``, ``features``, ``annotations``", example="content: str"),
)
structured_text_service = _ServiceDecorator(
    "structuredText", "structured_text_service",
    _DOC.format(what="structuredText requests", model="StructuredTextRequest", name="structured_text_service",
                fields="``texts``", example="texts: list"),
)
audio_service = _ServiceDecorator(
    "audio", "audio_service",
    _DOC.format(what="audio requests", model="AudioRequest", name="audio_service",
                fields="``content`` (bytes), ``format``, ``sample_rate``, ``features``, ``annotations``",
                example="content: bytes, format: str"),
)
image_service = _ServiceDecorator(
    "image", "image_service",
    _DOC.format(what="image requests", model="ImageRequest", name="image_service",
                fields="``content`` (bytes), ``format``, ``features``", example="content: bytes, format: str"),
)
