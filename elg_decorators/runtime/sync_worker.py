"""gunicorn's sync worker (one request at a time per process), with deadlines and ELG answers.

A sync worker has one thread, so a deadline can interrupt the handler itself: while a
request runs, an interval timer (``SIGALRM``) checks its deadline four times a second and,
once it passed, raises :class:`DeadlinePassed` in the handler; the client gets a 504 ELG
failure, or one final failure event in a stream. A handler blocked in C code that does not
return to Python is cut by gunicorn's own worker timeout (``TIMEOUT``) instead.
"""
from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from gunicorn.http.errors import ParseException
from gunicorn.workers.sync import SyncWorker

from ..protocol.status_lines import status_line
from ..settings import ServerSettings
from . import answers
from .lifecycle import RECORD_KEY, RequestRecord, lifecycle
from .process import REQUEST_ID_HEADER, accepted_request_id, new_request_id
from .reading import KNOWN_METHODS, Body
from .recycling import MemoryGuard, replace

#: Seconds between two checks of the running request's deadline.
CHECK_INTERVAL = 0.25


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
        self.deadline: Optional[RequestRecord] = None
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
    """WSGI middleware run by the sync worker: request id, deadline, readable body, ELG refusals."""

    def __init__(self, app: Callable[..., Iterable[bytes]], seconds: float, heartbeat: Callable[[], None]) -> None:
        self.app = app
        self.seconds = seconds
        self.alarm = _Alarm(heartbeat)

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_id = _request_id(environ)
        method = environ.get("REQUEST_METHOD", "")
        deadline = RequestRecord(request_id, method or "-", environ.get("PATH_INFO", "") or "/", self.seconds)
        environ[RECORD_KEY] = deadline
        if method not in KNOWN_METHODS:
            return self._refuse(environ, start_response, answers.unknown_method(method), deadline, request_id)
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            try:  # read now, so that a malformed chunk is the client's 400, not the handler's 500
                data = environ["wsgi.input"].read()
            except ParseException as error:
                return self._refuse(environ, start_response, answers.for_parse_error(error), deadline, request_id)
            environ["wsgi.input"] = Body(data)
            environ["CONTENT_LENGTH"] = str(len(data))
        sent: List[str] = []

        def tracking_start_response(status: str, headers: List[Any], exc_info: Any = None) -> Any:
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

    def _iterate(self, body: Iterable[bytes], environ: Dict[str, Any], start_response: Callable[..., Any],
                 deadline: RequestRecord, request_id: str, content_type: List[str]) -> Iterator[bytes]:
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

    def _refuse(self, environ: Dict[str, Any], start_response: Callable[..., Any], answer: answers.ServerAnswer,
                deadline: RequestRecord, request_id: str, exc_info: Any = None) -> List[bytes]:
        body = answer.body()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                   (REQUEST_ID_HEADER, request_id), *answer.headers]
        start_response(status_line(answer.status), headers, exc_info)
        self._report(environ, answer, deadline, request_id)
        return [body]

    @staticmethod
    def _report(environ: Dict[str, Any], answer: answers.ServerAnswer, deadline: RequestRecord,
                request_id: str) -> None:
        deadline.overtaken = True
        deadline.finish(answer.status, answer.code)


def _request_id(environ: Dict[str, Any]) -> str:
    return accepted_request_id(environ.get("HTTP_X_REQUEST_ID")) or new_request_id()


class SyncServiceWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker with request deadlines, draining on SIGTERM and ELG error answers."""

    max_requests: int  # set by gunicorn's Worker

    def init_process(self) -> None:
        # Replaced after MAX_REQUESTS (and above MAX_WORKER_MEMORY) through the master, which starts
        # the successor first, rather than by gunicorn's own stop after the request.
        self.recycle_after = self.max_requests  # gunicorn's MAX_REQUESTS plus its jitter
        self.max_requests = sys.maxsize
        self.retiring = False
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        settings = getattr(self.app, "settings", None) or ServerSettings.resolve()
        self.memory = MemoryGuard(settings.max_worker_memory, interval=0)  # no timer here: after each request
        self.wsgi: Callable[..., Iterable[bytes]] = _DeadlineApp(self.wsgi, settings.request_timeout, self.notify)

    def handle_request(self, listener: Any, req: Any, client: Any, addr: Any) -> None:
        try:
            super().handle_request(listener, req, client, addr)
        finally:
            if self.nr >= self.recycle_after:
                replace(self, f"it answered {self.nr} requests (MAX_REQUESTS)", logging.INFO)
            elif self.memory.exceeded():
                replace(self, f"its memory ({self.memory.describe()}) is over MAX_WORKER_MEMORY")

    def handle_exit(self, sig: int, frame: Any) -> None:
        lifecycle.begin_draining()
        super().handle_exit(sig, frame)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer what gunicorn answers with an HTML page as an ELG failure instead."""
        if isinstance(exc, DeadlinePassed):  # between two chunks of an answer already under way: cut it
            self.log.warning("%s passed its deadline while its answer was being sent", getattr(req, "uri", "a request"))
            return
        if isinstance(exc, ParseException) and not isinstance(exc, answers.RESPONSE_ERRORS):
            answer = answers.for_parse_error(exc)
            self.log.debug("invalid request from %s: %s", addr, exc)
        else:
            self.log.exception("error answering %s", getattr(req, "uri", "a request"))
            answer = answers.application_failed()
        try:
            client.sendall(answer.http(close=True))
        except OSError:
            pass
        RequestRecord(new_request_id(), getattr(req, "method", None) or "-",
                      getattr(req, "path", None) or "-").finish(answer.status, answer.code)
