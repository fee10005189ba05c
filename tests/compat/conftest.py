"""Fixtures of the compatibility tests: the reference elg environment and services run under
the reference and under elg_decorators with only their imports changed.

Servers are real processes (gunicorn; hypercorn for the reference's Quart services) started
in their own session on 127.0.0.1 and stopped by their pid in teardown (see ``Server.stop``).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from elg_decorators.settings import REFERENCE_STATUSES
from hardening.conftest import Server, free_port

from .reference_env import reference_python as _reference_python

SERVICES = Path(__file__).resolve().parent / "services"
STARTUP_TIMEOUT = 60.0

_ELG_IMPORT = re.compile(r"^(\s*)(from|import) elg\b", re.MULTILINE)


def with_our_imports(source: str) -> str:
    """``source`` with its ``elg`` imports turned into ``elg_decorators`` ones (and nothing else)."""
    return _ELG_IMPORT.sub(r"\1\2 elg_decorators", source)


def wait_for_port(server: Server, timeout: float = STARTUP_TIMEOUT) -> Server:
    """Wait until ``server`` accepts connections (its answer may still wait for a worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"{server.name} exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise AssertionError(f"{server.name} did not listen within {timeout}s:\n{server.log()[-3000:]}")


def launch(name: str, command: Sequence[str], port: int, cwd: Path, log_dir: Path,
           env: Mapping[str, str] | None = None) -> Server:
    """Start ``command`` in ``cwd`` and wait until it listens on ``port``."""
    environment = {key: value for key, value in os.environ.items() if key != REFERENCE_STATUSES.env}
    environment.update({"PYTHONUNBUFFERED": "1", **(env or {})})
    log_path = log_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, env=environment,
                                   cwd=str(cwd), start_new_session=True)
    return wait_for_port(Server(name, port, process, log_path))


class Services:
    """Starts a service of ``services/`` under the reference or under elg_decorators."""

    def __init__(self, tmp: Path, reference_python: Path) -> None:
        self.tmp = tmp
        self.reference_python = reference_python
        self.started: list[Server] = []

    def _copy(self, script: str, flavour: str) -> Path:
        folder = self.tmp / flavour
        folder.mkdir(exist_ok=True)
        for service in SERVICES.glob("*.py"):  # a service may import a sibling
            source = service.read_text()
            (folder / service.name).write_text(with_our_imports(source) if flavour == "ours" else source)
        return folder

    def reference(self, script: str, *, env: Mapping[str, str] | None = None) -> Server:
        """``script`` with the reference elg: gunicorn for FlaskService, hypercorn for QuartService."""
        folder, port, module = self._copy(script, "reference"), free_port(), Path(script).stem
        if "QuartService" in (SERVICES / script).read_text():
            command = [str(self.reference_python), "-m", "hypercorn", "--bind", f"127.0.0.1:{port}", f"{module}:app"]
        else:
            command = [str(self.reference_python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                       "--log-level", "warning", f"{module}:app"]
        return self._start(f"reference-{module}-{port}", command, port, folder, env)

    def ours(self, script: str, *, env: Mapping[str, str] | None = None, workers: int = 1,
             threads: int = 4) -> Server:
        """``script`` with its imports changed to elg_decorators, under gunicorn (gthread)."""
        folder, port, module = self._copy(script, "ours"), free_port(), Path(script).stem
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "--workers", str(workers), "--threads", str(threads), f"{module}:app"]
        return self._start(f"ours-{module}-{port}", command, port, folder, env)

    def _start(self, name: str, command: list[str], port: int, folder: Path,
               env: Mapping[str, str] | None) -> Server:
        server = launch(name, command, port, folder, self.tmp, env)
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()
        self.started.clear()


@pytest.fixture(scope="session")
def reference_python() -> Path:
    """The python of a virtual environment holding the reference elg 0.6.0."""
    return _reference_python()


@pytest.fixture
def services(tmp_path: Path, reference_python: Path) -> Iterator[Services]:
    started = Services(tmp_path, reference_python)
    yield started
    started.stop_all()


@pytest.fixture
def our_services(tmp_path: Path) -> Iterator[Services]:
    """Like ``services``, for tests that run only elg_decorators (no reference environment needed)."""
    started = Services(tmp_path, Path(sys.executable))
    yield started
    started.stop_all()
