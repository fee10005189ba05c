"""Reading one HTTP/1.1 request from bytes as they arrive, without blocking and without a thread.

Both worker classes read requests with a :class:`RequestReader`: the service worker's event
loop feeds it whatever a non-blocking ``recv`` returned, the sync worker what a blocking one
did; the reader says when the request (head and whole body) is complete, so both accept and
refuse exactly the same requests. The head is parsed by gunicorn's own parser once it is
complete (a line ending in a bare LF is refused as soon as it arrives, rather than waited
on). Bodies are collected here: a ``Content-Length`` body as it arrives, a chunked one
decoded as it comes, under gunicorn's rules for chunk sizes, extensions and trailers (and a
little stricter: a bare LF is refused at once, and no transfer coding but ``chunked``).

A body larger than :data:`SPOOL_THRESHOLD` is written to an unnamed temporary file as it
arrives, so that a connection costs at most that much memory while its body arrives, and
``request.body`` reads it back from the start; smaller bodies stay in memory.
"""
from __future__ import annotations

import re
import tempfile
from typing import IO, Any
from collections.abc import Callable, Iterator

from gunicorn.http.errors import (
    InvalidHeader,
    InvalidRequestLine,
    LimitRequestHeaders,
    LimitRequestLine,
    UnsupportedTransferCoding,
)
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from .answers import ServerAnswerError, bad_chunk, body_not_stored, too_large, unknown_method

#: The methods HTTP defines; any other is answered 501 without reaching the application.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
#: Largest single read while a body of known length arrives.
MAX_BODY_READ = 1024 * 1024
#: Bodies up to this many bytes are held in memory; larger ones go to an unnamed temporary file as
#: they arrive (a chunked body once its decoded size passes it).
SPOOL_THRESHOLD = 1024 * 1024

#: An LF that does not end a CRLF: every line of a head, of a chunk size and of a trailer ends with CRLF.
_BARE_LF = re.compile(rb"(?<!\r)\n")
_HEX_DIGITS = re.compile(rb"[0-9A-Fa-f]+")
# RFC 9112 section 7.1.1, from the first ";" on: *( BWS ";" BWS name [ BWS "=" BWS value ] ), where a
# name is a token and a value a token or a quoted-string (RFC 9110 section 5.6.2 and 5.6.4).
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_CHUNK_EXTENSIONS = re.compile(
    rb"(?:[ \t]*;[ \t]*%s(?:[ \t]*=[ \t]*(?:%s|%s))?)*" % (_TOKEN, _TOKEN, _QUOTED)
)


class Body:
    """A request body held in memory, read as the WSGI ``wsgi.input`` stream."""

    def __init__(self, data: Any) -> None:
        self._data = memoryview(data)
        self._position = 0

    def __len__(self) -> int:
        return len(self._data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if ``size`` is None or negative)."""
        start = self._position
        end = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        self._position = end
        return self._data[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        """The next line, with its LF (at most ``size`` bytes of it)."""
        start = self._position
        limit = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        newline = bytes(self._data[start:limit]).find(b"\n")
        return self.read(newline + 1 if newline >= 0 else limit - start)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The remaining lines."""
        return list(iter(self.readline, b""))

    def __iter__(self) -> Body:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        """Nothing to release: the memory goes with the object."""


class FileBody:
    """A request body in an unnamed temporary file, read from its start as the WSGI ``wsgi.input`` stream.

    The file is closed (and its space on disk freed) as soon as the body has been read to its end.
    """

    def __init__(self, file: IO[bytes], size: int) -> None:
        file.seek(0)
        self._file = file
        self._size = size
        self._left = size

    def __len__(self) -> int:
        return self._size

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if ``size`` is None or negative)."""
        if size is None or size < 0 or size > self._left:
            # Never ask for more than is left: a buffered read allocates what it is asked for first.
            size = self._left
        return self._took(self._file.read(size) if size else b"")

    def readline(self, size: int | None = -1) -> bytes:
        """The next line, with its LF (at most ``size`` bytes of it)."""
        if not self._left:
            return b""
        return self._took(self._file.readline(-1 if size is None else size))

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The remaining lines (about ``hint`` bytes of them, if given)."""
        if not self._left:
            return []
        lines = self._file.readlines(-1 if hint is None else hint)
        self._took(b"", sum(len(line) for line in lines))
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    @property
    def closed(self) -> bool:
        """Whether the file is closed (the body was read to its end, or closed)."""
        return self._file.closed

    def close(self) -> None:
        """Close the file; what was not read is gone."""
        self._left = 0
        self._file.close()

    def _took(self, data: bytes, size: int | None = None) -> bytes:
        self._left -= len(data) if size is None else size
        if self._left <= 0:
            self.close()
        return data


