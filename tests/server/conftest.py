"""Running services as real processes on 127.0.0.1, always stopped at teardown."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable, Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 20
STOP_SECONDS = 10


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningService:
    """A service process and the base URL it answers on."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the service exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the service did not answer /health within {STARTUP_SECONDS} s:\n{self.output()}")

    def stop(self) -> int | None:
        """Send SIGTERM and return the exit status, or None if it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)
            return None


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    """``start(args, env=...)``: run a command from the repository root and wait for /health.

    ``{port}`` in the arguments or environment values is replaced by a free port.
    """
    started: list[RunningService] = []

    def run(args: list[str], env: dict[str, str] | None = None) -> RunningService:
        port = free_port()
        log = tmp_path / f"service-{len(started)}.log"
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        environment.update({name: value.format(port=port) for name, value in (env or {}).items()})
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, *(arg.format(port=port) for arg in args)],
                cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT,
            )
        service = RunningService(process, port, log)
        started.append(service)
        service.wait_until_healthy()
        return service

    yield run
    for service in started:
        service.stop()
