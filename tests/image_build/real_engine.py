"""A real Docker engine, a real registry and a real Debian base image, started by the tests.

- ``dockerd`` (Debian's docker.io) runs as root with a data root, exec root, pid file and unix
  socket of its own in a temporary folder, and no default bridge: containers run with
  ``--network host`` and build steps get no network at all, which is the offline build the
  generated Dockerfile promises.
- The base image is made with ``debootstrap --variant=minbase --include=python3,python3-venv
  bookworm`` and ``docker import``; its root file system is kept as a tarball in the user's cache
  folder, so only the first session on a machine spends the minute it takes.
- The registry is Debian's ``docker-registry`` (the reference registry server) on 127.0.0.1 with
  htpasswd authentication.

Everything is stopped by its PID at the end of the session.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_IMAGE = "elg-test-base:bookworm"
REGISTRY_USER = "robot"
REGISTRY_PASSWORD = "Reg1stry-pa55word-never-shown"
_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
_TARBALL = _CACHE / "elg_decorators-tests" / "bookworm-python3.tar"
#: The commands the real-engine tests run, and the Debian packages that have them.
_TOOLS = {"dockerd": "docker.io", "docker": "docker.io", "debootstrap": "debootstrap",
          "docker-registry": "docker-registry", "htpasswd": "apache2-utils"}


def why_no_engine() -> str | None:
    """Why a real engine cannot run here, and how to get one (one line), or None when it can."""
    if sys.platform != "linux":
        return (f"real-engine image test: needs Linux (dockerd, debootstrap, docker-registry), not {sys.platform}; "
                "CI runs it (`bash .ci/run` as root on Debian or Ubuntu)")
    if os.geteuid() != 0:
        return "real-engine image test: needs root to start dockerd; run `sudo bash .ci/run`, or leave it to CI"
    missing = sorted({package for tool, package in _TOOLS.items() if shutil.which(tool) is None})
    if missing:
        return (f"real-engine image test: needs the Debian packages {' '.join(missing)}; "
                "`sudo bash .ci/install-system.sh` installs them")
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen, timeout: float = 30.0) -> None:  # type: ignore[type-arg]
    """SIGTERM, then SIGKILL after ``timeout`` seconds, to this one process."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass
class Engine:
    """A running dockerd and a docker SDK client of it."""

    folder: Path
    process: subprocess.Popen  # type: ignore[type-arg]
    client: Any

    @property
    def url(self) -> str:
        return f"unix://{self.folder / 'docker.sock'}"

    @property
    def log(self) -> Path:
        return self.folder / "dockerd.log"

    def docker(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
        """Run the docker CLI against this engine."""
        return subprocess.run(["docker", "--host", self.url, *args], capture_output=True, text=True,
                              check=check, timeout=timeout)


def start_engine() -> Engine:
    """Start dockerd in a fresh temporary folder and wait until it answers."""
    import docker

    folder = Path(tempfile.mkdtemp(prefix="elgd-"))  # short: unix socket paths are limited to ~100 bytes
    log = (folder / "dockerd.log").open("wb")
    process = subprocess.Popen(
        ["dockerd", "--bridge=none", "--iptables=false", "--ip6tables=false", "--data-root", str(folder / "data"),
         "--exec-root", str(folder / "exec"), "--pidfile", str(folder / "dockerd.pid"),
         "--host", f"unix://{folder / 'docker.sock'}"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    log.close()
    deadline = time.monotonic() + 60
    while True:
        if _accepts(folder / "docker.sock"):
            try:
                client = docker.DockerClient(base_url=f"unix://{folder / 'docker.sock'}", timeout=600)
                client.ping()
                return Engine(folder, process, client)
            except docker.errors.DockerException:
                pass  # listening, but not answering the API yet
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            text = (folder / "dockerd.log").read_text(errors="replace")[-2000:]
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"dockerd did not start:\n{text}")
        time.sleep(0.3)


def _accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def stop_engine(engine: Engine) -> None:
    """Stop dockerd by its PID and remove its folder."""
    engine.client.close()
    stop_process(engine.process)
    # dockerd leaves its network namespace mounted in the exec root.
    subprocess.run(["umount", str(engine.folder / "exec" / "netns" / "default")], capture_output=True)
    shutil.rmtree(engine.folder, ignore_errors=True)


def make_base_image(engine: Engine) -> str:
    """Import the debootstrapped Debian with python3 into ``engine`` as :data:`BASE_IMAGE`."""
    if not _TARBALL.is_file():
        _TARBALL.parent.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix="elg-bookworm-"))
        try:
            subprocess.run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv", "bookworm",
                            str(root)], check=True, capture_output=True, timeout=1200)
            for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for item in (root / cache).glob("*"):
                    if item.is_file():
                        item.unlink()
            partial = _TARBALL.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True, timeout=600)
            partial.replace(_TARBALL)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    engine.docker("import", str(_TARBALL), BASE_IMAGE)
    return BASE_IMAGE


@dataclass
class Registry:
    """A running docker-registry with htpasswd authentication."""

    folder: Path
    process: subprocess.Popen  # type: ignore[type-arg]
    port: int

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "registry.log"


def start_registry() -> Registry:
    """Start the registry on a free loopback port and wait until it answers."""
    import requests

    folder = Path(tempfile.mkdtemp(prefix="elg-registry-"))
    htpasswd = subprocess.run(["htpasswd", "-Bbn", REGISTRY_USER, REGISTRY_PASSWORD], capture_output=True,
                              text=True, check=True)
    (folder / "htpasswd").write_text(htpasswd.stdout)
    port = free_port()
    (folder / "config.yml").write_text(
        "version: 0.1\n"
        "log:\n  level: info\n"
        f"storage:\n  filesystem:\n    rootdirectory: {folder / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        f"auth:\n  htpasswd:\n    realm: elg-tests\n    path: {folder / 'htpasswd'}\n"
    )
    log = (folder / "registry.log").open("wb")
    process = subprocess.Popen(["docker-registry", "serve", str(folder / "config.yml")], stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/v2/", timeout=2).status_code == 401:
                return Registry(folder, process, port)
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"docker-registry did not start:\n{(folder / 'registry.log').read_text()[-2000:]}")
        time.sleep(0.2)


def stop_registry(registry: Registry) -> None:
    """Stop the registry by its PID and remove its storage."""
    stop_process(registry.process)
    shutil.rmtree(registry.folder, ignore_errors=True)
