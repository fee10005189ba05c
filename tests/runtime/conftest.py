"""Fixtures of the runtime tests: services started with ``python -m elg_decorators serve``.

Servers come from the hardening fixtures' helpers (real gunicorn process trees in their own
session on 127.0.0.1, stopped by pid); settings are given as the environment variables that
``serve`` reads.
"""
from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pytest

from hardening.conftest import (
    RawResponse,
    Server,
    assert_elg_failure,
    assert_elg_response,
    free_port,
    post,
    serve_command,
    start_server,
)

SERVICE = Path(__file__).resolve().parent / "services" / "runtime_service.py"
#: The two worker classes the README documents: the default service worker, and sync.
WORKER_CLASSES = ("default", "sync")
SSE_HEADERS = {"Accept": "text/event-stream"}


def text(content: str = "still here", **params: Any) -> bytes:
    """A text request body."""
    message: dict[str, Any] = {"type": "text", "content": content}
    if params:
        message["params"] = params
    return json.dumps(message).encode()


def start(tmp: Path, name: str, *args: str, env: Mapping[str, str] | None = None,
          worker_class: str = "default") -> Server:
    """``serve`` the runtime service with ``args`` and environment ``env`` on a free port."""
    port = free_port()
    extra = list(args) + (["--worker-class", worker_class] if worker_class != "default" else [])
    return start_server(name, serve_command(SERVICE, port, *extra), port, tmp, env=dict(env or {}),
                        drop_env=["MAX_REQUEST_SIZE", "REQUEST_TIMEOUT", "THREADS", "WORKERS", "MAX_QUEUE",
                                  "READ_TIMEOUT", "MAX_REQUESTS", "MAX_WORKER_MEMORY", "GRACEFUL_TIMEOUT",
                                  "PROMETHEUS_MULTIPROC_DIR"])


def assert_answered(port: int) -> dict[str, Any]:
    """A valid request right now gets its 200 ELG response."""
    return assert_elg_response(post(port, "/process", text()), "annotations")


def events(response: RawResponse) -> list[dict[str, Any]]:
    """The JSON messages of a server-sent-event body."""
    assert response.content_type.startswith("text/event-stream"), (response.status, response.body[:300])
    blocks = [block for block in response.body.replace(b"\r\n", b"\n").split(b"\n\n") if block.strip()]
    found = []
    for block in blocks:
        assert block.startswith(b"data:"), block[:200]
        found.append(json.loads(block[len(b"data:"):]))
    return found


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """``call()``'s result and the seconds it took."""
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def connect(port: int, timeout: float = 30.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """Everything the server sends until it closes the connection, split into head and body."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture(scope="session")
def runtime_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runtime-servers")


@pytest.fixture
def server_factory(runtime_tmp: Path) -> Iterator[Callable[..., Server]]:
    """Start servers for one test; every one is stopped afterwards."""
    started: list[Server] = []

    def factory(name: str, *args: str, **options: Any) -> Server:
        server = start(runtime_tmp, name, *args, **options)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


__all__ = ["assert_elg_failure", "assert_elg_response", "post", "Server"]
