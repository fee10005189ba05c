"""Where a service listens: the URL it announces at start, and one line when it cannot listen."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from elg_decorators.gunicorn_app import _url

ROOT = Path(__file__).resolve().parents[2]
SERVE = ["-m", "elg_decorators", "serve"]


@contextmanager
def occupied_port() -> Iterator[int]:
    """A port of 127.0.0.1 that another program listens on meanwhile."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if name not in ("HOST", "PORT")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**environment, **env}, capture_output=True,
                          text=True, timeout=120)


def port_in_use(port: int) -> str:
    return (f"error: port {port} is already in use on 127.0.0.1: stop the program listening there, or choose "
            f"another port (--port {port + 1}, PORT={port + 1}, or serve(port=...) in a script)\n")


def test_a_port_in_use_is_one_line_naming_the_port_and_the_fix() -> None:
    with occupied_port() as port:
        done = run([*SERVE, "examples/dictionary_ner.py", "--host", "127.0.0.1", "--port", str(port)])

    assert done.returncode == 1
    assert (done.stdout, done.stderr) == ("", port_in_use(port))  # no retries, no gunicorn lines


def test_a_script_calling_serve_on_a_port_in_use_says_the_same_line() -> None:
    with occupied_port() as port:
        done = run(["examples/dictionary_ner.py"], HOST="127.0.0.1", PORT=str(port))

    assert done.returncode == 1
    assert (done.stdout, done.stderr) == ("", port_in_use(port))


def test_an_address_of_another_machine_is_one_line_naming_the_host_option() -> None:
    done = run([*SERVE, "examples/dictionary_ner.py", "--host", "192.0.2.1", "--port", "8000"])  # TEST-NET-1

    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot listen on 192.0.2.1: it is not an address of this machine (")
    assert done.stderr.endswith("choose another host (--host 127.0.0.1 or HOST=127.0.0.1 for this machine only, "
                                "0.0.0.0 for all)\n")
    assert done.stderr.count("\n") == 1


def test_the_start_announces_the_url_with_its_port_and_the_paths(start) -> None:
    service = start([*SERVE, "examples/translate.py", "--host", "127.0.0.1", "--port", "{port}"])

    assert f"serving on {service.url}: POST /translate/<src>/<tgt>, GET /health, " in service.output()
    assert service.stop() == 0


def test_every_interface_is_announced_as_localhost_saying_so() -> None:
    assert _url(("0.0.0.0", 8000)) == "http://localhost:8000 (listening on every interface, 0.0.0.0:8000)"
    assert _url(("::", 8080)) == "http://localhost:8080 (listening on every interface, [::]:8080)"
    assert _url(("::1", 8080)) == "http://[::1]:8080"
