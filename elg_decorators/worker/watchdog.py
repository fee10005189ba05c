"""Deadlines: a thread that answers, in place of the application, every request past its deadline.

Python cannot safely stop a thread from outside, so the watchdog answers the client itself
(a 504 ELG failure, or one final failure event in a stream), closes the connection, and has
the pool put a new thread in the handler's place; the handler's own thread learns it was
overtaken at its next write (a stream's generator is then closed) or when its handler
returns. At the graceful timeout of a stopping worker every request still unanswered is
answered the same way (503), and the threads are left to come back before the process exits.
"""
from __future__ import annotations

import threading
import time

from . import answers
from .jobs import Job
from .pool import HandlerPool

#: How often deadlines are checked (seconds): a request is answered this long after its deadline at most.
CHECK_INTERVAL = 0.2


class Watchdog:
    """Checks the deadlines of queued and running requests every :data:`CHECK_INTERVAL` seconds."""

    def __init__(self, pool: HandlerPool) -> None:
        self.pool = pool
        self._stop = threading.Event()
        #: Once set (``time.monotonic()``), every request still running then is cut (graceful timeout).
        self.cut_at: float | None = None
        self.graceful_timeout = 0.0
        self._thread = threading.Thread(target=self._run, name="elg-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def cut_all_at(self, when: float, graceful_timeout: float) -> None:
        """Answer every request still unanswered at ``when`` with a shutting-down failure."""
        self.graceful_timeout = graceful_timeout
        self.cut_at = when

    def _run(self) -> None:
        while not self._stop.wait(CHECK_INTERVAL):
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        cutting = self.cut_at is not None and now >= self.cut_at
        for job in self.pool.queued():
            expires = job.record.expires_at
            if cutting or (expires is not None and now >= expires):
                if self.pool.withdraw(job):
                    job.overtake(self._answer(job, cutting))
        for job in self.pool.running():
            if job.done or job.record.overtaken:
                continue
            expires = job.record.expires_at
            if cutting:
                job.overtake(self._answer(job, cutting))
            elif expires is not None and now >= expires and job.overtake(self._answer(job, cutting)):
                self.pool.abandon(job)

    def _answer(self, job: Job, cutting: bool) -> answers.ServerAnswer:
        if cutting:
            return answers.shutting_down(self.graceful_timeout)
        return answers.deadline_passed(job.record.seconds)
