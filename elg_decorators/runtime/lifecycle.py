"""What the server process and the application tell each other within one worker process.

The worker (the server layer) and the application (the service layers) meet here and nowhere
else. Each request has one :class:`RequestRecord`: the worker makes it when the request has
been read (with the request's deadline) and hands it to the application in the WSGI environ;
the application notes on it what it learns (the request type, the route, the handler, its
timeout). Whoever answers the request, the application or the server in its place (a deadline
passed, the worker stopped), finishes the record, and only the first to do so is heard:
listeners (request logs, metrics) get exactly one :class:`Outcome` per request. The worker
also says here when the process starts draining.

A server that can answer a request later, once the application's thread has gone back to it,
offers so on the record (:attr:`RequestRecord.defer`): the application then returns the
:class:`DeferredAnswer` it got as the request's WSGI body, and completes it from whichever
thread has the answer (a batch's runner). Under servers that offer nothing, ``defer`` is None.
"""
from __future__ import annotations

import threading
import time
from typing import NamedTuple
from collections.abc import Callable, Iterable, Iterator

#: WSGI environ key under which the worker hands the application the request's :class:`RequestRecord`.
RECORD_KEY = "elg_decorators.record"
#: The body of a 200 answer to ``GET /health/live``: the service worker's event loop answers with it
#: by itself while every thread is busy, so the application's own answer should be the same.
LIVE_BODY = b'{"alive":true}'


class Outcome(NamedTuple):
    """How one request ended, whoever answered it (a tuple: made for every request, it must be cheap)."""

    method: str
    path: str
    #: The ELG request type (``text``, ...), or ``-`` when it was not read.
    request_type: str
    status: int
    #: The failure's first code, empty on success.
    code: str
    duration: float
    request_id: str = ""
    #: Server-sent events written, for streams; None for plain answers.
    events: int | None = None
    #: The route that matched (``/translate/<src>/<tgt>``), empty when none did or it is not known.
    route: str = ""
    #: The size of the batch the request ran in (batched handlers), else None.
    batch: int | None = None


class DeferredAnswer:
    """The WSGI body of a request answered later: the server made it (see :attr:`RequestRecord.defer`).

    It iterates as an empty body. The application calls the server's ``start_response`` and then
    :meth:`complete` with the body, from any thread; what it wants done just before the answer
    goes out (reporting the request finished) it gives :meth:`when_answered`.
    """

    def __init__(self) -> None:
        self._finishers: list[Callable[[], None]] = []

    def __iter__(self) -> Iterator[bytes]:
        return iter(())

    def when_answered(self, finisher: Callable[[], None]) -> None:
        """Call ``finisher`` just before the answer is written (in the thread that writes it)."""
        self._finishers.append(finisher)

    def answering(self) -> None:
        """Run the finishers (the server calls it just before it writes the answer)."""
        finishers, self._finishers = self._finishers, []
        for finisher in finishers:
            finisher()

    def complete(self, body: Iterable[bytes]) -> None:
        """The answer is ready: ``start_response`` was called, ``body`` is what to write."""
        raise NotImplementedError


class RequestRecord:
    """One request, from the moment it was read until it is answered, as both sides know it."""

    __slots__ = ("request_id", "method", "path", "started", "seconds", "request_type", "route", "handler",
                 "status", "code", "overtaken", "answered", "_unfinished", "defer", "batch_size")

    def __init__(self, request_id: str, method: str = "-", path: str = "-", seconds: float = 0.0,
                 started: float | None = None) -> None:
        self.request_id = request_id
        self.method = method
        self.path = path
        #: When the request was read (``time.monotonic()``); its deadline and duration count from here.
        self.started = time.monotonic() if started is None else started
        #: The seconds the request may take in all (0: no deadline).
        self.seconds = seconds
        self.request_type = "-"
        #: The route that matched, the qualified name of the handler called, once known.
        self.route = ""
        self.handler: str | None = None
        #: The HTTP status and failure code of the answer, as the application sets them.
        self.status = 500
        self.code = ""
        #: True once the server answered in the application's place: what the application still
        #: answers is dropped.
        self.overtaken = False
        #: True once the application handed the server the last of its answer (a stream's final event):
        #: from then on the server adds nothing to it.
        self.answered = False
        #: Given by a server that can answer later: makes the request's :class:`DeferredAnswer`.
        self.defer: Callable[[], DeferredAnswer] | None = None
        #: The size of the batch the request ran in, once it ran in one.
        self.batch_size: int | None = None
        self._unfinished = threading.Lock()

    @property
    def expires_at(self) -> float | None:
        """The ``time.monotonic()`` at which the deadline passes, None without one."""
        return self.started + self.seconds if self.seconds else None

    def set_deadline(self, seconds: float) -> None:
        """Give the request ``seconds`` in all, counted from when it was read (0: no deadline)."""
        self.seconds = seconds

    @property
    def finished(self) -> bool:
        return self._unfinished.locked()

    def finish(self, status: int, code: str, events: int | None = None) -> bool:
        """Report how the request ended, unless it was reported already; True if this call reported it."""
        if not self._unfinished.acquire(blocking=False):  # atomic: the server and the application may race
            return False
        self.status = status
        self.code = code
        outcome = Outcome(self.method, self.path, self.request_type, status, code, time.monotonic() - self.started,
                          self.request_id, events, self.route, self.batch_size)
        for listener in lifecycle.listeners:  # Lifecycle.finished, inlined: this runs for every request
            listener(outcome)
        return True


class Lifecycle:
    """The process's shared state: draining, and who wants to hear about finished requests."""

    def __init__(self) -> None:
        self._draining = threading.Event()
        #: Called with the outcome of every request (see :meth:`add_listener`).
        self.listeners: list[Callable[[Outcome], None]] = []
        #: Requests that may wait in one batched handler's queue (the server's ``MAX_QUEUE``).
        self.max_queue = 64

    @property
    def draining(self) -> bool:
        """True once the process was told to stop: it finishes what it has and takes nothing new."""
        return self._draining.is_set()

    def begin_draining(self) -> None:
        self._draining.set()

    def add_listener(self, listener: Callable[[Outcome], None]) -> None:
        """Call ``listener`` with the outcome of every request (from the thread that finished it)."""
        if listener not in self.listeners:
            self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[Outcome], None]) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def finished(self, outcome: Outcome) -> None:
        """Report a finished request to every listener."""
        for listener in self.listeners:
            listener(outcome)


#: The lifecycle of this process.
lifecycle = Lifecycle()
