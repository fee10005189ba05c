"""The syntax of URL variables in a service's paths (Flask's), defined once.

The registry binds handler arguments from them, the OpenAPI document types
them, and ``deploy`` fills them with the values ELG calls.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Callable

# Flask's rule syntax: <name> or <converter:name>; a converter may take arguments, <any(a, b):name>.
_URL_VARIABLE = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)>")
_CONVERTER_TYPES: dict[str, type] = {"int": int, "float": float, "uuid": uuid.UUID}


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
