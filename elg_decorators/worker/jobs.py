"""One request inside the worker, from the moment it was read whole until it is answered.

A :class:`Job` is answered by the thread that runs the application, unless the server
answers it first (its deadline passed, or the worker stops): then the job is *overtaken*,
and everything the application still writes is dropped. :class:`GuardedSocket` is what the
thread writes through, so that the two never both write to the client.

Nothing here interrupts a thread from outside. A thread learns that its job was overtaken,
or that the client of its event stream went away, when it next writes: the write raises
:class:`Overtaken` in the thread itself, at that one known place, and the thread closes the
application's answer (a stream's generator sees ``GeneratorExit``). A handler that never
writes again keeps its thread until it returns; the pool replaces such a thread at once
(see :mod:`.pool`).
"""
from __future__ import annotations

import socket
import threading
from typing import Any

from ..runtime.lifecycle import RequestRecord
from .answers import ServerAnswer

#: How long the server waits for a writing thread before it cuts the connection under it.
WRITER_PATIENCE = 0.5


class Overtaken(Exception):
    """Raised by a write of a thread whose request was answered by the server, or whose stream's
    client went away: nothing more is to be written."""


class Job:
    """A complete request waiting for, or running in, a thread."""

    __slots__ = ("connection", "request", "record", "lock", "response", "thread_id", "half_closed",
                 "client_gone", "done", "held")

    def __init__(self, connection: Any, request: Any, record: RequestRecord) -> None:
        self.connection = connection
        self.request = request
        self.record = record
        #: Held while the thread writes, and while the server takes the job over.
        self.lock = threading.Lock()
        #: gunicorn's response object, once the thread made it.
        self.response: Any = None
        self.thread_id: int | None = None
        #: For a stream: whether the client had already shut down its side when the stream began
        #: (then the end of its side says nothing), and whether it has gone since.
        self.half_closed: bool | None = None
        self.client_gone = False
        #: The application's whole answer went through: the server no longer answers in its place.
        self.done = False
        #: The response's head, written but not yet sent (see :class:`GuardedSocket`).
        self.held = b""

    @property
    def overtaken(self) -> bool:
        return self.record.overtaken

    @property
    def streaming(self) -> bool:
        """The answer under way is a server-sent-event stream."""
        response = self.response
        return response is not None and response.headers_sent and _is_event_stream(response)

    def peer_closed(self) -> bool:
        """The client closed its side of the connection (or the connection failed)."""
        try:
            peeked: bytes = self.connection.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return peeked == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def overtake(self, answer: ServerAnswer) -> bool:
        """Answer the client with ``answer`` in place of the application and close the connection.

        Before the response started, the client gets ``answer`` as an HTTP response; during a
        server-sent-event stream, as one final event; in the middle of another body, nothing
        more (the connection closes). Returns False if the application's answer is already
        complete (a stream's final event included), or the job was overtaken before.
        """
        sock = self.connection.sock
        if not self.lock.acquire(timeout=WRITER_PATIENCE):
            # The thread is blocked writing to a client that does not read: cut the connection.
            if self.done or self.record.overtaken:
                return False
            self.record.overtaken = True
            _close(sock)
            self.record.finish(answer.status, answer.code)
            return True
        try:
            if self.done or self.record.overtaken or self.record.answered:
                return False
            self.record.overtaken = True
            data = self._final_bytes(answer)
            if data:
                try:
                    sock.send(data, socket.MSG_DONTWAIT)
                except OSError:
                    pass
            _close(sock)
        finally:
            self.lock.release()
        self.record.finish(answer.status, answer.code)
        return True

    def _final_bytes(self, answer: ServerAnswer) -> bytes:
        response = self.response
        if response is None or not response.headers_sent:
            return answer.http(close=True, request_id=self.record.request_id)
        if not _is_event_stream(response):
            return b""
        event = answer.event()
        if response.chunked:
            event = b"%x\r\n%s\r\n0\r\n\r\n" % (len(event), event)
        return self.held + event


class GuardedSocket:
    """The client socket as the application's thread sees it: writes stop once the job is overtaken
    or, for an event stream, once its client went away.

    gunicorn writes a response's head and its body separately; the head is held back and sent
    with the first piece of the body, in one system call and one TCP segment (:meth:`flush`
    sends a head without body).
    """

    __slots__ = ("_job", "_sock", "_first", "_stream")

    def __init__(self, job: Job, sock: socket.socket) -> None:
        self._job = job
        self._sock = sock
        self._first = True
        self._stream = False

    def sendall(self, data: bytes) -> None:
        job = self._job
        if self._first:
            self._first = False
            job.held = bytes(data)
            if job.response is not None and _is_event_stream(job.response):
                self._stream = True
                job.half_closed = job.peer_closed()  # a client that shut down its side before the stream
            return
        if self._stream and job.half_closed is False and job.peer_closed():
            job.client_gone = True
        with job.lock:
            if job.record.overtaken or job.client_gone:
                raise Overtaken()
            if job.held:
                data, job.held = job.held + data, b""
            self._sock.sendall(data)

    send = sendall

    def flush(self) -> None:
        """Send a held head (an answer without body)."""
        if self._job.held:
            self.sendall(b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _is_event_stream(response: Any) -> bool:
    content_type = next((value for name, value in response.headers if name.lower() == "content-type"), "")
    return str(content_type).startswith("text/event-stream")


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
