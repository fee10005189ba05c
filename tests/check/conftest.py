"""Running ``check`` in-process against services started by the tests."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elg_decorators.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]
SERVICES = Path(__file__).resolve().parent / "services"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_check(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``check`` with ``args``; return its exit status, JSON report and printed summary."""
    report = tmp_path / f"report-{time.monotonic_ns()}.json"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", *args, "--json", str(report)])
    document = json.loads(report.read_text()) if report.exists() else {}
    return status, document, out.getvalue()


def failed(document: dict[str, Any], level: str | None = None) -> set[str]:
    return {case["id"] for case in document["cases"]
            if case["outcome"] == "failed" and (level is None or case["level"] == level)}


class PlainFlask:
    """``services/plain_flask.py`` with a defect, on a free port; stopped by its pid."""

    def __init__(self, defect: str, log: Path) -> None:
        self.port = free_port()
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, str(SERVICES / "plain_flask.py"), str(self.port), defect],
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"plain_flask.py {defect} did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/process"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        self.log.close()


@pytest.fixture
def plain_flask(tmp_path: Path) -> Iterator[Any]:
    started: list[PlainFlask] = []

    def start(defect: str) -> PlainFlask:
        server = PlainFlask(defect, tmp_path / f"{defect}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
