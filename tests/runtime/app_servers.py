"""Starting the runtime tests' services under real gunicorn processes (built on the hardening fixtures)."""
from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hardening.conftest import RawResponse, Server, free_port, get, serve_command, start_server

SERVICES = Path(__file__).resolve().parent / "services"
APP_SERVICE = SERVICES / "app_runtime_service.py"
CLASSIC_SERVICE = SERVICES / "classic_setup_service.py"


def text(content: str = "hello", **params: Any) -> bytes:
    body: dict[str, Any] = {"type": "text", "content": content}
    if params:
        body["params"] = params
    return json.dumps(body).encode()


def serve(tmp: Path, name: str, script: Path = APP_SERVICE, *, workers: int = 2, log_level: str = "WARNING",
          env: Mapping[str, str] | None = None, extra: Sequence[str] = ()) -> Server:
    """``python -m elg_decorators serve script`` with ``workers`` workers; waits for GET /health."""
    port = free_port()
    command = serve_command(script, port, "--workers", str(workers), *extra)
    command[command.index("--log-level") + 1] = log_level
    return start_server(name, command, port, tmp, env=dict(env or {}), drop_env=["PROMETHEUS_MULTIPROC_DIR"])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ready_everywhere(server: Server, probes: int = 12) -> bool:
    """``probes`` readiness probes in a row (on new connections, so spread over the workers) answer 200."""
    return all(get(server.port, "/health/ready").status == 200 for _ in range(probes))


def stop_gracefully(server: Server, timeout: float = 30.0) -> int:
    """SIGTERM the master and wait for its exit status."""
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=timeout)


def teardown_lines(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    return [(int(pid), what) for pid, what in (line.split() for line in path.read_text().splitlines())]


def worker_of(response: RawResponse) -> int:
    return int(response.json()["response"]["texts"][0]["features"]["worker"])


