"""What the server process and the application tell each other within one worker process.

The worker (the server layer) and the application (the service layers) meet here and nowhere
else: the worker says when the process starts draining and reports the requests it answers
itself (a deadline passed, an overload refusal, a request it could not read); the application
reports the requests it answers; listeners (request logs, metrics) hear about both alike.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, List, NamedTuple, Optional

#: WSGI environ key under which the worker offers a :class:`Deadline` for the request.
DEADLINE_KEY = "elg_decorators.deadline"
#: WSGI environ key holding the request id (from ``X-Request-ID`` or generated).
REQUEST_ID_KEY = "elg_decorators.request_id"
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
    events: Optional[int] = None
    #: The route that matched (``/translate/<src>/<tgt>``), empty when none did or it is not known.
    route: str = ""


class Deadline:
    """The time a request may take, which the application may set once it knows the handler."""

    def __init__(self, seconds: float, started: Optional[float] = None) -> None:
        self.seconds = seconds
        #: When the request was read (``time.monotonic()``); the deadline counts from here.
        self.started = time.monotonic() if started is None else started
        #: True once the server answered the request itself (its deadline passed or the worker
        #: stopped): whatever the application answers afterwards is dropped, and it was already
        #: reported through :meth:`Lifecycle.finished`.
        self.overtaken = False

    @property
    def expires_at(self) -> Optional[float]:
        """The ``time.monotonic()`` at which the deadline passes, None without one."""
        return self.started + self.seconds if self.seconds else None

    def set(self, seconds: float) -> None:
        """Give the request ``seconds`` in all, counted from when it was read (0: no deadline)."""
        self.seconds = seconds


class Lifecycle:
    """The process's shared state: draining, and who wants to hear about finished requests."""

    def __init__(self) -> None:
        self._draining = threading.Event()
        self._listeners: List[Callable[[Outcome], None]] = []

    @property
    def draining(self) -> bool:
        """True once the process was told to stop: it finishes what it has and takes nothing new."""
        return self._draining.is_set()

    def begin_draining(self) -> None:
        self._draining.set()

    def add_listener(self, listener: Callable[[Outcome], None]) -> None:
        """Call ``listener`` with the outcome of every request (from the thread that finished it)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Outcome], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def finished(self, outcome: Outcome) -> None:
        """Report a finished request to every listener."""
        for listener in self._listeners:
            listener(outcome)


#: The lifecycle of this process.
lifecycle = Lifecycle()
