"""Helpers of the real-engine tests: the build command as a user runs it, containers, a local ``serve``.

Builds with the same requirements share one wheel cache: a new context gets the wheels and lock
of the first such build, as a second build in the same folder would find them, so each set of
requirements is downloaded once per session (and the lock's reuse is exercised on every build).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from collections.abc import Iterator, Mapping

import requests
from .real_engine import BASE_IMAGE, Engine, free_port

STARTUP_TIMEOUT = 60.0
_WHEEL_CACHE: dict[tuple[str, ...], Path] = {}
_SHARED = ("requirements.txt", "requirements.lock", "wheels")


def clear_wheel_cache() -> None:
    """Remove the session's wheel cache."""
    for folder in _WHEEL_CACHE.values():
        shutil.rmtree(folder, ignore_errors=True)
    _WHEEL_CACHE.clear()


def _context(argv: tuple[str, ...]) -> Path:
    if "--output" in argv:
        return Path(argv[argv.index("--output") + 1])
    return build_folder(Path(argv[0]))


def build_folder(script: Path) -> Path:
    """Where ``build`` writes for ``script`` without --output."""
    return script.parent / ".elg-build" / script.stem


def dangling_images(engine: Engine) -> list[str]:
    """The ids of the engine's unnamed images (``<none>:<none>``, not used by another image)."""
    return sorted(image.id for image in engine.client.images.list(filters={"dangling": True}))


def _requirements(argv: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(arg for index, arg in enumerate(argv) if index and argv[index - 1] in ("--requirement", "-r"))


def build(engine: Engine, *argv: Any, env: Mapping[str, str] | None = None,
          base_image: str = BASE_IMAGE, pull: bool = False,
          share_wheels: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """``python -m elg_decorators build ARGV`` against ``engine``, as a separate process.

    :param share_wheels: use (and fill) the session's wheel cache.
    """
    environ = {k: v for k, v in os.environ.items() if k not in ("DOCKER_USERNAME", "DOCKER_PASSWORD")}
    environ.update({"DOCKER_HOST": engine.url, "DOCKER_CONFIG": str(engine.folder / "docker-config")})
    environ.update(env or {})
    options = ["--base-image", base_image] + ([] if pull else ["--no-pull"])
    arguments = tuple(map(str, argv))
    context, requirements = _context(arguments), _requirements(arguments)
    cached = _WHEEL_CACHE.get(requirements) if share_wheels else None
    if cached is not None and not (context / "requirements.lock").exists():
        context.mkdir(parents=True, exist_ok=True)
        shutil.copytree(cached / "wheels", context / "wheels")
        for name in ("requirements.txt", "requirements.lock"):
            shutil.copyfile(cached / name, context / name)
    result = subprocess.run([sys.executable, "-m", "elg_decorators", "build", *arguments, *options],
                            capture_output=True, text=True, env=environ, timeout=900)
    if share_wheels and result.returncode == 0 and cached is None and (context / "requirements.lock").is_file():
        keep = Path(tempfile.mkdtemp(prefix="elg-wheel-cache-"))
        for name in _SHARED:
            (shutil.copytree if name == "wheels" else shutil.copyfile)(context / name, keep / name)
        _WHEEL_CACHE[requirements] = keep
    return result


def build_steps(output: str) -> list[tuple[str, str]]:
    """The steps of a build's output that change the file system: (instruction, what the engine said)."""
    steps = []
    for chunk in output.split("\nStep ")[1:]:
        instruction, _, said = chunk.partition("\n")
        instruction = instruction.split(" : ", 1)[1]
        if instruction.split()[0] in ("COPY", "RUN", "ADD"):
            steps.append((instruction, said.split("\nStep ", 1)[0]))
    return steps


def wait_for_health(port: int, what: str, log: Any = None, path: str = "/health/ready") -> None:
    """Wait until ``GET path`` (readiness) on 127.0.0.1:port answers 200."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer on port {port}: {log() if log else ''}")
        time.sleep(0.2)


@contextmanager
def container(engine: Engine, image: str, wait_for: str = "/health/ready", **env: str) -> Iterator[tuple[Any, int]]:
    """Run ``image`` on the host network, bound to 127.0.0.1 on a free ``PORT``; removed afterwards.

    :param wait_for: the path that must answer 200 before the container is handed over.
    """
    port = free_port()
    running = engine.client.containers.run(
        image, detach=True, network_mode="host", environment={"PORT": str(port), "HOST": "127.0.0.1", **env},
    )
    try:
        wait_for_health(port, image, lambda: running.logs().decode(errors="replace")[-2000:], wait_for)
        yield running, port
    finally:
        running.remove(force=True)


def stop(running: Any) -> tuple[int, float]:
    """``docker stop`` (SIGTERM, SIGKILL after 10 s); the exit code and the seconds it took."""
    started = time.monotonic()
    running.stop(timeout=10)
    took = time.monotonic() - started
    running.reload()
    return int(running.attrs["State"]["ExitCode"]), took


def run_healthcheck(running: Any) -> tuple[int, bytes]:
    """Run the image's own HEALTHCHECK command in the container, as the engine would."""
    test = running.attrs["Config"]["Healthcheck"]["Test"]
    assert test[0] == "CMD", test
    result = running.exec_run(test[1:])
    return int(result.exit_code), bytes(result.output)


@contextmanager
def serve_locally(script: Path) -> Iterator[int]:
    """``python -m elg_decorators serve SCRIPT`` on this machine, on a free loopback port."""
    port = free_port()
    log = script.parent / f"serve-{port}.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "elg_decorators", "serve", str(script), "--host", "127.0.0.1", "--port", str(port)],
            stdout=stream, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        wait_for_health(port, f"serve {script.name}", lambda: log.read_text(errors="replace")[-2000:])
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def remove_image(engine: Engine, tag: str) -> None:
    """Remove the tagged image and the dependencies stage build kept beside it."""
    import docker.errors

    repository = tag.rsplit(":", 1)[0] if ":" in tag.rsplit("/", 1)[-1] else tag
    for name in (tag, f"{repository}:dependencies"):
        try:
            engine.client.images.remove(name, force=True)
        except docker.errors.ImageNotFound:
            pass
