"""A request answered after its thread went back to the pool (a batched handler's request).

The worker offers each request a way to be answered later (the record's ``defer``): the application
takes a :class:`DeferredJob`, returns it as the request's WSGI body, and completes it from the thread
that has the answer (a batch's runner). The thread that ran the application then goes back to the
pool at once, unless the answer was completed meanwhile: then it writes it itself. Whichever thread
ends up with the answer writes it and carries on with the connection, exactly as :meth:`ServiceWorker._serve`
does after a plain answer; the job's deadline is watched all along (see :mod:`.watchdog`).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from ..runtime.lifecycle import DeferredAnswer


class DeferredJob(DeferredAnswer):
    """The later answer of one request; ``deliver(body)`` writes it (in the completing thread)."""

    def __init__(self, deliver: Callable[[Iterable[bytes]], None]) -> None:
        super().__init__()
        self._deliver = deliver
        self._lock = threading.Lock()
        self._released = False
        self._body: Iterable[bytes] | None = None

    def complete(self, body: Iterable[bytes]) -> None:
        with self._lock:
            if not self._released:  # the application's thread has not gone back yet: it writes it
                self._body = body
                return
        self.answering()
        self._deliver(body)

    def release(self) -> Iterable[bytes] | None:
        """The application's thread goes back to the pool: the answer if it is already complete
        (the thread then writes it), else None (the thread that completes it will)."""
        with self._lock:
            self._released = True
            body, self._body = self._body, None
        if body is not None:
            self.answering()
        return body
