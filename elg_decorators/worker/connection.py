"""A client connection as the event loop holds it: its socket, the request being read, and its clocks."""
from __future__ import annotations

import socket
import time
from typing import Any

from ..logger import logger
from ..runtime.lifecycle import RequestRecord
from ..runtime.log_values import printable
from ..runtime.process import accepted_request_id, new_request_id
from ..settings import LIVE_PATH
from .answers import ServerAnswer, ServerAnswerError, alive, for_parse_error
from .bodies import SPOOL_THRESHOLD
from .reading import RequestReader

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
#: Largest read from a socket while the head of a request is read.
READ_SIZE = 64 * 1024


class Connection:
    """One client connection, owned by the event loop while it reads and by a thread while a job runs."""

    __slots__ = ("sock", "peer", "server", "cfg", "body_limit", "reader", "job", "opened", "last_data", "served",
                 "reserved", "discard_until")

    def __init__(self, sock: socket.socket, peer: Any, server: Any, cfg: Any, body_limit: int | None) -> None:
        self.sock = sock
        self.peer = peer
        self.server = server
        self.cfg = cfg
        self.body_limit = body_limit
        self.served = 0
        self.job: Any = None
        #: Bytes of the worker's body buffer reserved for the request being read or answered.
        self.reserved = 0
        #: Set once the connection was refused and only lingers (see :meth:`linger`).
        self.discard_until: float | None = None
        self.opened = self.last_data = time.monotonic()
        self.reader = RequestReader(cfg, peer, body_limit)

    def next_request(self) -> bytes:
        """Get ready for the connection's next request; return bytes of it that already arrived."""
        rest = self.reader.rest
        self.reader.close()
        self.served += 1
        self.job = None
        self.reader = RequestReader(self.cfg, self.peer, self.body_limit, self.served + 1)
        self.opened = self.last_data = time.monotonic()
        return rest

    def receive(self) -> bool:
        """Read what the socket has; False when the client closed. Raises parse errors as they show."""
        reader = self.reader
        data = self.sock.recv(reader.wanted(READ_SIZE))
        if not data:
            return False
        reader.feed(data)
        self.last_data = time.monotonic()
        if reader.wants_continue:
            reader.wants_continue = False
            self.sock.send(CONTINUE)
        return True

    def feed(self, data: bytes) -> None:
        """Take bytes of the next request that arrived with the previous one."""
        if data:
            self.reader.feed(data)

    def too_slow(self, now: float, read_timeout: float) -> bool:
        """The client started a request but did not send its head within ``read_timeout`` seconds of
        the connection's start (or of the previous answer), or paused longer than that in its body."""
        if not self.reader.started:
            return False
        head_late = self.reader.request is None and now - self.opened > read_timeout
        return head_late or now - self.last_data > read_timeout

    def idle_too_long(self, now: float, read_timeout: float, keepalive: float) -> bool:
        """Nothing of a request arrived: for ``read_timeout`` on a new connection, ``keepalive`` after an answer."""
        limit = keepalive if self.served else read_timeout
        return not self.reader.started and now - self.last_data > limit

    def request_id(self) -> str:
        """The client's ``X-Request-ID`` if it sent a usable one, else a new id."""
        request = self.reader.request
        for name, value in request.headers if request is not None else ():
            if name == "X-REQUEST-ID":
                return accepted_request_id(value) or new_request_id()
        return new_request_id()

    @property
    def silent(self) -> bool:
        """Nothing of a request has arrived: a new connection that sent nothing, or an idle kept-alive one."""
        return not self.reader.started

    @property
    def in_head(self) -> bool:
        """A request has begun but its head is not complete yet."""
        return self.reader.request is None

    def memory_needed(self) -> int:
        """The most memory the body of the request whose head was read will take: its size up to the
        reader's threshold for spooling (past it the body goes to a temporary file), that threshold
        for a chunked body (its size is not known in advance)."""
        request = self.reader.request
        for name, value in request.headers if request is not None else ():
            if name == "CONTENT-LENGTH":
                return min(int(value), SPOOL_THRESHOLD)
            if name == "TRANSFER-ENCODING":
                return SPOOL_THRESHOLD
        return 0

    def linger(self, until: float) -> None:
        """After a refusal sent while the client may still be sending: close our side for writing and
        read (and drop) what still comes until the client closes or ``until``, so that closing with
        unread bytes does not reset the connection before the client read the refusal."""
        self.discard_until = until
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def discard(self) -> bool:
        """Read and drop what arrived on a lingering connection; False once the client closed."""
        try:
            return bool(self.sock.recv(READ_SIZE))
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def answer(self, answer: ServerAnswer, *, record: RequestRecord | None = None, close: bool = True) -> None:
        """Send the server's own ``answer`` (without blocking: it is small) and report it, as the
        outcome of ``record`` if the request has one (unless that was reported already)."""
        if record is None:
            request = self.reader.request
            record = RequestRecord(self.request_id(), getattr(request, "method", None) or "-",
                                   getattr(request, "path", None) or "-", started=self.opened)
        try:
            self.sock.send(answer.http(close=close, request_id=record.request_id))
        except OSError:
            pass
        record.finish(answer.status, answer.code)

    def answer_alive(self) -> None:
        """Answer ``GET /health/live`` from the event loop."""
        record = RequestRecord(self.request_id(), "GET", LIVE_PATH, started=self.last_data)
        try:
            self.sock.send(alive(record.request_id))
        except OSError:
            pass
        record.finish(200, "")

    def close(self) -> None:
        self.reader.close()
        try:
            self.sock.close()
        except OSError:
            pass


def answer_for(error: BaseException) -> ServerAnswer:
    """The answer to a request that could not be read."""
    if not isinstance(error, ServerAnswerError):
        logger.debug("unreadable request: %s: %s", type(error).__name__, printable(str(error)))
    return for_parse_error(error)
