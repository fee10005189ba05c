"""A minimal HTTP/1.1 client over raw sockets: one request, read back exactly one response.

Used by the Python load generator, the correctness checks, the error probes
and the cold-start timer, so that all of them speak to every app the same way.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import IO
from collections.abc import Mapping


@dataclass
class Answer:
    """One HTTP response: status, headers (lower-case names), body, and whether the server closes."""

    status: int
    headers: dict[str, str]
    body: bytes
    closes: bool


def request_bytes(host: str, port: int, path: str, headers: Mapping[str, str], body: bytes,
                  keep_alive: bool = True) -> bytes:
    """The bytes of a POST request (head and body)."""
    if "Connection" in headers:
        keep_alive = headers["Connection"].lower() != "close"
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}",
             f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name != "Connection"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_answer(stream: IO[bytes], keep_body: bool = True) -> Answer:
    """Read one response from a buffered socket stream (Content-Length, chunked, or until close)."""
    status_line = stream.readline(65537)
    if not status_line:
        raise ConnectionError("connection closed before the response")
    parts = status_line.split(None, 2)
    status = int(parts[1])
    headers: dict[str, str] = {}
    while True:
        line = stream.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    closes = headers.get("connection", "").lower() == "close" or parts[0] == b"HTTP/1.0"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _read_chunked(stream, keep_body)
    elif "content-length" in headers:
        body = _read_exactly(stream, int(headers["content-length"]), keep_body)
    else:
        body, closes = stream.read(), True
    return Answer(status, headers, body if keep_body else b"", closes)


def _read_exactly(stream: IO[bytes], size: int, keep: bool) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ConnectionError(f"short body: {len(data)} of {size} bytes")
    return data if keep else b""


def _read_chunked(stream: IO[bytes], keep: bool) -> bytes:
    pieces = []
    while True:
        size_line = stream.readline(65537)
        if not size_line:
            raise ConnectionError("connection closed inside a chunked body")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(pieces)
        chunk = _read_exactly(stream, size, True)
        if keep:
            pieces.append(chunk)
        stream.read(2)


class Connection:
    """A reusable client connection that reconnects when the server closed the previous one."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None
        self._stream: IO[bytes] | None = None

    def exchange(self, payload: bytes, keep_body: bool = True) -> Answer:
        """Send ``payload`` (a whole request) and read its response."""
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._stream = self._sock.makefile("rb", buffering=256 * 1024)
        try:
            self._sock.sendall(payload)
            answer = read_answer(self._stream, keep_body)  # type: ignore[arg-type]
        except BaseException:
            self.close()
            raise
        if answer.closes:
            self.close()
        return answer

    def close(self) -> None:
        """Drop the connection (the next exchange opens a new one)."""
        if self._stream is not None:
            self._stream.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._stream = None


def post(host: str, port: int, path: str, headers: Mapping[str, str], body: bytes,
         timeout: float = 60.0) -> Answer:
    """One POST on a fresh connection."""
    connection = Connection(host, port, timeout)
    try:
        return connection.exchange(request_bytes(host, port, path, headers, body, keep_alive=False))
    finally:
        connection.close()


def split_status(answer: Answer) -> tuple[int, str]:
    """Status code and media type of an answer."""
    return answer.status, answer.headers.get("content-type", "").split(";")[0]
