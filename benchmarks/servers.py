"""The four apps under test and their gunicorn servers, started and always stopped.

Every server runs in its own session (process group) so that stopping it
stops the master and its workers together; every group started is tracked
and killed at exit, on error and on Ctrl-C.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from collections.abc import Sequence

import http1
import rss
from scenarios import TINY_TEXT

APPS_DIR = Path(__file__).resolve().parent / "apps"
HOST = "127.0.0.1"
#: Log level for every app: quiet (warnings and errors only), so logging costs the same everywhere.
LOG_LEVEL = "WARNING"
#: gunicorn flags common to every app and configuration.
COMMON_FLAGS = ("--timeout", "120", "--graceful-timeout", "5", "--log-level", LOG_LEVEL.lower(),
                "--worker-tmp-dir", "/dev/shm")
CONFIGS: dict[str, Sequence[str]] = {
    "sync1": ("--workers", "1", "--worker-class", "sync"),
    "gthread2x4": ("--workers", "2", "--worker-class", "gthread", "--threads", "4"),
}
CONFIG_TITLES = {"sync1": "config 1: 1 sync worker", "gthread2x4": "config 2: 2 gthread workers x 4 threads"}
#: Environment variables that would change how an app or gunicorn behaves: never inherited.
SCRUBBED_ENV = ("GUNICORN_CMD_ARGS", "ELG_SERVICE", "MAX_REQUEST_SIZE", "HOST", "PORT", "WORKERS", "THREADS",
                "TIMEOUT", "WORKER_CLASS", "LOG_LEVEL", "LOGURU_LEVEL", "PYTHONPATH",
                # without bytecode caches every start recompiles the sources: unfair to an editable install
                "PYTHONDONTWRITEBYTECODE")
TINY_BODY = json.dumps({"type": "text", "content": TINY_TEXT}).encode()
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True)
class App:
    """One app under test: which interpreter runs it and what gunicorn loads."""

    name: str
    title: str
    python: str
    wsgi_target: str
    #: The command users run to start it, for the cold-start measurement (``{port}`` filled in).
    user_command: Sequence[str] = ()


def apps(ref_python: str | None) -> list[App]:
    """ours, ref (when its venv is available), flask and raw."""
    ours_script = str(APPS_DIR / "ours_app.py")
    found = [App("ours", "elg_decorators (decorated functions)", sys.executable,
                 f"elg_decorators.wsgi:load_app({ours_script!r})",
                 (sys.executable, "-m", "elg_decorators", "serve", ours_script, "--host", HOST, "--port", "{port}",
                  "--workers", "1", "--worker-class", "sync", "--log-level", LOG_LEVEL))]
    if ref_python:
        found.append(App("ref", "elg 0.6.0 FlaskService subclass", ref_python, "ref_app:app"))
    found.append(App("flask", "plain Flask route", sys.executable, "flask_app:app"))
    found.append(App("raw", "raw WSGI callable (floor)", sys.executable, "raw_app:app"))
    return found


def server_env() -> dict[str, str]:
    """The environment every server gets: same log level, the apps folder importable."""
    env = {name: value for name, value in os.environ.items() if name not in SCRUBBED_ENV}
    env.update(LOG_LEVEL=LOG_LEVEL, LOGURU_LEVEL=LOG_LEVEL, PYTHONPATH=str(APPS_DIR))
    return env


@cache
def _has_control_socket(python: str) -> bool:
    done = subprocess.run([python, "-m", "gunicorn", "--help"], capture_output=True, text=True, timeout=60)
    return "--no-control-socket" in done.stdout


def gunicorn_command(app: App, config: str, port: int) -> list[str]:
    """``python -m gunicorn`` with the flags every app shares for ``config``."""
    extra = ["--no-control-socket"] if _has_control_socket(app.python) else []
    return [app.python, "-m", "gunicorn", "--bind", f"{HOST}:{port}", *CONFIGS[config], *COMMON_FLAGS, *extra,
            app.wsgi_target]


def free_port() -> int:
    """A TCP port on the loopback nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# -- process tracking ---------------------------------------------------------------

_RUNNING: dict[int, subprocess.Popen] = {}  # type: ignore[type-arg]


def spawn(command: Sequence[str], log_path: Path,  # type: ignore[type-arg]
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``command`` in a new session, output to ``log_path``, tracked for clean-up.

    ``env`` replaces :func:`server_env` (by default every server gets the same environment)."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(list(command), cwd=APPS_DIR, env=env if env is not None else server_env(),
                                   stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _RUNNING[process.pid] = process
    return process


def stop(process: subprocess.Popen, grace: float = 5.0) -> None:  # type: ignore[type-arg]
    """Stop the process group of ``process`` (SIGTERM, then SIGKILL after ``grace`` seconds)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            try:  # workers may outlive the master briefly
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
        except subprocess.TimeoutExpired:
            continue
    _RUNNING.pop(process.pid, None)


def stop_all() -> None:
    """Stop every server still running (at exit, on error, on Ctrl-C)."""
    for process in list(_RUNNING.values()):
        stop(process, grace=2.0)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup() -> None:
    """Stop all servers at interpreter exit and turn SIGTERM/SIGHUP into KeyboardInterrupt."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)


def tiny_ok(port: int, timeout: float = 5.0) -> bool:
    """True once the server at ``port`` answers a tiny text request with 200."""
    try:
        return http1.post(HOST, port, "/process", JSON_HEADERS, TINY_BODY, timeout=timeout).status == 200
    except OSError:
        return False


def wait_until_ready(process: subprocess.Popen, port: int, log_path: Path, timeout: float = 60.0,  # type: ignore[type-arg]
                     interval: float = 0.01) -> float:
    """Seconds until the first successful response; raises if the server dies or takes too long."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{_tail(log_path)}")
        if tiny_ok(port):
            return time.perf_counter() - started
        time.sleep(interval)
    raise RuntimeError(f"server not ready after {timeout:.0f}s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Server:
    """An app under gunicorn with one configuration: ``with Server(app, config) as server: ...``."""

    def __init__(self, app: App, config: str, log_dir: Path) -> None:
        self.app, self.config = app, config
        self.port = free_port()
        self.log_path = log_dir / f"{app.name}-{config}.log"
        self.process: subprocess.Popen | None = None  # type: ignore[type-arg]
        self.workers: list[int] = []

    def __enter__(self) -> Server:
        self.process = spawn(gunicorn_command(self.app, self.config, self.port), self.log_path)
        wait_until_ready(self.process, self.port, self.log_path)
        expected = int(CONFIGS[self.config][1])
        deadline = time.monotonic() + 30
        while len(self.workers) < expected and time.monotonic() < deadline:
            self.workers = rss.children(self.process.pid)
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop(self.process)

    def log_tail(self) -> str:
        """The end of the server's log (warnings and errors)."""
        return _tail(self.log_path)


def new_log_dir() -> Path:
    """A temporary folder for server logs."""
    return Path(tempfile.mkdtemp(prefix="elg-bench-logs-"))
