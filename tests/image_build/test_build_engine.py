"""Building and pushing through the real docker SDK, against the fake engine."""
from __future__ import annotations

import io
import logging
from pathlib import Path

import docker
import pytest
from conftest import PASSWORD
from fake_engine import FakeEngine

from elg_decorators.build.dockerfile import write_docker_files
from elg_decorators.build.engine import build_and_push, build_image, push_image
from elg_decorators.build.requirements import write_requirements
from elg_decorators.errors import BuildError

EXPECTED_MEMBERS = {
    "Dockerfile", ".dockerignore", "docker-entrypoint.sh", "requirements.txt",
    "ner.py", "labels.json", "models", "models/model.bin",
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _prepare(folder: Path) -> Path:
    write_requirements(folder, ["regex"])
    write_docker_files(folder, Path("ner.py"), required_files=["labels.json"], required_folders=["models"])
    return folder


def test_build_sends_only_what_the_image_needs(fake_engine: FakeEngine, service_dir: Path) -> None:
    output = io.StringIO()
    image_id = build_image(_prepare(service_dir), "me/ner:1.0", output=output)
    assert len(fake_engine.builds) == 1
    build = fake_engine.builds[0]
    assert set(build["members"]) == EXPECTED_MEMBERS
    assert build["members"]["ner.py"] == (service_dir / "ner.py").read_bytes()
    assert build["tag"] == "me/ner:1.0"
    assert build["query"]["pull"] == ["True"]
    assert image_id == fake_engine.images["me/ner:1.0"]
    text = output.getvalue()
    assert "Step 1/15 : FROM python:3.8-slim\n" in text and "Successfully tagged me/ner:1.0" in text
    # pull progress: one line per change of a layer's status
    assert text.count("a1b2c3d4e5f6: Downloading\n") == 1
    assert "\r" not in text


def test_build_output_is_streamed_as_it_comes(fake_engine: FakeEngine, service_dir: Path) -> None:
    writes: list[str] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    build_image(_prepare(service_dir), "me/ner:1.0", output=Recorder(), pull=False)
    steps = [w for w in writes if w.startswith("Step ")]
    assert len(steps) == 15, "each step is written on its own, not buffered into one block"
    assert fake_engine.builds[0]["query"]["pull"] == ["False"]


def test_build_progress_on_a_terminal_rewrites_one_line(fake_engine: FakeEngine, service_dir: Path) -> None:
    output = Terminal()
    build_image(_prepare(service_dir), "me/ner:1.0", output=output)
    assert "\r\x1b[Ka1b2c3d4e5f6: Downloading [==>   ]" in output.getvalue()


def test_build_without_aux_id_still_returns_an_id(fake_engine: FakeEngine, service_dir: Path) -> None:
    fake_engine.send_image_id = False
    image_id = build_image(_prepare(service_dir), "me/ner", output=io.StringIO())
    assert fake_engine.images["me/ner:latest"][7:].startswith(image_id)


def test_build_with_a_given_client(fake_engine: FakeEngine, service_dir: Path) -> None:
    client = docker.DockerClient(base_url=fake_engine.url)
    try:
        build_image(_prepare(service_dir), "me/ner:2", output=io.StringIO(), client=client)
    finally:
        client.close()
    assert fake_engine.builds[0]["tag"] == "me/ner:2"


def test_failed_step_names_the_step_and_its_output(fake_engine: FakeEngine, service_dir: Path) -> None:
    fake_engine.fail_build_at = "pip install"
    with pytest.raises(BuildError) as info:
        build_image(_prepare(service_dir), "me/ner:1.0", output=io.StringIO())
    message = str(info.value)
    assert "\n" not in message
    assert "Step 6/15 : RUN python -m venv /elg/venv" in message
    assert "returned a non-zero code: 1" in message
    assert "ERROR: No matching distribution found for nosuchpackage" in message


def test_build_needs_a_dockerfile(fake_engine: FakeEngine, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="there is no Dockerfile"):
        build_image(tmp_path, "me/ner", output=io.StringIO())


def test_engine_down(no_engine: str, service_dir: Path) -> None:
    for call in (
        lambda: build_image(_prepare(service_dir), "me/ner:1.0", output=io.StringIO()),
        lambda: push_image("me/ner", "1.0", output=io.StringIO()),
    ):
        with pytest.raises(BuildError) as info:
            call()
        message = str(info.value)
        assert message.startswith(f"Cannot reach the Docker engine at {no_engine}: is it running?")
        assert "\n" not in message


def _built(fake_engine: FakeEngine, name: str = "registry.example.org:5000/me/ner:1.0") -> None:
    fake_engine.images[name] = "sha256:" + "1" * 64


def test_push_with_credentials_from_arguments(
    fake_engine: FakeEngine, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    _built(fake_engine)
    output = io.StringIO()
    push_image("registry.example.org:5000/me/ner", "1.0", username="me", password=PASSWORD, output=output)
    assert fake_engine.pushes == [
        {"name": "registry.example.org:5000/me/ner", "tag": "1.0", "auth": {"username": "me", "password": PASSWORD}}
    ]
    text = output.getvalue()
    assert text.count("a1b2c3d4e5f6: Pushing\n") == 1 and "a1b2c3d4e5f6: Pushed\n" in text
    captured = capsys.readouterr()
    for seen in (text, caplog.text, captured.out, captured.err):
        assert PASSWORD not in seen


def test_push_with_credentials_from_environment(
    fake_engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DOCKER_USERNAME", "robot")
    monkeypatch.setenv("DOCKER_PASSWORD", PASSWORD)
    _built(fake_engine)
    output = io.StringIO()
    push_image("registry.example.org:5000/me/ner:1.0", output=output)
    assert len(fake_engine.pushes) == 1
    assert fake_engine.pushes[0]["auth"] == {"username": "robot", "password": PASSWORD}
    assert PASSWORD not in output.getvalue() + caplog.text


def test_push_without_credentials_leaves_them_to_the_docker_config(fake_engine: FakeEngine) -> None:
    _built(fake_engine, "me/ner:latest")
    push_image("me/ner", output=io.StringIO())
    assert fake_engine.pushes == [{"name": "me/ner", "tag": "latest", "auth": None}]


def test_push_with_half_the_credentials_is_refused(fake_engine: FakeEngine) -> None:
    with pytest.raises(BuildError, match="registry password is missing"):
        push_image("me/ner", "1.0", username="me", output=io.StringIO())
    assert fake_engine.pushes == []


def test_rejected_push_gives_the_registry_reason(
    fake_engine: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_engine.reject_push = "denied: requested access to the resource is denied"
    _built(fake_engine)
    output = io.StringIO()
    with pytest.raises(BuildError) as info:
        push_image("registry.example.org:5000/me/ner:1.0", username="me", password=PASSWORD, output=output)
    message = str(info.value)
    assert "rejected the push of registry.example.org:5000/me/ner:1.0" in message
    assert "denied: requested access to the resource is denied" in message and "docker login" in message
    assert len(fake_engine.pushes) == 1, "pushed exactly once"
    assert PASSWORD not in message + output.getvalue() + caplog.text


def test_push_of_an_image_never_built(fake_engine: FakeEngine) -> None:
    with pytest.raises(BuildError, match="build it first"):
        push_image("me/ner", "9.9", output=io.StringIO())


def test_build_and_push(fake_engine: FakeEngine, service_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_USERNAME", "robot")
    monkeypatch.setenv("DOCKER_PASSWORD", PASSWORD)
    output = io.StringIO()
    image_id = build_and_push(_prepare(service_dir), "registry.example.org/me/ner", output=output)
    assert image_id == fake_engine.images["registry.example.org/me/ner:latest"]
    assert [p["tag"] for p in fake_engine.pushes] == ["latest"]
    assert "Successfully built" in output.getvalue() and "Pushed" in output.getvalue()


def test_nothing_is_pushed_when_the_build_fails(fake_engine: FakeEngine, service_dir: Path) -> None:
    fake_engine.fail_build_at = "pip install"
    with pytest.raises(BuildError):
        build_and_push(_prepare(service_dir), "me/ner:1.0", output=io.StringIO())
    assert fake_engine.pushes == []
