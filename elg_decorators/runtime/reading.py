"""Reading one HTTP/1.1 request from bytes as they arrive, without blocking and without a thread.

The worker's event loop feeds a :class:`RequestReader` whatever a non-blocking ``recv``
returned; the reader says when the request (head and whole body) is complete. The head
is parsed by gunicorn's own parser, so requests are judged exactly as gunicorn judges
them; bodies are collected here: a ``Content-Length`` body straight into a buffer of its
size, a chunked one decoded as it comes.
"""
from __future__ import annotations

from typing import Any, List, Optional

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from .answers import ServerAnswerError, bad_chunk, too_large, unknown_method

#: The methods HTTP defines; any other is answered 501 without reaching the application.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
#: Largest single read while a body of known length arrives.
MAX_BODY_READ = 1024 * 1024
#: Longest chunk-size line accepted (size, extensions and CRLF).
MAX_CHUNK_LINE = 1024
_HEX = frozenset(b"0123456789abcdefABCDEF")


class Body:
    """A request body held in memory, read as the WSGI ``wsgi.input`` stream."""

    def __init__(self, data: Any) -> None:
        self._data = memoryview(data)
        self._position = 0

    def __len__(self) -> int:
        return len(self._data)

    def read(self, size: Optional[int] = -1) -> bytes:
        start = self._position
        end = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        self._position = end
        return self._data[start:end].tobytes()

    def readline(self, size: Optional[int] = -1) -> bytes:
        start = self._position
        limit = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        newline = bytes(self._data[start:limit]).find(b"\n")
        return self.read((newline + 1 if newline >= 0 else limit - start))

    def readlines(self, hint: Optional[int] = -1) -> List[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> "Body":
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class _ChunkedDecoder:
    """Decodes a chunked body incrementally; raises for anything that is not chunked coding."""

    def __init__(self, limit: Optional[int]) -> None:
        self.decoded = bytearray()
        self.limit = limit
        self.done = False
        self._pending = bytearray()
        self._remaining = 0  # bytes of chunk data still to come, then its CRLF
        self._state = "size"

    def feed(self, data: bytes) -> bytes:
        """Take ``data``; return what follows the body's end (the next request), if it ended."""
        pending = self._pending
        pending += data
        position = 0
        while not self.done:
            if self._state == "size" or self._state == "trailer":
                end = pending.find(b"\r\n", position)
                if end < 0:
                    if len(pending) - position > MAX_CHUNK_LINE:
                        raise ServerAnswerError(bad_chunk("a chunk-size line is too long"))
                    break
                line = bytes(pending[position:end])
                position = end + 2
                if self._state == "trailer":
                    if not line:
                        self.done = True
                    continue
                self._start_chunk(line)
            elif self._state == "data":
                take = min(self._remaining, len(pending) - position)
                self.decoded += pending[position:position + take]
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

    def _start_chunk(self, line: bytes) -> None:
        size_text = line.split(b";", 1)[0].rstrip(b" \t")
        if not size_text or len(size_text) > 16 or not set(size_text) <= _HEX:
            raise ServerAnswerError(bad_chunk(f"invalid chunk size {size_text[:20].decode('latin-1')!r}"))
        size = int(size_text, 16)
        if self.limit is not None and len(self.decoded) + size > self.limit:
            raise ServerAnswerError(too_large(self.limit))
        if size == 0:
            self._state = "trailer"
        else:
            self._remaining = size
            self._state = "data"


class RequestReader:
    """Collects one request off a connection; :attr:`request` is gunicorn's parsed request when complete."""

    def __init__(self, cfg: Any, peer: Any, body_limit: Optional[int], number: int = 1) -> None:
        self.cfg = cfg
        self.peer = peer
        self.body_limit = body_limit
        self.number = number
        self.request: Optional[Request] = None
        self.complete = False
        #: Bytes after the request's end (a pipelined next request).
        self.rest = b""
        #: The client waits for "100 Continue" before it sends the body.
        self.wants_continue = False
        self._head = bytearray()
        self._body = bytearray()
        #: Bytes of a Content-Length body still to come (None: no such body).
        self._remaining: Optional[int] = None
        self._chunked: Optional[_ChunkedDecoder] = None
        limit_line = cfg.limit_request_line if cfg.limit_request_line > 0 else 8190
        self._max_line = limit_line + 2
        self._max_head = cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + limit_line + 8

    @property
    def started(self) -> bool:
        """Whether any byte of the request arrived."""
        return bool(self._head)

    def wanted(self, default: int) -> int:
        """How many bytes to ask the socket for: ``default``, more for the rest of a large body."""
        if self._remaining is not None and self._remaining > default:
            return min(self._remaining, MAX_BODY_READ)
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
            # The body grows as it arrives (never allocated from its Content-Length: a client
            # announcing 60 MB costs nothing until it sends them).
            remaining = self._remaining or 0
            self._body += data[:remaining] if len(data) > remaining else data
            self.rest = data[remaining:] if len(data) > remaining else b""
            self._remaining = max(0, remaining - len(data))
            if not self._remaining:
                self._finish()

    def _feed_head(self, data: bytes) -> None:
        searched_from = max(0, len(self._head) - 3)
        self._head += data
        end = self._head.find(b"\r\n\r\n", searched_from)
        if end < 0:
            if self._head.find(b"\r\n", 0, self._max_line) < 0 and len(self._head) > self._max_line:
                raise LimitRequestLine(len(self._head), self._max_line - 2)
            if len(self._head) > self._max_head:
                raise LimitRequestHeaders("max buffer headers")
            return
        head, after = bytes(self._head[:end + 4]), bytes(self._head[end + 4:])
        request = Request(self.cfg, IterUnreader([head]), self.peer, self.number)
        self.request = request  # also for refusals: they name its method and path and echo its request id
        if request.method not in KNOWN_METHODS:
            raise ServerAnswerError(unknown_method(request.method))
        self.wants_continue = request._expected_100_continue
        request._expected_100_continue = False  # answered by the worker, not when the environ is made
        chunked = any(name == "TRANSFER-ENCODING" for name, _ in request.headers)
        if chunked:
            self._chunked = _ChunkedDecoder(self.body_limit)
            self.rest = self._chunked.feed(after)
            if self._chunked.done:
                self._finish()
            return
        length = int(next((value for name, value in request.headers if name == "CONTENT-LENGTH"), "0"))
        if self.body_limit is not None and length > self.body_limit:
            raise ServerAnswerError(too_large(self.body_limit))
        self._remaining = length
        if not length:
            self.rest = after
            self._finish()
        elif after:
            self.feed(after)

    def _finish(self) -> None:
        assert self.request is not None
        if self._chunked is not None:
            data: Any = self._chunked.decoded
            # The application sees a body of known length, as if it had come with Content-Length.
            headers = [(name, value) for name, value in self.request.headers if name != "TRANSFER-ENCODING"]
            self.request.headers = headers + [("CONTENT-LENGTH", str(len(data)))]
        else:
            data = self._body
        self.request.body = Body(data)
        self.wants_continue = False
        self.complete = True
        self._head = bytearray()
