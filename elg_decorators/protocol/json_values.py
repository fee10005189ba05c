"""Values a JSON body may spell but JSON cannot carry, found with where they occur.

``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259 §6), yet Python's and
pydantic-core's parsers accept them; a lone UTF-16 surrogate (``"\\ud800"``) is not text, yet
Python's parser accepts it. Let through, either comes back as ``null`` in a field the schema
requires, or fails the response's encoding. Each is refused with a 400 naming its location.
"""
from __future__ import annotations

import math
import re
from typing import Any
from collections.abc import Iterable, Iterator

from pydantic_core import from_json

#: How many offending values a failure lists at most.
MAX_REPORTED = 5
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = "a lone surrogate is not Unicode text"
_SURROGATE_ESCAPES = (b"\\ud", b"\\uD")


def spells_not_finite(body: bytes) -> bool:
    """True unless ``body`` parses as JSON without NaN/Infinity literals.

    Called only when the bytes spell ``NaN`` or ``Infinity``: the words may
    just as well be inside a string. A body that does not parse at all also answers True,
    so that the caller looks closer.
    """
    try:
        from_json(body, allow_inf_nan=False)
    except ValueError:
        return True
    return False


def may_hold_lone_surrogate(body: bytes) -> bool:
    """False when JSON parsed from ``body`` cannot hold a lone surrogate (a cheap scan of the bytes).

    In UTF-8 a surrogate is invalid and refused by the parser; it can only come
    from a ``\\uD800``-style escape. Bodies in UTF-16 or UTF-32 are not scanned.
    """
    if b"\x00" in body[:4] or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return any(escape in body for escape in _SURROGATE_ESCAPES)


def unrepresentable(value: Any) -> list[dict[str, str]]:
    """Where a parsed JSON value holds a non-finite number or a lone surrogate (the first few).

    Each problem is ``{"location", "message", "type"}``, as validation errors
    are reported; the location is the path of keys and indexes, dot-separated.
    Walked in document order without recursion, in memory proportional to the depth.
    """
    found: list[dict[str, str]] = []
    path: list[Any] = []  # the key of each container entered; path[i] belongs to members[i + 1]
    members: list[Iterator[tuple[Any, Any]]] = [iter([(None, value)])]
    while members and len(found) < MAX_REPORTED:
        member = next(members[-1], None)
        if member is None:
            members.pop()
            if path:
                path.pop()
            continue
        key, item = member
        if isinstance(key, str) and _has_surrogate(key):
            found.append(_problem([*path, key], _SURROGATE_MESSAGE, "json_lone_surrogate"))
        if isinstance(item, float):
            if not math.isfinite(item):
                found.append(_problem([*path, key], "NaN and Infinity are not JSON numbers", "json_not_finite"))
        elif isinstance(item, str):
            if _has_surrogate(item):
                found.append(_problem([*path, key], _SURROGATE_MESSAGE, "json_lone_surrogate"))
        elif isinstance(item, dict):
            path.append(key)
            members.append(iter(item.items()))
        elif isinstance(item, list):
            path.append(key)
            members.append(enumerate(item))
    return found[:MAX_REPORTED]


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _problem(path: Iterable[Any], message: str, kind: str) -> dict[str, str]:
    location = ".".join(_printable(str(part)) for part in path if part is not None)
    return {"location": location, "message": message, "type": kind}


def _printable(part: str) -> str:
    """A key as it can travel in the UTF-8 failure: lone surrogates escaped."""
    return part.encode("utf-8", "backslashreplace").decode("utf-8") if _has_surrogate(part) else part
