"""Reading one HTTP/1.1 request from bytes as they arrive, without blocking and without a thread.

Both worker classes read requests with a :class:`RequestReader`: the service worker's event
loop feeds it whatever a non-blocking ``recv`` returned, the sync worker what a blocking one
did; the reader says when the request (head and whole body) is complete, so both accept and
refuse exactly the same requests. The head is parsed by gunicorn's own parser once it is
complete (a line ending in a bare LF is refused as soon as it arrives, rather than waited
on). Bodies are collected as they arrive: a ``Content-Length`` body straight into a
:class:`~.bodies.Spool`, a chunked one through a :class:`~.chunked.ChunkedDecoder` (no transfer
coding but ``chunked`` is taken). A body larger than :data:`~.bodies.SPOOL_THRESHOLD` goes to an
unnamed temporary file as it arrives, so that a connection costs at most that much memory while
its body arrives.
"""
from __future__ import annotations

import re
from typing import Any

from gunicorn.http.errors import (
    InvalidHeader,
    InvalidRequestLine,
    LimitRequestHeaders,
    LimitRequestLine,
    UnsupportedTransferCoding,
)
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from .answers import ServerAnswerError, too_large, unknown_method
from .bodies import Spool
from .chunked import ChunkedDecoder

#: The methods HTTP defines; any other is answered 501 without reaching the application.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
#: Largest single read while a body of known length arrives.
MAX_BODY_READ = 1024 * 1024

#: An LF that does not end a CRLF: every line of a head, of a chunk size and of a trailer ends with CRLF.
_BARE_LF = re.compile(rb"(?<!\r)\n")


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
        self._spool: Spool | None = None
        #: Bytes of a Content-Length body still to come (None: no such body).
        self._remaining: int | None = None
        self._chunked: ChunkedDecoder | None = None
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
            self._spool = Spool()
            self._chunked = ChunkedDecoder(
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
        self._spool = Spool(length)
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
