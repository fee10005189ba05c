"""What goes wrong, on a real engine: unusable base images, offline pulls, failing steps; and offline steps.

The --network test needs the host to have an interface besides loopback, as every machine with a
package index in reach has.
"""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from .conftest import SCRIPT
from .images import build, remove_image
from .real_engine import BASE_IMAGE, Engine, free_port

GENERATED = ("requirements.txt", "requirements.lock", "wheels", "Dockerfile", ".dockerignore")


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "ner.py"
    path.write_text(SCRIPT)
    return path


def _assert_one_line_error(result, message: str) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr
    return str(result.stderr)


def _nothing_written(folder: Path) -> None:
    assert not [name for name in GENERATED if (folder / name).exists()]
    assert not (folder / ".elg-build").exists()


def test_base_image_that_is_not_debian(engine: Engine, script: Path) -> None:
    engine.client.images.build(fileobj=io.BytesIO(f"FROM {BASE_IMAGE}\nRUN rm /etc/debian_version\n".encode()),
                               tag="elg-test-not-debian:1", rm=True, forcerm=True)
    try:
        result = build(engine, script, "--tag", "me/ner:1", base_image="elg-test-not-debian:1", share_wheels=False)
    finally:
        engine.client.images.remove("elg-test-not-debian:1", force=True)
    _assert_one_line_error(result, "base image 'elg-test-not-debian:1' is not Debian-based")
    _nothing_written(script.parent)


def test_base_image_without_python(engine: Engine, script: Path) -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("etc/debian_version")
        info.size = 6
        tar.addfile(info, io.BytesIO(b"12.0\n\n"))
    engine.client.api.import_image_from_data(archive.getvalue(), repository="elg-test-no-python", tag="1")
    try:
        result = build(engine, script, "--tag", "me/ner:1", base_image="elg-test-no-python:1", share_wheels=False)
    finally:
        engine.client.images.remove("elg-test-no-python:1", force=True)
    _assert_one_line_error(result, "base image 'elg-test-no-python:1' has no python3")
    _nothing_written(script.parent)


def test_offline_pull_suggests_no_pull(engine: Engine, script: Path) -> None:
    # Tagged with a registry on a closed loopback port: the pull fails at once, without a network.
    local = f"127.0.0.1:{free_port()}/base:1"
    engine.client.images.get(BASE_IMAGE).tag(local)
    try:
        result = build(engine, script, "--tag", "me/ner:1", base_image=local, pull=True, share_wheels=False)
    finally:
        engine.client.images.remove(local)
    error = _assert_one_line_error(result, f"Pulling the base image {local} failed")
    assert "build with --no-pull" in error
    _nothing_written(script.parent)


def test_offline_pull_of_an_image_the_engine_lacks_names_base_image_and_no_pull(engine: Engine, script: Path) -> None:
    missing = f"127.0.0.1:{free_port()}/python:3.11-slim"
    result = build(engine, script, "--tag", "me/ner:1", base_image=missing, pull=True, share_wheels=False)
    error = _assert_one_line_error(result, f"Pulling the base image {missing} failed")
    assert "--base-image IMAGE and build with --no-pull" in error, error
    _nothing_written(script.parent)


def test_build_steps_have_no_network_and_failures_leave_nothing_behind(engine: Engine, script: Path) -> None:
    only_loopback = "test \"$(ls /sys/class/net)\" = lo"
    result = build(engine, script, "--tag", "elg-test-offline:1", "--command", only_loopback)
    assert result.returncode == 0, result.stderr + result.stdout[-3000:]
    # --network lets a step that downloads on purpose use one (here: the host's interfaces)
    more_than_loopback = "test \"$(ls /sys/class/net)\" != lo"
    result = build(engine, script, "--tag", "elg-test-offline:1", "--network", "host", "--command", more_than_loopback)
    assert result.returncode == 0, result.stderr + result.stdout[-3000:]
    remove_image(engine, "elg-test-offline:1")

    coloured = "printf '\\033[31mcoloured failure\\033[0m\\n' && exit 3"
    result = build(engine, script, "--tag", "elg-test-failing:1", "--command", coloured)
    error = _assert_one_line_error(result, "Building elg-test-failing:1 failed at ")
    assert "returned a non-zero code: 3 (last output: coloured failure)" in error
    assert "coloured failure" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr, "colour codes are stripped when not on a terminal"
    assert engine.client.containers.list(all=True) == [], "no intermediate container is left behind"
    assert not engine.client.images.list(name="elg-test-failing")
