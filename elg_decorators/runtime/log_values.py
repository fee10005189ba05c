"""Values a client sent, made safe to write into a log line.

A request path (or method, header…) may carry control characters once percent-decoded: ``%0D%0A``
starts a line of the client's choosing in a text log, ``%1b[…`` sends escape codes to whoever reads
the log in a terminal. :func:`printable` escapes them visibly, as Python writes them in a string
literal (``\\r``, ``\\n``, ``\\x1b``, ``\\u2028``): the C0 controls, DEL, the C1 controls, the line
and paragraph separators U+2028 and U+2029 (line breaks for some readers), and the bidirectional
embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), which reorder how the rest
of a line is displayed.
"""
from __future__ import annotations

import re

#: The characters :func:`printable` escapes.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(value: str) -> str:
    """``value`` with its control characters escaped (``value`` itself when it has none, the usual case)."""
    # str.isprintable is False for every character escaped here, and about twice as fast as the search.
    if value.isprintable() or UNPRINTABLE.search(value) is None:
        return value
    return UNPRINTABLE.sub(_escape, value)


def _escape(found: re.Match[str]) -> str:
    character = found.group()
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
