"""Ordinary clients that stress the service worker, over raw sockets: stream readers that close as
soon as the final event arrives, and plain POSTs in the background. Used by the worker tests and by
``benchmarks/worker_soak.py``."""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field

BODY = json.dumps({"type": "text", "content": "hello"}).encode()


@dataclass
class LoadReport:
    """What the clients saw."""

    streams: int = 0
    background: int = 0
    #: Seconds each background request took.
    durations: list[float] = field(default_factory=list)
    #: Requests that got no answer, or not the answer expected (a short description each).
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def slower_than(self, seconds: float) -> list[float]:
        return [took for took in self.durations if took > seconds]


def read_one(sock: socket.socket) -> tuple[bytes, bytes]:
    """One response with a Content-Length off a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before an answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of an answer")
        body += chunk
    return head, body


def _post(port: int, path: str, headers: bytes, timeout: float) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
                 % (path.encode(), headers, len(BODY), BODY))
    return sock


def close_after_final_event(port: int, until: float, report: LoadReport, timeout: float) -> None:
    """POST /stream asking for events, read until the final (response) event, close at once; repeat."""
    while time.monotonic() < until:
        try:
            with _post(port, "/stream", b"Accept: text/event-stream\r\n", timeout) as sock:
                received = b""
                while b'"response"' not in received:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError(f"closed before the final event: {received[:120]!r}")
                    received += chunk
            with report.lock:
                report.streams += 1
        except OSError as error:
            with report.lock:
                report.failures.append(f"stream: {error!r}")


def post_in_background(port: int, until: float, report: LoadReport, timeout: float) -> None:
    """POST /process on a new connection, read the whole answer; repeat."""
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            with _post(port, "/process", b"Connection: close\r\n", timeout) as sock:
                received = b""
                while chunk := sock.recv(65536):
                    received += chunk
            if not received.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(f"not a 200: {received[:120]!r}")
            with report.lock:
                report.background += 1
                report.durations.append(time.monotonic() - started)
        except OSError as error:
            with report.lock:
                report.failures.append(f"background: {error!r} after {time.monotonic() - started:.1f} s")


def run(port: int, seconds: float, *, closers: int = 24, background: int = 4, timeout: float = 60.0) -> LoadReport:
    """``closers`` stream clients and ``background`` plain clients for ``seconds``."""
    report = LoadReport()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=close_after_final_event, args=(port, until, report, timeout))
               for _ in range(closers)]
    threads += [threading.Thread(target=post_in_background, args=(port, until, report, timeout))
                for _ in range(background)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report
