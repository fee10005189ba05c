"""Build the example image with a real Docker engine, run it and call it (skipped without one)."""
from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from elg_decorators.build.dockerfile import default_base_image, write_docker_files
from elg_decorators.build.engine import build_image, connect
from elg_decorators.build.requirements import write_requirements
from elg_decorators.errors import BuildError

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_docker() -> Iterator[Any]:
    """A client of a running Docker engine, or a skip saying why there is none."""
    try:
        client = connect()
    except BuildError as err:
        pytest.skip(f"needs a running Docker engine: {err}")
    try:
        yield client
    finally:
        client.close()


def test_build_run_and_call_the_example(real_docker: Any, service_dir: Path, tmp_path: Path) -> None:
    # The framework is not necessarily on PyPI at this version: give the image a wheel of it,
    # through a base image that holds the wheel and a --find-links line in requirements.txt.
    wheels = tmp_path / "base"
    wheels.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(PROJECT)],
                   check=True, timeout=600)
    (wheels / "Dockerfile").write_text(f"FROM {default_base_image()}\nCOPY *.whl /wheels/\n")
    build_image(wheels, "elg-decorators-test-base:latest", output=io.StringIO(), client=real_docker)
    (tmp_path / "links.txt").write_text("--find-links /wheels\n")
    write_requirements(service_dir, requirements_file=tmp_path / "links.txt")
    write_docker_files(service_dir, Path("ner.py"), base_image="elg-decorators-test-base:latest",
                       required_files=["labels.json"])
    build_image(service_dir, "elg-decorators-test-ner:latest", pull=False, output=io.StringIO(), client=real_docker)
    container = real_docker.containers.run("elg-decorators-test-ner:latest", detach=True,
                                           ports={"8000/tcp": ("127.0.0.1", None)})
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["8000/tcp"][0]["HostPort"]
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = requests.post(f"http://127.0.0.1:{port}/process",
                                      json={"type": "text", "content": "Ada"}, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert reply.status_code == 200, reply.text
        assert reply.json()["response"]["annotations"]["Person"][0]["end"] == 3
        assert container.exec_run("id -u").output.strip() == b"1001"
    finally:
        container.remove(force=True)