class _Spool:
    """Where a body's bytes go as they arrive: memory up to :data:`SPOOL_THRESHOLD`, then a temporary file."""

    def __init__(self, expected: int = 0) -> None:
        #: Bytes written so far.
        self.size = 0
        self.memory = bytearray()
        self.file: IO[bytes] | None = None
        # A body announced larger than the threshold goes to the file from its first byte (made only
        # once a byte arrives: a client announcing 60 MB costs nothing until it sends them).
        self._to_file = expected > SPOOL_THRESHOLD

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        if self.file is None and not self._to_file and self.size <= SPOOL_THRESHOLD:
            self.memory += data
            return
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile()
                if self.memory:
                    self.file.write(self.memory)
                    self.memory = bytearray()
            self.file.write(data)
        except OSError as error:  # the server's trouble (a full disk), not the client's
            raise ServerAnswerError(body_not_stored(error)) from None

    def body(self) -> Body | FileBody:
        """The whole body, readable from its start."""
        if self.file is not None:
            return FileBody(self.file, self.size)
        return Body(self.memory)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _ChunkedDecoder:
    """Decodes a chunked body into a :class:`_Spool` as it arrives; raises for anything that is not chunked coding.

    ``line_limit`` bounds a chunk-size line (size, extensions and CRLF) and each trailer line,
    ``trailer_limit`` the trailer section; ``trailers`` checks the trailer section (gunicorn's
    header rules) once it is complete.
    """

    def __init__(self, sink: _Spool, limit: int | None, line_limit: int, trailer_limit: int,
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


class RequestReader:
    """Collects one request off a connection; :attr:`request` is gunicorn's parsed request when complete.

    Feed it the bytes received (:meth:`feed`) until :attr:`complete`; ask it how many to
    receive next (:meth:`wanted`). Its :attr:`in_memory` says how many bytes of the request
    it holds in memory (a large body is in a temporary file instead); :meth:`close` releases
    the body (and its file) once the request is answered or dropped.
    """

    def __init__(self, cfg: Any, peer: Any, body_limit: int | None, number: int = 1) -> None:
        self.cfg = cfg
        self.peer = peer
        self.body_limit = body_limit
        self.number = number
        self.request: Request | None = None
        self.complete = False
        #: Bytes after the request's end (a pipelined next request).
        self.rest = b""
        #: The client waits for "100 Continue" before it sends the body.
        self.wants_continue = False
        self._head = bytearray()
        self._spool: _Spool | None = None
        #: Bytes of a Content-Length body still to come (None: no such body).
        self._remaining: int | None = None
        self._chunked: _ChunkedDecoder | None = None
        limit_line = cfg.limit_request_line if cfg.limit_request_line > 0 else 8190
        self._max_line = limit_line + 2
        self._max_head = cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + limit_line + 8

    @property
    def started(self) -> bool:
        """Whether any byte of the request arrived (False again once it is complete)."""
        return bool(self._head) or (self.request is not None and not self.complete)

    @property
    def in_memory(self) -> int:
        """Bytes of this request held in memory now: the head being read, an undecoded partial chunk line,
        the body if it is small enough to stay in memory, and bytes of a next request that came with it.

        A body over :data:`SPOOL_THRESHOLD` is in a temporary file and does not count, so this is at
        most about the head limits plus :data:`SPOOL_THRESHOLD` plus one read. It stays the same once
        the request is complete, until the reader is dropped.
        """
        held = len(self._head) + len(self.rest)
        if self._spool is not None:
            held += len(self._spool.memory)
        if self._chunked is not None:
            held += self._chunked.in_memory
        return held

    @property
    def body_size(self) -> int:
        """Bytes of the body received so far (decoded, for a chunked body)."""
        return self._spool.size if self._spool is not None else 0

    @property
    def spooled(self) -> bool:
        """Whether the body went to a temporary file (it is over :data:`SPOOL_THRESHOLD`)."""
        return self._spool is not None and self._spool.file is not None

    def wanted(self, default: int) -> int:
        """How many bytes to ask the socket for: ``default``, more for the rest of a large body."""
        to_come = self._remaining if self._remaining is not None else 0
        if self._chunked is not None:
            to_come = self._chunked.data_to_come
        if to_come > default:
            return min(to_come, MAX_BODY_READ)
        return default

    def feed(self, data: bytes) -> None:
        """Take bytes received; raise :class:`ServerAnswerError` or a gunicorn parse error for a bad request."""
        if self.request is None:
            self._feed_head(data)
        elif self._chunked is not None:
            self.rest = self._chunked.feed(data)
            if self._chunked.done:
                self._finish()
        else:
            assert self._spool is not None
            remaining = self._remaining or 0
            if len(data) > remaining:
                self._spool.write(memoryview(data)[:remaining])
                self.rest = data[remaining:]
            else:
                self._spool.write(data)
            self._remaining = max(0, remaining - len(data))
            if not self._remaining:
                self._finish()

    def close(self) -> None:
        """Release the body: close its temporary file, if it has one (also for a request never completed)."""
        if self._spool is not None:
            self._spool.close()

    def _feed_head(self, data: bytes) -> None:
        received = len(self._head)
        self._head += data
        end = self._head.find(b"\r\n\r\n", max(0, received - 3))
        self._refuse_bare_lf(received, len(self._head) if end < 0 else end + 4)
        if end < 0:
            if self._head.find(b"\r\n", 0, self._max_line) < 0 and len(self._head) > self._max_line:
                raise LimitRequestLine(len(self._head), self._max_line - 2)
            if len(self._head) > self._max_head:
                raise LimitRequestHeaders("max buffer headers")
            return
        head, after = bytes(self._head[:end + 4]), bytes(self._head[end + 4:])
        self._head = bytearray()
        request = Request(self.cfg, IterUnreader([head]), self.peer, self.number)
        self.request = request  # also for refusals: they name its method and path and echo its request id
        if request.method not in KNOWN_METHODS:
            raise ServerAnswerError(unknown_method(request.method))
        self.wants_continue = request._expected_100_continue
        request._expected_100_continue = False  # answered by the worker, not when the environ is made
        codings = [value for name, value in request.headers if name == "TRANSFER-ENCODING"]
        if codings:
            # gunicorn refused every Transfer-Encoding that does not end with one chunked; of the codings
            # it lets through before it (gzip, ...) none is decoded here, so a body would reach the
            # application still encoded: refused too.
            if [coding.strip(" \t").lower() for coding in ",".join(codings).split(",")] != ["chunked"]:
                raise UnsupportedTransferCoding(", ".join(codings))
            self._spool = _Spool()
            self._chunked = _ChunkedDecoder(
                self._spool, self.body_limit, request.limit_request_field_size, request.max_buffer_headers,
                lambda section: setattr(request, "trailers", request.parse_headers(section, from_trailer=True)),
            )
            self.rest = self._chunked.feed(after)
            if self._chunked.done:
                self._finish()
            return
        length = int(next((value for name, value in request.headers if name == "CONTENT-LENGTH"), "0"))
        if self.body_limit is not None and length > self.body_limit:
            raise ServerAnswerError(too_large(self.body_limit))
        self._spool = _Spool(length)
        self._remaining = length
        if not length:
            self.rest = after
            self._finish()
        elif after:
            self.feed(after)

    def _refuse_bare_lf(self, start: int, end: int) -> None:
        """Raise for an LF not preceded by CR between ``start`` and ``end`` of the head (it would never end)."""
        head = self._head
        if head.count(b"\n", start, end) == head.count(b"\r\n", max(0, start - 1), end):
            return  # every LF ends a CRLF: two counts in C, rather than a search with a look-behind
        bare = _BARE_LF.search(head, start, end)
        if bare is None:
            return
        if self._head.find(b"\r\n", 0, bare.start()) < 0:
            raise InvalidRequestLine("bare LF as line terminator")
        raise InvalidHeader("bare LF as line terminator")

    def _finish(self) -> None:
        assert self.request is not None and self._spool is not None
        if self._chunked is not None:
            # The application sees a body of known length, as if it had come with Content-Length.
            headers = [(name, value) for name, value in self.request.headers if name != "TRANSFER-ENCODING"]
            self.request.headers = headers + [("CONTENT-LENGTH", str(self._spool.size))]
        self.request.body = self._spool.body()
        self.wants_continue = False
        self.complete = True
