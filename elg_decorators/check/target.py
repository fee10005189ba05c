"""The service under check: a URL, or a script started on a free port for the run; its endpoints."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ..kinds import REQUEST_KINDS, fill_path, url_variables
from .case import Endpoint
from .http import send

STARTUP_TIMEOUT = 60.0


class Unreachable(Exception):
    """The service cannot be reached or started (exit status 2)."""


@dataclass
class Target:
    """The base URL, the endpoints to check, and notes on how they were found."""

    base_url: str
    endpoints: list[Endpoint]
    notes: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    def stop(self) -> None:
        """Stop the service the checker started (SIGTERM to its process group, then SIGKILL)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.log is not None:
            self.log.close()

    def log_tail(self, size: int = 2000) -> str:
        if self.log is None:
            return ""
        self.log.flush()
        return Path(self.log.name).read_bytes()[-size:].decode("utf-8", errors="replace")


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_script(script: str, timeout: float = STARTUP_TIMEOUT) -> Target:
    """Serve ``script`` (``python -m elg_decorators serve``) on a free port of 127.0.0.1 until it is ready."""
    if script.endswith(".py") and not Path(script).is_file():
        raise Unreachable(f"no such script: {script}")
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="elg-check-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "-m", "elg_decorators", "serve", script, "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    target = Target(f"http://127.0.0.1:{port}", [], [f"started {script} on port {port}"], process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unreachable(f"{script} exited with status {process.returncode}:\n{target.log_tail()}")
        if send("GET", f"{target.base_url}/health/ready", timeout=2).status == 200:
            return target
        time.sleep(0.1)
    target.stop()
    raise Unreachable(f"{script} was not ready within {timeout:.0f}s:\n{target.log_tail()}")


def health_endpoints(base_url: str) -> dict[str, tuple[str, ...]] | None:
    """The endpoints ``GET /health`` names (``{"endpoints": {"/process": ["text"]}}``), if it names them."""
    exchange = send("GET", base_url + "/health", timeout=10)
    try:
        endpoints = exchange.json().get("endpoints") if exchange.status == 200 else None
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    if not isinstance(endpoints, dict):
        return None
    return {str(path): tuple(str(kind) for kind in kinds) for path, kinds in endpoints.items()
            if isinstance(kinds, list)}


def _fill(template: str, variables: Mapping[str, str], notes: list[str]) -> str | None:
    missing = [variable.name for variable in url_variables(template) if variable.name not in variables]
    if missing:
        notes.append(f"{template} not checked: give its URL variables with "
                     + " ".join(f"--var {name}=VALUE" for name in missing))
        return None
    return fill_path(template, lambda variable: variables[variable.name])


def find_endpoints(target: Target, url_path: str, types: Sequence[str], variables: Mapping[str, str]) -> None:
    """Fill ``target.endpoints``: the URL's path with ``types``, or what ``/health`` names."""
    unknown = [kind for kind in types if kind not in REQUEST_KINDS]
    if unknown:
        raise ValueError(f"unknown request type {', '.join(unknown)}: choose among {', '.join(REQUEST_KINDS.types)}")
    declared = health_endpoints(target.base_url) or {}
    if url_path not in ("", "/"):
        kinds = tuple(types) or declared.get(url_path, ())
        if not kinds:
            kinds = ("text",)
            target.notes.append(f"{url_path}: request kinds unknown (not in GET /health): checked as text; "
                                "say which with --type")
        target.endpoints.append(Endpoint(url_path, kinds, url_path))
        return
    if not declared:
        raise ValueError("give the endpoint's URL (http://host:port/process): the service does not list its "
                         "endpoints at GET /health")
    for template, kinds in declared.items():
        path = _fill(template, variables, target.notes)
        if path is not None:
            target.endpoints.append(Endpoint(path, tuple(types) or kinds, template))


def open_target(target: str, types: Sequence[str], variables: Mapping[str, str]) -> Target:
    """Reach (or start) the service and find the endpoints to check."""
    if is_url(target):
        parts = urlsplit(target)
        found = Target(urlunsplit((parts.scheme, parts.netloc, "", "", "")), [])
        probe = send("GET", found.base_url + "/", timeout=10)
        if probe.status == 0:
            raise Unreachable(f"cannot reach {found.base_url}: {probe.error}")
        find_endpoints(found, parts.path, types, variables)
        return found
    started = start_script(target)
    try:
        find_endpoints(started, "", types, variables)
        if not started.endpoints:
            raise ValueError("no endpoint to check: " + "; ".join(started.notes[1:]))
    except BaseException:
        started.stop()
        raise
    return started


def parse_pairs(pairs: Sequence[str], option: str) -> dict[str, Any]:
    """``NAME=VALUE`` options as a dict (a VALUE that reads as JSON is that JSON value)."""
    import json

    found: dict[str, Any] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"{option} takes NAME=VALUE, not {pair!r}")
        try:
            found[name] = json.loads(value)
        except ValueError:
            found[name] = value
    return found
