"""Fixtures for the build tests: a service folder, a real Docker engine and registry, and a fake engine."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from collections.abc import Iterator

import pytest
from capabilities import missing

from . import images, real_engine
from .fake_engine import FakeEngine

SCRIPT = '''\
from elg_decorators import text_service
from elg_decorators.model import AnnotationsResponse


@text_service
def ner(content: str):
    return AnnotationsResponse(annotations={"Person": [{"start": 0, "end": len(content)}]})
'''

PASSWORD = "s3cr3t-Pa55word-never-shown"


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    """A service folder: ner.py, labels.json, models/, and clutter the image must not get."""
    folder = tmp_path / "svc"
    (folder / "models" / "__pycache__").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / "ner.py").write_text(SCRIPT)
    (folder / "labels.json").write_text('{"Person": "PER"}\n')
    (folder / "models" / "model.bin").write_bytes(b"\x00weights")
    (folder / "models" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"junk")
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".venv" / "bin" / "python").write_text("junk")
    (folder / "notes.txt").write_text("not needed in the image\n")
    return folder


@pytest.fixture
def docker_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean docker environment: no credentials, an empty docker config."""
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    for name in ("DOCKER_USERNAME", "DOCKER_PASSWORD", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path: unix socket paths are limited to about 100 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="eng"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fake_engine(short_dir: Path, docker_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEngine]:
    """A fake Docker engine that ``docker.from_env()`` reaches through ``DOCKER_HOST``."""
    engine = FakeEngine(short_dir / "docker.sock").start()
    monkeypatch.setenv("DOCKER_HOST", engine.url)
    try:
        yield engine
    finally:
        engine.stop()


@pytest.fixture
def no_engine(short_dir: Path, docker_env: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``DOCKER_HOST`` pointing at a socket nobody listens on."""
    url = f"unix://{short_dir / 'nobody.sock'}"
    monkeypatch.setenv("DOCKER_HOST", url)
    return url


# -- the real engine, base image and registry (see real_engine.py) ----------------------------


@pytest.fixture(scope="session")
def engine() -> Iterator[real_engine.Engine]:
    """A dockerd of the tests' own, with the Debian base image imported (see :func:`capabilities.missing`)."""
    reason = real_engine.why_no_engine()
    if reason is not None:
        missing(reason)
    started = real_engine.start_engine()
    try:
        real_engine.make_base_image(started)
        yield started
        images.clear_wheel_cache()
        leftovers = started.client.containers.list(all=True)
        assert not leftovers, f"containers left behind: {[c.name for c in leftovers]}"
        tags = [tag for image in started.client.images.list() for tag in image.tags if tag != real_engine.BASE_IMAGE]
        assert not tags, f"images left behind: {tags}"
    finally:
        real_engine.stop_engine(started)


@pytest.fixture(scope="session")
def registry() -> Iterator[real_engine.Registry]:
    """A docker-registry on 127.0.0.1 with htpasswd authentication."""
    reason = real_engine.why_no_engine()
    if reason is not None:
        missing(reason)
    started = real_engine.start_registry()
    try:
        yield started
    finally:
        real_engine.stop_registry(started)
