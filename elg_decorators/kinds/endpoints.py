"""The description of a service's endpoints, and the syntax of URL variables in a path.

A service describes each POST path it serves as an :class:`Endpoint`: its URL
variables, and per request kind the handler that answers it (its own
parameters, with their types and defaults, the response it declares, whether
it streams). The registry of decorated handlers and a classic
:class:`~elg_decorators.FlaskService` each build the description from what
they know (``describe_endpoints()``); the OpenAPI document, ``deploy``, the
health answer and the test client read it.
"""
from __future__ import annotations

import enum
import inspect
import re
import uuid
from dataclasses import dataclass
from typing import Any, Final
from collections.abc import Callable

from .requests import RequestKind
from .responses import ResponseKind

# Flask's rule syntax: <name> or <converter:name>; a converter may take arguments, <any(a, b):name>.
_URL_VARIABLE = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)>")
_CONVERTER_TYPES: dict[str, type] = {"int": int, "float": float, "uuid": uuid.UUID}

#: The ``default`` of a :class:`Parameter` that has none: the client must give it.
NO_DEFAULT: Final = inspect.Parameter.empty


@dataclass(frozen=True)
class UrlVariable:
    """A variable of a path, ``<int:n>``: its name and the Flask converter that matches it."""

    name: str
    #: The converter as written, with its arguments (``int``, ``path``, ``any(a, b)``); ``default`` when none is.
    converter: str = "default"

    @property
    def python_type(self) -> type:
        """The type the converter gives the handler: ``int``, ``float``, ``uuid.UUID``, else ``str``."""
        return _CONVERTER_TYPES.get(self.converter.partition("(")[0].strip(), str)


def _split_path(path: str) -> tuple[str | UrlVariable, ...]:
    """``path`` as its literal pieces and its variables, in order: ``/t/<src>`` -> ``"/t/", UrlVariable("src")``."""
    parts: list[str | UrlVariable] = []
    position = 0
    for match in _URL_VARIABLE.finditer(path):
        if match.start() > position:
            parts.append(path[position:match.start()])
        parts.append(UrlVariable(match.group("name"), (match.group("converter") or "default").strip()))
        position = match.end()
    if position < len(path):
        parts.append(path[position:])
    return tuple(parts)


def url_variables(path: str) -> tuple[UrlVariable, ...]:
    """The URL variables of ``path``, in order (``/t/<src>/<int:n>`` -> ``src``, ``n``)."""
    return tuple(part for part in _split_path(path) if isinstance(part, UrlVariable))


def fill_path(path: str, fill: Callable[[UrlVariable], str], literal: Callable[[str], str] = str) -> str:
    """``path`` with each variable replaced by ``fill(variable)`` and each literal piece by ``literal(piece)``."""
    return "".join(fill(part) if isinstance(part, UrlVariable) else literal(part) for part in _split_path(path))


class ParameterSource(enum.Enum):
    """Where the client puts the value of a handler's parameter."""

    #: An entry of the request's ``params``, by the parameter's name.
    PARAMS = "params"
    #: A variable of the URL path.
    URL = "url"
    #: A field of the request itself (``content``, ``format``…).
    REQUEST_FIELD = "request field"


@dataclass(frozen=True)
class Parameter:
    """A parameter of a handler whose value the client gives."""

    name: str
    source: ParameterSource
    #: The handler's annotation of it; ``Any`` when it has none.
    annotation: Any = Any
    #: Its default; :data:`NO_DEFAULT` when it has none.
    default: Any = NO_DEFAULT

    @property
    def required(self) -> bool:
        """Whether a request must give it (it has no default)."""
        return self.default is NO_DEFAULT


@dataclass(frozen=True)
class EndpointHandler:
    """The code that answers one request kind on a path, as a client sees it."""

    request_kind: RequestKind
    #: The handler's qualified name (``ner``, ``MyService.process_text``).
    name: str
    #: The response its return annotation declares; None when it declares none.
    response_kind: ResponseKind | None = None
    #: Its parameters that the request fills, in the order of its signature.
    parameters: tuple[Parameter, ...] = ()
    #: Whether it may answer with a stream (progress messages, then the result): a generator, or a return
    #: annotation naming an iterator. Only a return annotation naming single messages says it does not.
    streams: bool = True

    def parameters_from(self, source: ParameterSource) -> tuple[Parameter, ...]:
        """Its parameters that come from ``source``."""
        return tuple(parameter for parameter in self.parameters if parameter.source is source)


@dataclass(frozen=True)
class Endpoint:
    """One POST path of a service and the handler of each request kind it takes."""

    path: str
    handlers: tuple[EndpointHandler, ...]

    @property
    def url_variables(self) -> tuple[UrlVariable, ...]:
        """The variables of its path."""
        return url_variables(self.path)

    @property
    def request_kinds(self) -> tuple[RequestKind, ...]:
        """The kinds of request it takes, in the order of its handlers."""
        return tuple(handler.request_kind for handler in self.handlers)

    @property
    def request_types(self) -> tuple[str, ...]:
        """The ``type`` of each kind of request it takes."""
        return tuple(kind.type for kind in self.request_kinds)

    @property
    def response_kinds(self) -> tuple[ResponseKind, ...]:
        """The responses its handlers declare, each once; empty when none declares one."""
        declared: dict[str, ResponseKind] = {}
        for handler in self.handlers:
            if handler.response_kind is not None:
                declared.setdefault(handler.response_kind.type, handler.response_kind)
        return tuple(declared.values())

    @property
    def declares_every_response(self) -> bool:
        """Whether every handler declares its response (else any response may come back)."""
        return all(handler.response_kind is not None for handler in self.handlers)

    @property
    def streams(self) -> bool:
        """Whether some handler may answer with a stream."""
        return any(handler.streams for handler in self.handlers)

    def handler(self, request_type: str) -> EndpointHandler | None:
        """The handler of ``request_type`` requests, if it takes them."""
        return next((handler for handler in self.handlers if handler.request_kind.type == request_type), None)
