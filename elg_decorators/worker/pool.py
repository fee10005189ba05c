"""The worker's threads: a bounded queue of complete requests, and threads that run the application.

Only complete requests reach the queue (the event loop reads them), so a thread is tied
only for as long as the application works. A thread whose request was answered by the
server (its deadline passed) but that is still inside the handler is *stuck*: it is left
to finish on its own (nothing interrupts it: see :mod:`.jobs`), a new thread takes its
place at once, and the worker counts it; when as many threads are stuck as the worker has,
the worker asks to be replaced.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from ..logger import logger
from .jobs import Job


class HandlerPool:
    """``threads`` threads running ``serve(job)`` for jobs offered, at most ``max_queue`` waiting."""

    def __init__(self, threads: int, max_queue: int, serve: Callable[[Job], None]) -> None:
        self.threads = threads
        self.max_queue = max_queue
        self._serve = serve
        self._queue: deque[Job] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._idle = 0
        self._working: dict[int, Job] = {}
        #: Threads still inside a handler whose request was already answered by the server.
        self._stuck: dict[int, Job] = {}
        self._live = 0
        self._stopping = False
        #: Requests whose thread went back to the pool before they were answered (see :mod:`.deferred`).
        self._deferred: dict[int, Job] = {}

    def start(self) -> None:
        with self._ready:
            for _ in range(self.threads):
                self._add_thread()

    def _add_thread(self) -> None:
        """Start one more thread (with the lock held: it counts the threads)."""
        self._live += 1
        threading.Thread(target=self._run, name="elg-handler", daemon=True).start()

    @property
    def stuck(self) -> int:
        return len(self._stuck)

    @property
    def busy(self) -> bool:
        """Every thread is working: a request offered now would wait."""
        return self._idle == 0

    def unanswered(self) -> int:
        """Requests queued, running or deferred, and not yet answered by the server in their place."""
        return len(self._queue) + sum(1 for job in self.running() if not job.overtaken)

    def defer(self, job: Job) -> None:
        """``job`` will be answered by another thread: watch it as a running one until :meth:`undefer`."""
        self._deferred[id(job)] = job

    def undefer(self, job: Job) -> None:
        self._deferred.pop(id(job), None)

    def offer(self, job: Job) -> bool:
        """Queue ``job`` unless every thread is busy and the queue is full."""
        with self._ready:
            if self._idle <= len(self._queue) and len(self._queue) >= self.max_queue:
                return False
            self._queue.append(job)
            self._ready.notify()
        return True

    def queued(self) -> list[Job]:
        return list(self._queue)

    def running(self) -> list[Job]:
        """The jobs in a thread, and those deferred (a job is in both while its thread hands it over)."""
        running = list(self._working.values())
        if self._deferred:
            running.extend(job for job in list(self._deferred.values()) if job not in running)
        return running

    def withdraw(self, job: Job) -> bool:
        """Take a job that has not started off the queue; False if a thread already has it."""
        with self._ready:
            try:
                self._queue.remove(job)
            except ValueError:
                return False
            return True

    def abandon(self, job: Job) -> None:
        """Count the thread running ``job`` (which the server answered) as stuck and start a new
        thread in its place; the stuck one leaves the pool when its handler returns."""
        with self._ready:
            thread_id = job.thread_id
            if thread_id is None or self._working.get(thread_id) is not job or thread_id in self._stuck:
                return
            self._stuck[thread_id] = job
            self._add_thread()

    def working(self) -> int:
        """Threads working on a request, stuck ones excluded."""
        return len(self._working) - len(self._stuck)

    def stop(self) -> None:
        with self._ready:
            self._stopping = True
            self._ready.notify_all()

    def _next(self, thread_id: int) -> Job | None:
        with self._ready:
            self._idle += 1
            while not self._queue and not self._stopping:
                if self._live - len(self._stuck) > self.threads:
                    break  # a thread that was stuck came back: one too many now
                self._ready.wait()
            self._idle -= 1
            if not self._queue:
                self._live -= 1
                return None
            job = self._queue.popleft()
            job.thread_id = thread_id
            self._working[thread_id] = job
            return job

    def _run(self) -> None:
        thread_id = threading.get_ident()
        while True:
            try:
                job = self._next(thread_id)
                if job is None:
                    return
                try:
                    self._serve(job)
                finally:
                    self._done(thread_id)
            except BaseException:  # the thread must survive whatever a handler does
                logger.exception("error in a handler thread")
                self._done(thread_id)

    def _done(self, thread_id: int) -> None:
        with self._ready:
            self._working.pop(thread_id, None)
            self._stuck.pop(thread_id, None)
