"""Decoding a chunked request body as it arrives, under gunicorn's rules for chunk sizes, extensions and
trailers (and a little stricter: a bare LF is refused at once)."""
from __future__ import annotations

import re
from collections.abc import Callable

from gunicorn.http.errors import LimitRequestHeaders

from .answers import ServerAnswerError, bad_chunk, too_large
from .bodies import Spool

_HEX_DIGITS = re.compile(rb"[0-9A-Fa-f]+")
# RFC 9112 section 7.1.1, from the first ";" on: *( BWS ";" BWS name [ BWS "=" BWS value ] ), where a
# name is a token and a value a token or a quoted-string (RFC 9110 section 5.6.2 and 5.6.4).
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_CHUNK_EXTENSIONS = re.compile(
    rb"(?:[ \t]*;[ \t]*%s(?:[ \t]*=[ \t]*(?:%s|%s))?)*" % (_TOKEN, _TOKEN, _QUOTED)
)


class ChunkedDecoder:
    """Decodes a chunked body into a :class:`Spool` as it arrives; raises for anything that is not chunked coding.

    ``line_limit`` bounds a chunk-size line (size, extensions and CRLF) and each trailer line,
    ``trailer_limit`` the trailer section; ``trailers`` checks the trailer section (gunicorn's
    header rules) once it is complete.
    """

    def __init__(self, sink: Spool, limit: int | None, line_limit: int, trailer_limit: int,
                 trailers: Callable[[bytes], None]) -> None:
        self.sink = sink
        self.limit = limit
        self.done = False
        self._line_limit = line_limit
        self._trailer_limit = trailer_limit
        self._trailers = trailers
        self._trailer = bytearray()
        self._pending = bytearray()
        self._remaining = 0  # bytes of chunk data still to come, then its CRLF
        self._state = "size"

    @property
    def in_memory(self) -> int:
        """Bytes received and not yet decoded (a partial line), and of a trailer section being read."""
        return len(self._pending) + len(self._trailer)

    @property
    def data_to_come(self) -> int:
        """Bytes of the current chunk's data that are known to follow (0 between chunks)."""
        return self._remaining if self._state == "data" else 0

    def feed(self, data: bytes) -> bytes:
        """Take ``data``; return what follows the body's end (the next request), if it ended."""
        pending = self._pending
        pending += data
        position = 0
        while not self.done:
            if self._state in ("size", "trailer"):
                line = self._line(pending, position)
                if line is None:
                    break
                position += len(line) + 2
                if self._state == "size":
                    self._start_chunk(line)
                else:
                    self._trailer_line(line)
            elif self._state == "data":
                take = min(self._remaining, len(pending) - position)
                with memoryview(pending) as view, view[position:position + take] as part:
                    self.sink.write(part)
                position += take
                self._remaining -= take
                if self._remaining:
                    break
                self._state = "crlf"
            else:  # the CRLF after a chunk's data
                if len(pending) - position < 2:
                    break
                if pending[position:position + 2] != b"\r\n":
                    raise ServerAnswerError(bad_chunk("a chunk's data is not followed by CRLF"))
                position += 2
                self._state = "size"
        rest = bytes(pending[position:]) if self.done else b""
        del pending[:position]
        return rest

    def _line(self, pending: bytearray, position: int) -> bytes | None:
        """The line starting at ``position`` without its CRLF, or None until its CRLF arrives."""
        end = pending.find(b"\r\n", position)
        stop = len(pending) if end < 0 else end
        # Before the first CRLF, any LF is a bare one (its CR would have made that CRLF).
        if pending.find(b"\n", position, stop) >= 0:
            where = "a trailer line" if self._state == "trailer" else "a chunk-size line"
            raise ServerAnswerError(bad_chunk(f"{where} ends with a bare LF, not CRLF"))
        if stop - position > self._line_limit:  # however the line was cut into reads
            where = "a trailer line" if self._state == "trailer" else "a chunk-size line"
            raise ServerAnswerError(bad_chunk(f"{where} is longer than {self._line_limit} bytes"))
        return None if end < 0 else bytes(pending[position:end])

    def _start_chunk(self, line: bytes) -> None:
        size_text, semicolon, extensions = line.partition(b";")
        if semicolon:  # whitespace may precede extensions, and only them
            size_text = size_text.rstrip(b" \t")
        if not _HEX_DIGITS.fullmatch(size_text):
            raise ServerAnswerError(bad_chunk(f"invalid chunk size {size_text[:20].decode('latin-1')!r}"))
        if semicolon and not _CHUNK_EXTENSIONS.fullmatch(semicolon + extensions):
            raise ServerAnswerError(bad_chunk("invalid chunk extension"))
        size = int(size_text, 16)
        if self.limit is not None and self.sink.size + size > self.limit:
            raise ServerAnswerError(too_large(self.limit))
        if size == 0:
            self._state = "trailer"
        else:
            self._remaining = size
            self._state = "data"

    def _trailer_line(self, line: bytes) -> None:
        if line:
            self._trailer += line + b"\r\n"
            if len(self._trailer) > self._trailer_limit:
                raise LimitRequestHeaders("limit request trailer section size")
            return
        self.done = True
        if self._trailer:
            self._trailers(bytes(self._trailer[:-2]))
            self._trailer = bytearray()
