"""The checker's HTTP client (the standard library's ``http.client``) and what it records of each exchange."""
from __future__ import annotations

import http.client
import json
import select
import shlex
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: How many bytes of an answer a report shows.
PREVIEW = 300
#: The body sent by a case that only needs to be large: ``size`` bytes of spaces, as curl reads them from a pipe.
FILLER = b" "


@dataclass
class Exchange:
    """One request the checker sent and what came back (status 0: no answer, ``error`` says why)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""
    #: A shell command that writes the body on its standard output, for bodies too big to show.
    body_command: str | None = None
    status: int = 0
    reason: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    error: str | None = None
    seconds: float = 0.0

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The answer's body as JSON; raises ValueError if it is not UTF-8 JSON."""
        return json.loads(self.response_body.decode("utf-8"))

    def is_html(self) -> bool:
        start = self.response_body[:200].lstrip().lower()
        return "html" in self.media_type or start.startswith((b"<!doctype", b"<html"))

    def preview(self, size: int = PREVIEW) -> str:
        text = self.response_body[:size].decode("utf-8", errors="replace")
        return text + (f"… ({len(self.response_body)} bytes)" if len(self.response_body) > size else "")

    def answer_line(self) -> str:
        if self.status == 0:
            return f"no answer: {self.error}"
        return f"HTTP {self.status} {self.reason}, Content-Type: {self.content_type or '(none)'}"

    def curl(self) -> str:
        """A ``curl`` command that sends the same request."""
        parts = ["curl", "-sS", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            if name.lower() not in ("content-length", "host"):
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        prefix = ""
        if self.body_command is not None:
            prefix, body = f"{self.body_command} | ", "@-"
        elif self.body:
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and text.isprintable() and len(text) <= 2000:
                body = shlex.quote(text)
            else:
                escaped = "".join(f"\\x{byte:02x}" for byte in self.body[:4096])
                prefix, body = f"printf '{escaped}' | ", "@-"
        else:
            return " ".join(parts)
        return prefix + " ".join([*parts, "--data-binary", body])

    def record(self) -> dict[str, Any]:
        """What a JSON report keeps of it."""
        return {
            "request": {"method": self.method, "url": self.url, "headers": self.headers,
                        "body": self.body[:PREVIEW].decode("utf-8", errors="replace"), "bodyBytes": len(self.body)},
            "answer": {"status": self.status, "headers": self.response_headers, "body": self.preview(),
                       "error": self.error},
            "curl": self.curl(),
        }


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"not an http URL: {url}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return connection_class(parts.hostname or "localhost", parts.port, timeout=timeout), target


def send(method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None,
         timeout: float = 30.0) -> Exchange:
    """Send one request and read the whole answer (an event stream too, until it closes)."""
    exchange = Exchange(method, url, dict(headers or {}), body)
    started = time.monotonic()
    try:
        connection, target = _connection(url, timeout)
        try:
            connection.request(method, target, body=body if body or method == "POST" else None,
                               headers=exchange.headers)
            answer = connection.getresponse()
            exchange.status, exchange.reason = answer.status, answer.reason
            exchange.response_headers = {name.lower(): value for name, value in answer.getheaders()}
            exchange.response_body = answer.read()
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as exc:
        exchange.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    exchange.seconds = time.monotonic() - started
    return exchange


def send_large(url: str, size: int, headers: dict[str, str], timeout: float = 30.0) -> Exchange:
    """POST ``size`` bytes of filler, stopping as soon as the service answers (a service should refuse an
    oversized body from its Content-Length, before reading it)."""
    exchange = Exchange("POST", url, dict(headers), b"",
                        body_command=f"head -c {size} /dev/zero | tr '\\0' ' '")
    exchange.headers["Content-Length"] = str(size)
    parts = urlsplit(url)
    started = time.monotonic()
    try:
        with socket.create_connection((parts.hostname or "localhost", parts.port or 80), timeout=timeout) as sock:
            head = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
            head += [f"{name}: {value}" for name, value in exchange.headers.items()]
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            chunk, sent = FILLER * 65536, 0
            while sent < size:
                if select.select([sock], [], [], 0)[0]:
                    break  # it answered already
                piece = chunk[: size - sent]
                try:
                    sock.sendall(piece)
                except OSError:
                    break  # it closed the connection after answering
                sent += len(piece)
            answer = http.client.HTTPResponse(sock)
            answer.begin()
            exchange.status, exchange.reason = answer.status, answer.reason
            exchange.response_headers = {name.lower(): value for name, value in answer.getheaders()}
            exchange.response_body = answer.read()
    except (OSError, http.client.HTTPException) as exc:
        exchange.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    exchange.seconds = time.monotonic() - started
    return exchange
