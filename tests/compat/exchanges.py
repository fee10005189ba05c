"""The requests the comparison harness sends to each service, and how answers are compared."""
from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

from hardening.conftest import RawResponse

BOUNDARY = "compat-boundary"


def multipart(*parts: tuple[str, str, bytes, str | None]) -> tuple[bytes, str]:
    """A multipart/form-data body of (name, content type, data, filename) parts."""
    chunks = []
    for name, content_type, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
                      .encode() + data + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


def wav(frames: int = 800, rate: int = 8000) -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\x00\x01" * frames)
    return buffer.getvalue()


@dataclass(frozen=True)
class Exchange:
    """One request to send to both services."""

    name: str
    path: str
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, name: str, path: str, message: Any) -> Exchange:
        return cls(name, path, json.dumps(message).encode())

    def send(self, port: int) -> RawResponse:
        # http.client keeps its side of the connection open until the answer is read (an ASGI
        # server may take a half-closed connection for a client that went away).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", self.path, self.body, {"Content-Type": self.content_type})
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return RawResponse(response.status, headers, response.read())
        finally:
            connection.close()


def answer(response: RawResponse) -> tuple[int, Any]:
    """Status and parsed JSON body (or the body's first bytes when it is not JSON)."""
    if response.content_type.split(";")[0].strip() == "application/json":
        return response.status, response.json()
    return response.status, response.body[:60]
