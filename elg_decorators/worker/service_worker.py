"""The default gunicorn worker of a service: reads requests in an event loop, runs them in threads.

The main thread runs a selector loop that accepts connections and reads each request
(head and whole body) without blocking, so slow, idle and kept-alive connections tie no
thread. Only complete requests go to a bounded queue feeding the threads
(:mod:`.pool`); past the queue's bound a request is refused at once with a 503 and
``Retry-After``, and ``GET /health/live`` is answered by the loop itself while every
thread is busy. A watchdog (:mod:`.watchdog`) answers requests past their deadline.

What a worker holds is bounded: at most ``MAX_CONNECTIONS`` connections (past it, those
that sent nothing or sit idle are closed, oldest first, so the next client is never kept
waiting in the kernel's backlog), and at most ``MAX_BODY_BUFFER`` MiB of request bodies
(a request whose body would pass it is refused with a 503 and ``Retry-After``).

The worker stops gracefully on SIGTERM: it closes its listening sockets at once (a new
client is refused rather than left waiting), finishes the requests in flight, and waits
for its threads to come back (a stream's generator is closed) until the graceful timeout.
It asks to be replaced (see :mod:`.arbiter`) after ``MAX_REQUESTS`` requests, above its
memory limit, or when too many threads are stuck in handlers that ignore their deadline;
from then on it takes no new connection.
"""
from __future__ import annotations

import errno
import logging
import os
import selectors
import socket
import threading
import time
from typing import Any

from gunicorn.http import wsgi
from gunicorn.workers import base

from ..runtime.lifecycle import RECORD_KEY, RequestRecord, lifecycle
from ..runtime.log_values import printable
from ..settings import LIVE_PATH, ServerSettings
from . import answers, heap
from .connection import Connection, answer_for
from .deferred import DeferredJob
from .jobs import GuardedSocket, Job, Overtaken
from .pool import HandlerPool
from .recycling import MemoryGuard, replace
from .watchdog import Watchdog

#: How often (seconds) the loop checks read timeouts, memory and its parent when nothing happens.
TICK = 0.25
#: How long before the master's graceful timeout the worker cuts what still runs.
CUT_MARGIN = 1.0
#: How long a stopping worker keeps an idle kept-alive connection (at most its keep-alive time), so
#: that a request the client is sending at that moment is answered ("Connection: close") rather than cut.
DRAIN_LINGER = 1.0
#: Seconds a client refused for lack of room (connections or body buffer) is told to wait.
RETRY_AFTER = 1
_WAKE = object()
MIB = 1024 * 1024


