"""Fixtures of the try-out page's tests: real ``serve`` processes and headless Chromium driving the page.

Each server is ``python -m elg_decorators serve <script>`` on 127.0.0.1, started in its own
session and stopped in teardown (SIGTERM to its process group, then SIGKILL), one per script
and test module. The browser is the system's Chromium (``/usr/bin/chromium``, Debian's
package, see ``.ci/install-system.sh``) driven by Playwright, with no network beyond loopback.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from capabilities import missing

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SERVICES = Path(__file__).resolve().parent / "services"
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, sandbox-free (CI runs as root), nothing fetched from the network; a fake microphone that plays a tone.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
]
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``serve`` process."""

    script: Path
    port: int
    process: subprocess.Popen  # type: ignore[type-arg]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _answers(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def start_server(script: Path, tmp_dir: Path, env: dict[str, str] | None = None) -> Server:
    """``python -m elg_decorators serve script`` on a free port, once GET /health answers 200."""
    port = free_port()
    log_path = tmp_dir / f"{script.stem}-{port}.log"
    environment = {key: value for key, value in os.environ.items() if key != "TRY_PAGE"}
    environment.update({"PYTHONUNBUFFERED": "1", **(env or {})})
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "elg_decorators", "serve", str(script), "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "WARNING"],
            stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=str(REPO), start_new_session=True,
        )
    server = Server(script, port, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{script.name} exited with {process.returncode}:\n{server.log()[-3000:]}")
        if _answers(port, "/health") == 200:
            return server
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"{script.name} did not answer within {STARTUP_TIMEOUT}s:\n{server.log()[-3000:]}")


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """``serve("dictionary_ner")``: a server of an example (or of ``services/<name>.py``), one per module."""
    servers: dict[tuple[str, tuple[tuple[str, str], ...]], Server] = {}
    tmp_dir = tmp_path_factory.mktemp("servers")

    def start(name: str, **env: str) -> Server:
        key = (name, tuple(sorted(env.items())))
        if key not in servers:
            script = EXAMPLES / f"{name}.py"
            servers[key] = start_server(script if script.exists() else SERVICES / f"{name}.py", tmp_dir, env)
        return servers[key]

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, launched once."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        missing("Chromium is not installed: sudo .ci/install-system.sh (Debian's chromium package)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def wait_for(page: Any, predicate: str, timeout: float = 15.0) -> Any:
    """Poll ``predicate`` (a JavaScript function) until it returns a true value, and return that value.

    Playwright's ``wait_for_function`` evaluates its predicate with ``eval``, which the page's
    Content-Security-Policy forbids; ``evaluate`` calls a function through the debugger protocol.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {predicate}")
        time.sleep(0.05)


@dataclass
class Watched:
    """A browser page and what it reported: dialogs opened, errors, Content-Security-Policy violations."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, server: Server) -> Any:
        self.page.goto(server.url + "/try")
        self.page.wait_for_selector("#inputs .about")
        return self.page

    def send(self) -> None:
        """Submit the form and wait for the final answer."""
        self.page.click("#send")
        wait_for(self.page, "() => !document.getElementById('send').disabled"
                            " && !document.getElementById('status').textContent.startsWith('Waiting')")


def _unexpected(message: Any) -> bool:
    """A console error other than the browser's note of an HTTP failure status (the page shows those)."""
    note = "Failed to load resource: the server responded"
    return bool(message.type == "error" and not message.text.startswith(note))


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh page (its own context, microphone allowed) that records dialogs and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 760})
    context.grant_permissions(["microphone"])
    page = context.new_page()
    result = Watched(page)

    def on_dialog(dialog: Any) -> None:
        result.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    page.on("console", lambda message: result.errors.append(message.text) if _unexpected(message) else None)
    yield result
    context.close()
    assert not result.errors, result.errors
