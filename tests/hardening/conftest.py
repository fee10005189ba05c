"""Shared fixtures of the hardening tests: free ports, real gunicorn servers, a raw HTTP client.

Every server is a real process tree (a gunicorn master and its workers) started in its own
session on 127.0.0.1 and killed in fixture teardown: SIGTERM to the master first, then
SIGKILL to the process group it leads, which holds only processes these fixtures started.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from capabilities import require_proc

from elg_decorators.kinds import REQUEST_KINDS
from elg_decorators.settings import SETTINGS

HERE = Path(__file__).resolve().parent
SERVICES = HERE / "services"
HOSTILE_SERVICE = SERVICES / "hostile_service.py"
REPO = HERE.parent.parent

#: The request-size limit of the main server (bytes).
SMALL_LIMIT = 1024 * 1024
#: Longest wait for a server to answer GET /health after it was started.
STARTUP_TIMEOUT = 30.0

VALID_TEXT = json.dumps({"type": "text", "content": "still here"}).encode()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a long-running hardening test (sustained load); still part of the default run"
    )


# -- ports and processes -------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid``, read from /proc (Linux only: elsewhere the test skips)."""
    require_proc()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, fields[1] the parent pid; zombies are not serving anything.
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(entry))
    return sorted(found)


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB (VmRSS of /proc/<pid>/status; Linux only: elsewhere the test skips)."""
    require_proc()
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


@dataclass
class Server:
    """A running gunicorn service on 127.0.0.1."""

    name: str
    port: int
    process: subprocess.Popen  # type: ignore[type-arg]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """Pids of the gunicorn workers (children of the master)."""
        return children_of(self.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_workers(self, count: int, *, excluding: Sequence[int] = (), timeout: float = 20.0) -> list[int]:
        """Wait until ``count`` workers run, none of them in ``excluding``; return their pids."""
        deadline = time.monotonic() + timeout
        workers = self.workers()
        while time.monotonic() < deadline:
            workers = self.workers()
            if len(workers) == count and not set(workers) & set(excluding):
                return workers
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: workers {workers}, wanted {count} new ones; log:\n{self.log()[-3000:]}")

    def wait_for_replacement(self, before: Sequence[int], *, timeout: float = 20.0) -> list[int]:
        """Wait until as many workers run as in ``before`` but not the same ones; return them."""
        deadline = time.monotonic() + timeout
        workers = self.workers()
        while time.monotonic() < deadline:
            workers = self.workers()
            if len(workers) == len(before) and set(workers) != set(before):
                return workers
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: workers {workers} were not replaced; log:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the group this fixture created (start_new_session)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)


def start_server(
    name: str, command: Sequence[str], port: int, tmp_dir: Path, *, env: Mapping[str, str] | None = None,
    cwd: Path | None = None, drop_env: Sequence[str] = (),
) -> Server:
    """Start ``command`` (which must bind 127.0.0.1:``port``) and wait until GET /health answers 200."""
    environment = {key: value for key, value in os.environ.items() if key not in drop_env}
    environment.update(env or {})
    environment.setdefault("PYTHONUNBUFFERED", "1")
    log_path = tmp_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, env=environment,
            cwd=str(cwd or REPO), start_new_session=True,
        )
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}; log:\n{server.log()[-3000:]}")
        try:
            if get(port, "/health", timeout=2).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"{name} did not answer GET /health within {STARTUP_TIMEOUT}s; log:\n{server.log()[-3000:]}")


def serve_command(script: Path, port: int, *extra: str) -> list[str]:
    """``python -m elg_decorators serve`` on 127.0.0.1:port."""
    return [sys.executable, "-m", "elg_decorators", "serve", str(script), "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "WARNING", *extra]


def gunicorn_command(app: str, port: int, *extra: str) -> list[str]:
    """``python -m gunicorn`` serving the WSGI ``app`` string on 127.0.0.1:port."""
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *extra, app]


# -- raw HTTP --------------------------------------------------------------------


@dataclass
class RawResponse:
    """An HTTP response read off a socket, and whether the server closed the connection."""

    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body)


class ConnectionClosed(Exception):
    """The server closed the connection without sending a (complete) response."""


def build_request(
    method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None, *,
    content_length: int | None = None, chunked: bool = False, port: int = 0,
) -> bytes:
    """The bytes of an HTTP/1.1 request; with ``chunked`` the body is sent as 64 KiB chunks."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        step = 64 * 1024
        chunks = [b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step]) for i in range(0, len(body), step)]
        payload = b"".join(chunks) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def raw_exchange(port: int, data: bytes, *, timeout: float = 20.0) -> RawResponse:
    """Send ``data`` on a new connection and read one response.

    Sending stops early if the server closes or resets the connection (it may answer a
    too-large body before reading it); the response sent before the close is still read.
    """
    notes: list[str] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        view = memoryview(data)
        sent = 0
        try:
            while sent < len(data):
                sent += sock.send(view[sent:sent + 256 * 1024])
        except (BrokenPipeError, ConnectionResetError) as exc:
            notes.append(f"send stopped after {sent} of {len(data)} bytes: {type(exc).__name__}")
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        response = http.client.HTTPResponse(sock, method="POST")
        try:
            response.begin()
            body = response.read()
        except (http.client.RemoteDisconnected, http.client.IncompleteRead, ConnectionResetError) as exc:
            raise ConnectionClosed(f"{type(exc).__name__}: {exc}; {notes}") from None
        headers = {name.lower(): value for name, value in response.getheaders()}
        closed = response.will_close
        return RawResponse(response.status, headers, body, closed, notes)


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None, *,
    timeout: float = 20.0, **options: Any,
) -> RawResponse:
    """One raw HTTP request on its own connection."""
    return raw_exchange(port, build_request(method, path, body, headers, port=port, **options), timeout=timeout)