class ServiceWorker(base.Worker):  # type: ignore[misc]
    """Event-loop reading, threaded handlers, deadlines, overload refusal and graceful recycling."""

    def init_process(self) -> None:
        self.settings: ServerSettings = getattr(self.app, "settings", None) or ServerSettings.resolve()
        lifecycle.max_queue = self.settings.max_queue
        self.selector = selectors.DefaultSelector()
        self.pool = HandlerPool(max(1, self.cfg.threads), self.settings.max_queue, self._serve)
        self.watchdog = Watchdog(self.pool)
        self.memory = MemoryGuard(self.settings.max_worker_memory)
        self.max_connections = self.settings.max_connections
        self.body_budget = self.settings.max_body_buffer * MIB
        #: Bytes of request bodies admitted and not yet answered (see :meth:`_admit`).
        self.body_bytes = 0
        self.body_lock = threading.Lock()
        #: Connections the loop reads from, oldest first (dicts keep their order of insertion).
        self.reading: dict[int, Connection] = {}
        self.retiring = False
        self.accepts = False
        self.addresses: dict[Any, Any] = {}
        self.drain_started: float | None = None
        heap.map_large_blocks()  # a large body's memory goes back to the system once it is answered
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        config = getattr(self.wsgi, "config", None)
        self.body_limit = config.get("MAX_CONTENT_LENGTH") if config is not None else None

    def handle_exit(self, sig: int, frame: Any) -> None:
        """SIGTERM: stop taking requests, finish those in flight (see :meth:`_drain`)."""
        self.alive = False

    # -- the event loop ---------------------------------------------------------------

    def run(self) -> None:
        self.pool.start()
        self.watchdog.start()
        self.selector.register(self.PIPE[0], selectors.EVENT_READ, _WAKE)
        for listener in self.sockets:
            listener.setblocking(False)
        self.addresses = {listener: listener.getsockname() for listener in self.sockets}
        self._accepting(True)
        next_tick = 0.0
        while True:
            for key, _ in self.selector.select(TICK):
                target = key.data
                if target is None:
                    self._accept(key.fileobj)
                elif target is _WAKE:
                    self._drain_pipe()
                else:
                    self._readable(target)
            if self.retiring and self.accepts:
                self._accepting(False)
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + TICK
                self._tick(now)
            if not self.alive and self._drain(now):
                break
        self.watchdog.stop()
        self.pool.stop()

    def _accepting(self, accept: bool) -> None:
        """Start or stop taking new connections (those not taken wait for another worker)."""
        if accept == self.accepts:
            return
        self.accepts = accept
        for listener in self.sockets:
            if accept:
                self.selector.register(listener, selectors.EVENT_READ, None)
            else:
                self.selector.unregister(listener)

    def _accept(self, listener: Any) -> None:
        while self.accepts and not self.retiring:
            try:
                sock, peer = listener.accept()
            except OSError as error:  # EAGAIN: no more; out of file descriptors: pause until the next tick
                if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                    self.log.warning("accepting a connection failed: %s", error)
                    self._accepting(False)
                return
            sock.setblocking(False)
            if sock.family != socket.AF_UNIX:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(sock, peer, self.addresses[listener], self.cfg, self.body_limit)
            if len(self.reading) + self.pool.unanswered() >= self.max_connections and not self._make_room():
                connection.answer(answers.no_room("connections", self.max_connections, RETRY_AFTER))
                connection.close()
                continue
            self._watch(connection)

    def _make_room(self) -> bool:
        """Close the oldest connection that sent nothing or sits idle, else the oldest whose head is
        still incomplete (a client trickling it); False if every connection is working on a request."""
        victim = next((connection for connection in self.reading.values() if connection.silent), None)
        if victim is None:
            victim = next((connection for connection in self.reading.values() if connection.in_head), None)
            if victim is None:
                return False
            victim.answer(answers.no_room("connections", self.max_connections, RETRY_AFTER))
        self._unwatch(victim)
        victim.close()
        return True

    def _watch(self, connection: Connection) -> None:
        self.reading[connection.sock.fileno()] = connection
        self.selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _unwatch(self, connection: Connection) -> None:
        self.reading.pop(connection.sock.fileno(), None)
        try:
            self.selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass

    def _readable(self, connection: Connection) -> None:
        if connection.discard_until is not None:  # refused: only waits for the client to go
            if not connection.discard():
                self._unwatch(connection)
                connection.close()
            return
        head_before = connection.reader.request is not None
        try:
            if not connection.receive():
                self._unwatch(connection)
                self._release(connection)
                connection.close()
                return
            if not head_before and connection.reader.request is not None:
                self._admit(connection)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._unwatch(connection)
            self._release(connection)
            connection.close()
            return
        except Exception as error:  # gunicorn's parse errors and ours: the client's request is not valid
            self._release(connection)
            connection.answer(answer_for(error))
            connection.linger(time.monotonic() + DRAIN_LINGER)
            return
        if connection.reader.complete:
            self._unwatch(connection)
            self._dispatch(connection)

    def _admit(self, connection: Connection) -> None:
        """Reserve memory for the body of the request whose head just arrived, or refuse it (503).

        A request is admitted when the memory its body may take (at most the reader's spooling
        threshold: a larger body waits in a temporary file) fits in what remains of ``MAX_BODY_BUFFER``.
        """
        size = connection.memory_needed()
        with self.body_lock:
            if size and self.body_bytes + size > self.body_budget:
                raise answers.ServerAnswerError(answers.no_room(
                    "request bodies in memory", self.settings.max_body_buffer, RETRY_AFTER, unit="MiB"))
            self.body_bytes += size
            connection.reserved = size

    def _release(self, connection: Connection) -> None:
        """Give back the room reserved for a connection's request body."""
        if connection.reserved:
            with self.body_lock:
                self.body_bytes -= connection.reserved
                connection.reserved = 0

    def _dispatch(self, connection: Connection) -> None:
        request = connection.reader.request
        assert request is not None, "dispatched before the request was read"
        if request.path == LIVE_PATH and request.method == "GET" and self.pool.busy:
            connection.answer_alive()  # the threads may all be stuck: answer from here
            self._release(connection)
            connection.close()
            return
        record = RequestRecord(connection.request_id(), request.method, request.path, self.settings.request_timeout)
        job = Job(connection, request, record)
        connection.job = job
        if not self.pool.offer(job):
            connection.answer(answers.overloaded(1, self.pool.max_queue), record=record)
            self._release(connection)
            connection.close()

    def _drain_pipe(self) -> None:
        try:
            while os.read(self.PIPE[0], 4096):
                pass
        except OSError:
            pass

    def _tick(self, now: float) -> None:
        self.notify()
        if self.alive and not self.retiring and not self.accepts:
            self._accepting(True)  # after running out of file descriptors
        read_timeout = self.settings.read_timeout
        for connection in list(self.reading.values()):
            if connection.discard_until is not None:
                if now > connection.discard_until:
                    self._unwatch(connection)
                    connection.close()
            elif connection.too_slow(now, read_timeout):
                self._unwatch(connection)
                self._release(connection)
                connection.answer(answers.read_timeout(read_timeout))
                connection.close()
            elif connection.idle_too_long(now, read_timeout, self.cfg.keepalive if self.alive else DRAIN_LINGER):
                self._unwatch(connection)
                connection.close()
        if self.ppid != os.getppid():
            self.log.info("parent changed, stopping worker %s", self.pid)
            self.alive = False
        if not self.alive:
            return
        if self.pool.stuck >= self.pool.threads:
            self.retire(f"{self.pool.stuck} threads are stuck in handlers past their deadline")
        elif self.memory.exceeded():
            self.retire(f"its memory ({self.memory.describe()}) is over MAX_WORKER_MEMORY")

    # -- recycling and stopping ---------------------------------------------------------

    def retire(self, reason: str, level: int = logging.WARNING) -> None:
        """Have this worker replaced: the master starts a new one, then stops this one gracefully.

        From now on the worker takes no new connection (they wait for its successor) and answers
        with ``Connection: close``. A kept-alive connection idle at that moment stays open until the
        worker drains: a client may be sending its next request on it right now, and closing it
        would fail that request; so a worker answers at most one request more per open connection.
        """
        if self.retiring:
            return
        replace(self, reason, level)
        try:
            os.write(self.PIPE[1], b".")  # wake the loop, which stops accepting (see run)
        except OSError:
            pass

    def _drain(self, now: float) -> bool:
        """Stop taking requests and finish those in flight; True once the worker may exit."""
        if self.drain_started is None:
            self.drain_started = now
            lifecycle.begin_draining()
            self._accepting(False)
            for listener in self.sockets:
                listener.close()  # this process's copy: once every process closed it, clients are refused
            limit = float(self.cfg.graceful_timeout)
            self.watchdog.cut_all_at(now + max(limit - CUT_MARGIN, min(limit, 0.5)), limit)
        if now > self.drain_started + self.cfg.graceful_timeout:
            return True
        # Threads the graceful cut answered for come back at their next write, closing their streams.
        return not (self.pool.unanswered() or self.reading or self.pool.working())

    # -- in a thread ------------------------------------------------------------------

    def _serve(self, job: Job) -> None:
        connection = job.connection
        request = job.request
        try:
            connection.sock.setblocking(True)
            guard = GuardedSocket(job, connection.sock)
            response, environ = wsgi.create(request, guard, connection.peer, connection.server, self.cfg)
            environ["wsgi.multithread"] = True
            environ[RECORD_KEY] = job.record
            job.record.defer = lambda: DeferredJob(lambda body: self._write(job, guard, body))
            job.response = response
            self.nr += 1
            if self.nr >= self.max_requests:
                self.retire(f"it answered {self.nr} requests (MAX_REQUESTS)", logging.INFO)
            if not self.alive or self.retiring or not self.cfg.keepalive:
                response.force_close()
            body = self.wsgi(environ, response.start_response)
            if isinstance(body, DeferredJob):  # answered later, from another thread: this one is free
                self.pool.defer(job)
                ready = body.release()
                if ready is None:
                    return
                body = ready
        except OSError:
            self._end(job, False)  # the client went away
            return
        except Exception:
            self.log.exception("error answering %s %s", printable(request.method), printable(request.path))
            if job.response is None or not job.response.headers_sent:
                self._answer_from_thread(job, answers.application_failed())
            self._end(job, False)
            return
        self._write(job, guard, body)

    def _write(self, job: Job, guard: GuardedSocket, body: Any) -> None:
        """Write the application's answer and carry on with the connection (in a pool thread, or in the
        thread that completed a deferred answer)."""
        connection = job.connection
        response = job.response
        keep_alive = False
        try:
            try:
                for chunk in body:
                    response.write(chunk)
                with job.lock:
                    if job.overtaken:
                        raise Overtaken()
                    job.done = True  # the answer is whole: the server no longer answers in its place
                response.close()
                guard.flush()
            finally:
                if hasattr(body, "close"):
                    body.close()
            keep_alive = not response.should_close()
        except Overtaken:
            if not job.overtaken:  # the client of a stream went away: nobody else closes its connection
                connection.close()
            self._let_go(job)
            return
        except OSError:
            keep_alive = False  # the client went away
        except Exception:
            request = job.request
            self.log.exception("error answering %s %s", printable(request.method), printable(request.path))
            if job.response is None or not job.response.headers_sent:
                self._answer_from_thread(job, answers.application_failed())
        self._end(job, keep_alive)

    def _let_go(self, job: Job) -> None:
        """The job's request is over: its room in the body buffer, and the memory of a large body, go back."""
        connection = job.connection
        self.pool.undefer(job)
        self._release(connection)
        heap.after_request(connection.reader.body_size)

    def _end(self, job: Job, keep_alive: bool) -> None:
        connection = job.connection
        self._let_go(job)
        with job.lock:
            if job.overtaken:
                return
            job.done = True
            connection.job = None
        self._after(connection, keep_alive)

    def _answer_from_thread(self, job: Job, answer: answers.ServerAnswer) -> None:
        with job.lock:
            if not job.overtaken:
                job.done = True
                job.connection.answer(answer, record=job.record)

    def _after(self, connection: Connection, keep_alive: bool) -> None:
        if not keep_alive or not self.alive:
            connection.close()
            return
        rest = connection.next_request()
        connection.sock.setblocking(False)
        try:
            connection.feed(rest)
        except Exception as error:
            connection.answer(answer_for(error))
            connection.close()
            return
        if connection.reader.request is not None:
            try:
                self._admit(connection)
            except answers.ServerAnswerError as refusal:
                connection.answer(refusal.answer)
                connection.close()
                return
        if connection.reader.complete:
            self._dispatch(connection)
        else:
            self._watch(connection)  # epoll is safe to add to while the loop waits on it
