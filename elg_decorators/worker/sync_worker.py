"""gunicorn's sync worker (one request at a time per process), with deadlines and ELG answers.

The request is read whole (head and body) before the application runs, by the same
:class:`~.reading.RequestReader` as the service worker, so both worker classes accept and
refuse the same requests, and give a client ``READ_TIMEOUT`` seconds to send its head (and
at most that long a pause in its body) before answering it 408. A large body is in a
temporary file meanwhile, and the memory its request took is given back afterwards
(:mod:`.heap`).

A sync worker has one thread, so a deadline can interrupt the handler itself: while a
request runs, an interval timer (``SIGALRM``) checks its deadline four times a second and,
once it passed, raises :class:`DeadlinePassed` in the handler; the client gets a 504 ELG
failure, or one final failure event in a stream. A handler blocked in C code that does not
return to Python is cut by gunicorn's own worker timeout (``TIMEOUT``) instead.
"""
from __future__ import annotations

import errno
import logging
import signal
import ssl
import sys
import time
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from gunicorn import sock as gunicorn_sock
from gunicorn import util
from gunicorn.http.errors import ParseException
from gunicorn.workers.sync import SyncWorker

from ..protocol.status_lines import status_line
from ..runtime import batching
from ..runtime.lifecycle import RECORD_KEY, RequestRecord, lifecycle
from ..runtime.process import REQUEST_ID_HEADER, accepted_request_id, new_request_id
from ..settings import ServerSettings
from . import answers, heap
from .reading import RequestReader
from .recycling import MemoryGuard, replace

#: Seconds between two checks of the running request's deadline.
CHECK_INTERVAL = 0.25
#: Largest read from the socket while a head arrives (the rest of a large body is read in larger steps).
READ_SIZE = 64 * 1024
#: Longest wait for a client's bytes without telling the master the worker is alive.
HEARTBEAT = 1.0
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class DeadlinePassed(BaseException):
    """Raised in a handler whose request passed its deadline (not an Exception: handlers' broad
    ``except Exception`` clauses must not swallow it)."""


class _Alarm:
    """Raises :class:`DeadlinePassed` in the main thread once the armed deadline passed.

    Each check also tells the master that the worker is alive (``heartbeat``): a request may run
    longer than the worker ``TIMEOUT`` as long as its handler runs Python code; one blocked in C
    code runs no signal handler, sends no heartbeat, and is cut by the master after ``TIMEOUT``.
    """

    def __init__(self, heartbeat: Callable[[], None]) -> None:
        self.deadline: RequestRecord | None = None
        self.heartbeat = heartbeat
        signal.signal(signal.SIGALRM, self._ring)
        signal.siginterrupt(signal.SIGALRM, True)

    def arm(self, deadline: RequestRecord) -> None:
        self.deadline = deadline
        signal.setitimer(signal.ITIMER_REAL, CHECK_INTERVAL, CHECK_INTERVAL)

    def disarm(self) -> None:
        self.deadline = None
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _ring(self, signum: int, frame: Any) -> None:
        self.heartbeat()
        deadline = self.deadline
        expires = deadline.expires_at if deadline is not None else None
        if expires is not None and time.monotonic() >= expires:
            self.disarm()
            raise DeadlinePassed()