def post(port: int, path: str, body: bytes, content_type: str | None = "application/json", *,
         headers: Mapping[str, str] | None = None, **options: Any) -> RawResponse:
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return request(port, "POST", path, body, all_headers, **options)


def get(port: int, path: str, *, timeout: float = 20.0) -> RawResponse:
    return request(port, "GET", path, timeout=timeout)


# -- ELG assertions --------------------------------------------------------------------


def assert_elg_failure(response: RawResponse, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    """``response`` is an ELG failure (JSON, failure envelope, 4xx unless ``status`` says otherwise)."""
    shown = f"{response.status} {response.content_type} {response.body[:400]!r}"
    assert response.content_type.split(";")[0].strip() == "application/json", shown
    message = response.json()
    assert isinstance(message, dict) and list(message) == ["failure"], shown
    errors = message["failure"]["errors"]
    assert isinstance(errors, list) and errors, shown
    for error in errors:
        assert isinstance(error["code"], str) and isinstance(error["text"], str), shown
        assert isinstance(error["params"], list) and all(isinstance(p, str) for p in error["params"]), shown
    if status is None:
        assert 400 <= response.status < 500, shown
    else:
        assert response.status == status, shown
    if code is not None:
        assert errors[0]["code"] == code, shown
    return message["failure"]


def assert_elg_response(response: RawResponse, response_type: str | None = None) -> dict[str, Any]:
    """``response`` is a 200 ELG response message."""
    shown = f"{response.status} {response.content_type} {response.body[:400]!r}"
    assert response.status == 200, shown
    assert response.content_type.split(";")[0].strip() == "application/json", shown
    message = response.json()
    assert isinstance(message, dict) and list(message) == ["response"], shown
    if response_type is not None:
        assert message["response"]["type"] == response_type, shown
    return message["response"]


def assert_serving(port: int) -> None:
    """A valid request right now gets a 200 ELG response."""
    answer = assert_elg_response(post(port, "/process", VALID_TEXT), "annotations")
    assert answer["features"]["length"] == len("still here")


# -- servers ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def main_server(server_tmp: Path) -> Iterator[Server]:
    """``python -m elg_decorators serve`` with 2 gthread workers and a 1 MiB request-size limit."""
    port = free_port()
    server = start_server(
        "main", serve_command(HOSTILE_SERVICE, port, "--workers", "2", "--threads", "4", "--timeout", "30"),
        port, server_tmp, env={"MAX_REQUEST_SIZE": str(SMALL_LIMIT)},
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def roomy_server(server_tmp: Path) -> Iterator[Server]:
    """``python -m elg_decorators serve`` with 2 gthread workers and the default size limit (64 MiB)."""
    port = free_port()
    server = start_server(
        "roomy", serve_command(HOSTILE_SERVICE, port, "--workers", "2", "--threads", "4", "--timeout", "60"),
        port, server_tmp, drop_env=["MAX_REQUEST_SIZE"],
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sync_server(server_tmp: Path) -> Iterator[Server]:
    """Plain ``gunicorn "elg_decorators.wsgi:load_app(...)"``: 2 sync workers, 2 s worker timeout."""
    port = free_port()
    server = start_server(
        "sync",
        gunicorn_command(f"elg_decorators.wsgi:load_app({str(HOSTILE_SERVICE)!r})", port,
                         "--workers", "2", "--worker-class", "sync", "--timeout", "2", "--graceful-timeout", "2"),
        port, server_tmp, drop_env=["MAX_REQUEST_SIZE"],
    )
    yield server
    server.stop()


PAYLOAD_SERVICE = SERVICES / "payload_service.py"


@pytest.fixture(scope="session")
def payload_server(server_tmp: Path) -> Iterator[Server]:
    """``python -m elg_decorators serve`` of the payload service with the default settings (one worker)."""
    port = free_port()
    server = start_server("payload", serve_command(PAYLOAD_SERVICE, port), port, server_tmp,
                          drop_env=[*(declared.env for declared in SETTINGS if declared.env), "MAX_REQUEST_SIZE",
                                    "GUNICORN_CMD_ARGS"])
    yield server
    server.stop()


# -- schemathesis ----------------------------------------------------------------------


@schemathesis.serializer(*REQUEST_KINDS["audio"].raw_media_types, *REQUEST_KINDS["image"].raw_media_types)
def _raw_binary_body(ctx: object, value: object) -> bytes:
    """Raw audio and image bodies: the document says ``type: string, format: binary``; send those bytes."""
    data = getattr(value, "data", value)  # generated bytes come wrapped in schemathesis's Binary (an empty str)
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    return str(data).encode("utf-8")
