"""Push to a real registry with DOCKER_USERNAME/DOCKER_PASSWORD, pull back, run; the password stays secret."""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import requests
from .conftest import SCRIPT
from .images import build, container, remove_image, stop
from .real_engine import REGISTRY_PASSWORD, REGISTRY_USER, Engine, Registry

WRONG_PASSWORD = "Wr0ng-pa55word-also-never-shown"


def _image_bytes(engine: Engine, tag: str) -> list[bytes]:
    """The image as ``docker save`` gives it: its config, manifest and every file of every layer."""
    blobs = []
    with tarfile.open(fileobj=io.BytesIO(b"".join(engine.client.images.get(tag).save()))) as saved:
        for member in saved.getmembers():
            data = saved.extractfile(member)
            if data is None:
                continue
            content = data.read()
            blobs.append(content)
            if member.name.endswith("layer.tar"):
                with tarfile.open(fileobj=io.BytesIO(content)) as layer:
                    blobs += [layer.extractfile(m).read() for m in layer.getmembers() if m.isfile()]  # type: ignore[union-attr]
    return blobs


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "ner.py"
    path.write_text(SCRIPT)
    return path


def test_push_remove_pull_and_run(engine: Engine, registry: Registry, script: Path) -> None:
    tag = f"{registry.host}/elg/ner:1.0"
    credentials = {"DOCKER_USERNAME": REGISTRY_USER, "DOCKER_PASSWORD": REGISTRY_PASSWORD}
    try:
        result = build(engine, script, "--tag", tag, "--push", env=credentials)
        assert result.returncode == 0, result.stderr + result.stdout[-3000:]
        assert f"pushed {tag}" in result.stdout
        history = engine.docker("history", "--no-trunc", tag).stdout
        inspected = engine.docker("image", "inspect", tag).stdout
        blobs = _image_bytes(engine, tag)
        remove_image(engine, tag)
        assert not engine.client.images.list(name=f"{registry.host}/elg/ner")

        engine.client.images.pull(tag, auth_config={"username": REGISTRY_USER, "password": REGISTRY_PASSWORD})
        with container(engine, tag) as (running, port):
            reply = requests.post(f"http://127.0.0.1:{port}/process", json={"type": "text", "content": "Ada"},
                                  timeout=10)
            assert reply.status_code == 200
            assert reply.json() == {"response": {"type": "annotations",
                                                 "annotations": {"Person": [{"start": 0, "end": 3}]}}}
            assert stop(running)[0] == 0
    finally:
        remove_image(engine, tag)

    secret = REGISTRY_PASSWORD.encode()
    for name, text in {"output": result.stdout + result.stderr, "history": history, "inspect": inspected,
                       "dockerd log": engine.log.read_text(errors="replace"),
                       "registry log": registry.log.read_text(errors="replace")}.items():
        assert REGISTRY_PASSWORD not in text, name
    assert not [blob for blob in blobs if secret in blob]
    assert not list((script.parent).rglob("config.json")), "no credentials were written next to the service"


def test_wrong_password_is_one_clear_line(engine: Engine, registry: Registry, script: Path) -> None:
    tag = f"{registry.host}/elg/ner:wrong"
    try:
        result = build(engine, script, "--tag", tag, "--push",
                       env={"DOCKER_USERNAME": REGISTRY_USER, "DOCKER_PASSWORD": WRONG_PASSWORD})
    finally:
        remove_image(engine, tag)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: The registry rejected the push of {tag}") or \
        lines[0].startswith(f"error: Pushing {tag} failed"), lines[0]
    assert "DOCKER_USERNAME and DOCKER_PASSWORD" in lines[0]
    for text in (result.stdout, result.stderr, engine.log.read_text(errors="replace"),
                 registry.log.read_text(errors="replace")):
        assert WRONG_PASSWORD not in text