class _DeadlineApp:
    """WSGI middleware run by the sync worker: request id, deadline, and the ELG answer to a passed deadline."""

    def __init__(self, app: Callable[..., Iterable[bytes]], seconds: float, heartbeat: Callable[[], None]) -> None:
        self.app = app
        self.seconds = seconds
        self.alarm = _Alarm(heartbeat)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_id = _request_id(environ)
        deadline = RequestRecord(request_id, environ.get("REQUEST_METHOD", "") or "-",
                                 environ.get("PATH_INFO", "") or "/", self.seconds)
        environ[RECORD_KEY] = deadline
        sent: list[str] = []

        def tracking_start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            sent[:] = [value for name, value in headers if name.lower() == "content-type"]
            return start_response(status, headers, exc_info)

        self.alarm.arm(deadline)
        try:
            body = self.app(environ, tracking_start_response)
        except DeadlinePassed:
            self.alarm.disarm()
            return self._refuse(environ, start_response, answers.deadline_passed(deadline.seconds), deadline,
                                request_id, exc_info=sys.exc_info())
        except BaseException:
            self.alarm.disarm()
            raise
        return self._iterate(body, environ, start_response, deadline, request_id, sent)

    def _iterate(self, body: Iterable[bytes], environ: dict[str, Any], start_response: Callable[..., Any],
                 deadline: RequestRecord, request_id: str, content_type: list[str]) -> Iterator[bytes]:
        produced = False
        try:
            for chunk in body:
                produced = True
                yield chunk
        except DeadlinePassed:
            answer = answers.deadline_passed(deadline.seconds)
            self._report(environ, answer, deadline, request_id)
            if not produced:
                start_response(f"{answer.status} Deadline", [("Content-Type", "application/json")],
                               sys.exc_info())
                yield answer.body()
            elif content_type and content_type[0].startswith("text/event-stream"):
                yield answer.event()
        finally:
            self.alarm.disarm()
            close = getattr(body, "close", None)
            if close is not None:
                close()

    def _refuse(self, environ: dict[str, Any], start_response: Callable[..., Any], answer: answers.ServerAnswer,
                deadline: RequestRecord, request_id: str, exc_info: Any = None) -> list[bytes]:
        body = answer.body()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                   (REQUEST_ID_HEADER, request_id), *answer.headers]
        start_response(status_line(answer.status), headers, exc_info)
        self._report(environ, answer, deadline, request_id)
        return [body]

    @staticmethod
    def _report(environ: dict[str, Any], answer: answers.ServerAnswer, deadline: RequestRecord,
                request_id: str) -> None:
        deadline.overtaken = True
        deadline.finish(answer.status, answer.code)


def _request_id(environ: dict[str, Any]) -> str:
    return accepted_request_id(environ.get("HTTP_X_REQUEST_ID")) or new_request_id()


def _request_id_of(req: Any) -> str:
    """The client's ``X-Request-ID`` in a parsed head if it is usable, else a new id."""
    for name, value in getattr(req, "headers", None) or ():
        if name == "X-REQUEST-ID":
            return accepted_request_id(value) or new_request_id()
    return new_request_id()


class _TooSlow(Exception):
    """The client did not send its request within the read timeout."""


class SyncServiceWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker with whole-request reading, request deadlines, draining on SIGTERM and
    ELG error answers."""

    max_requests: int  # set by gunicorn's Worker

    def init_process(self) -> None:
        # Replaced after MAX_REQUESTS (and above MAX_WORKER_MEMORY) through the master, which starts
        # the successor first, rather than by gunicorn's own stop after the request.
        self.recycle_after = self.max_requests  # gunicorn's MAX_REQUESTS plus its jitter
        self.max_requests = sys.maxsize
        self.retiring = False
        heap.map_large_blocks()
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        settings = getattr(self.app, "settings", None) or ServerSettings.resolve()
        config = getattr(self.wsgi, "config", None)
        self.body_limit: int | None = config.get("MAX_CONTENT_LENGTH") if config is not None else None
        self.read_timeout: float = settings.read_timeout
        self.memory = MemoryGuard(settings.max_worker_memory, interval=0)  # no timer here: after each request
        self.wsgi: Callable[..., Iterable[bytes]] = _DeadlineApp(self.wsgi, settings.request_timeout, self.notify)
        batched = batching.declared()
        if batched:
            self.log.info("the sync worker answers one request at a time: the batched handler%s %s run%s with "
                          "batches of one (the default worker class batches)", "s" if len(batched) > 1 else "",
                          ", ".join(batched), "" if len(batched) > 1 else "s")

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        """Read one request whole, then answer it (gunicorn's sync worker closes every connection)."""
        reader: RequestReader | None = None
        opened = time.monotonic()
        try:
            if self.cfg.is_ssl:
                client = gunicorn_sock.ssl_wrap_socket(client, self.cfg)
            reader = RequestReader(self.cfg, addr, self.body_limit)
            if self._read(client, reader, opened):
                client.settimeout(None)
                self.handle_request(listener, reader.request, client, addr)
        except _TooSlow:
            assert reader is not None
            self._answer(client, reader.request, answers.read_timeout(self.read_timeout), opened)
        except StopIteration:  # gunicorn's: the application failed after its answer had started; it was cut
            pass
        except ssl.SSLError as error:
            self.log.debug("TLS error from %s: %s", addr, error)
        except OSError as error:
            if isinstance(error, TimeoutError) or error.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.debug("the client %s went away: %s", addr, error)
            else:
                self.log.exception("socket error answering %s", addr)
        except BaseException as error:
            self.handle_error(reader.request if reader is not None else None, client, addr, error)
        finally:
            if reader is not None:
                reader.close()
            util.close_graceful(client)

    def _read(self, client: Any, reader: RequestReader, opened: float) -> bool:
        """Read until ``reader`` has the whole request; False if the client closed first or sent nothing.

        The same clocks as the service worker: the head within ``READ_TIMEOUT`` of the connection's
        start, and no pause longer than that in the body.
        """
        last = opened
        while not reader.complete:
            now = time.monotonic()
            deadline = (opened if reader.request is None else last) + self.read_timeout
            if now >= deadline:
                if reader.started:
                    raise _TooSlow()
                return False  # an idle connection is closed without an answer
            client.settimeout(min(deadline - now, HEARTBEAT))
            try:
                data = client.recv(reader.wanted(READ_SIZE))
            except TimeoutError:
                data = None
            if data is None:
                self.notify()  # a slow client must not look like a stuck worker to the master
                continue
            if not data:
                return False
            reader.feed(data)
            last = time.monotonic()
            if reader.wants_continue:
                reader.wants_continue = False
                client.sendall(CONTINUE)
        return True

    def handle_request(self, listener: Any, req: Any, client: Any, addr: Any) -> None:
        size = len(req.body)
        try:
            super().handle_request(listener, req, client, addr)
        finally:
            heap.after_request(size)  # before the memory check: what the request freed is not the worker's
            if self.nr >= self.recycle_after:
                replace(self, f"it answered {self.nr} requests (MAX_REQUESTS)", logging.INFO)
            elif self.memory.exceeded():
                replace(self, f"its memory ({self.memory.describe()}) is over MAX_WORKER_MEMORY")
            if self.retiring:
                # Take no new connection (they wait in the listening socket's backlog for the successor
                # the master starts): MAX_REQUESTS is kept, and no request is lost.
                self.alive = False

    def handle_exit(self, sig: int, frame: Any) -> None:
        lifecycle.begin_draining()
        super().handle_exit(sig, frame)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer what gunicorn answers with an HTML page as an ELG failure instead."""
        if isinstance(exc, DeadlinePassed):  # between two chunks of an answer already under way: cut it
            self.log.warning("%s passed its deadline while its answer was being sent", getattr(req, "uri", "a request"))
            return
        if isinstance(exc, answers.ServerAnswerError) or (
            isinstance(exc, ParseException) and not isinstance(exc, answers.RESPONSE_ERRORS)
        ):
            answer = answers.for_parse_error(exc)
            self.log.debug("invalid request from %s: %s", addr, exc)
        else:
            self.log.exception("error answering %s", getattr(req, "uri", "a request"))
            answer = answers.application_failed()
        self._answer(client, req, answer, None)

    def _answer(self, client: Any, req: Any, answer: answers.ServerAnswer, started: float | None) -> None:
        """Send the server's own ``answer`` and report it."""
        request_id = _request_id_of(req)
        try:
            client.settimeout(self.read_timeout)  # a client that reads nothing must not hold the worker
            client.sendall(answer.http(close=True, request_id=request_id))
        except OSError:
            pass
        record = RequestRecord(request_id, getattr(req, "method", None) or "-", getattr(req, "path", None) or "-",
                               started=started)
        record.finish(answer.status, answer.code)
