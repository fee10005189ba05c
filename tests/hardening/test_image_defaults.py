"""The generated image's defaults are safe.

The files come from ``elg_decorators.image.dockerfile.write_docker_files``; the served app is
started exactly as the Dockerfile's ENTRYPOINT starts it (``python -m elg_decorators serve
<script>``, the Dockerfile's ENV, no MAX_REQUEST_SIZE), bound to 127.0.0.1 instead of 0.0.0.0:8000.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from elg_decorators.image.dockerfile import write_docker_files
from elg_decorators.service.app import DEFAULT_MAX_REQUEST_SIZE

from .conftest import (
    SERVICES,
    Server,
    assert_elg_failure,
    assert_elg_response,
    free_port,
    post,
    start_server,
)

SECRET_WORDS = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL|API_?KEY", re.IGNORECASE)
FAKE_USER, FAKE_PASSWORD = "hardening-user", "hardening-pa55word-do-not-write"

VARIANTS = {
    "defaults": {},
    "everything": {"required_files": ["data.txt"], "required_folders": ["models"], "commands": ["echo built"],
                   "workers": 3, "timeout": 0, "worker_class": "gthread", "log_level": "DEBUG"},
}


def generate(directory: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> dict[str, str]:
    """Write the image files for a copy of the fuzz service into ``directory``; return their text."""
    monkeypatch.setenv("DOCKER_USERNAME", FAKE_USER)
    monkeypatch.setenv("DOCKER_PASSWORD", FAKE_PASSWORD)
    shutil.copy(SERVICES / "fuzz_service.py", directory / "my_service.py")
    (directory / "data.txt").write_text("data\n")
    (directory / "models").mkdir(exist_ok=True)
    (directory / ".env").write_text(f"DOCKER_PASSWORD={FAKE_PASSWORD}\n")
    written = write_docker_files(directory, directory / "my_service.py", **options)  # type: ignore[arg-type]
    return {path.name: path.read_text() for path in written}


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    parser = DockerfileParser(fileobj=io.BytesIO(dockerfile.encode()))
    return [(item["instruction"], item["value"]) for item in parser.structure]


@pytest.mark.parametrize("options", VARIANTS.values(), ids=VARIANTS.keys())
def test_runs_as_a_non_root_user_before_the_entrypoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       options: dict) -> None:
    steps = instructions(generate(tmp_path, monkeypatch, **options)["Dockerfile"])
    kinds = [kind for kind, _ in steps]
    assert kinds.count("ENTRYPOINT") == 1 and kinds[-1] in ("ENTRYPOINT", "CMD"), kinds
    users = [(index, value) for index, (kind, value) in enumerate(steps) if kind == "USER"]
    assert users, "no USER instruction: the service would run as root"
    last_index, last_user = users[-1]
    assert last_index < kinds.index("ENTRYPOINT")
    user, _, group = last_user.strip().partition(":")
    assert user not in ("root", "0", "") and group not in ("root", "0"), last_user
    assert all(kind not in ("RUN", "USER") for kind in kinds[last_index + 1:]), kinds[last_index:]


@pytest.mark.parametrize("options", VARIANTS.values(), ids=VARIANTS.keys())
def test_no_secrets_in_the_image_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict) -> None:
    files = generate(tmp_path, monkeypatch, **options)
    for kind, value in instructions(files["Dockerfile"]):
        if kind in ("ENV", "ARG", "LABEL"):
            names = re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", value) or [value.split()[0]]
            assert not any(SECRET_WORDS.search(name) for name in names), f"{kind} {value}"
    for name, text in files.items():
        assert FAKE_PASSWORD not in text and FAKE_USER not in text, f"credentials written into {name}"
    ignore = [line.strip() for line in files[".dockerignore"].splitlines()]
    exceptions = [index for index, line in enumerate(ignore) if line.startswith("!")]
    assert "*" in ignore and ignore.index("*") < min(exceptions), "the context is not closed by default"
    assert "**/.env" in ignore
    assert not any(line.startswith("!") and ".env" in line for line in ignore), "the .env file is let into the context"
    assert {path.name for path in tmp_path.iterdir()} >= {"Dockerfile", ".dockerignore"}


def entrypoint_command(dockerfile: str, directory: Path) -> list[str]:
    """The Dockerfile's ENTRYPOINT, with this Python and the script in ``directory``."""
    entrypoint = json.loads(next(value for kind, value in instructions(dockerfile) if kind == "ENTRYPOINT"))
    assert entrypoint[1:4] == ["-m", "elg_decorators", "serve"] and entrypoint[4].startswith("/elg/"), entrypoint
    return [sys.executable, *entrypoint[1:4], str(directory / entrypoint[4][len("/elg/"):])]


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for kind, value in instructions(dockerfile):
        if kind == "ENV":
            env.update((name, text.strip('"')) for name, text in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)", value))
    return env


@pytest.fixture(scope="module")
def image_like_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service started as the image starts it, with the image's defaults."""
    directory = tmp_path_factory.mktemp("image")
    with pytest.MonkeyPatch.context() as monkeypatch:
        files = generate(directory, monkeypatch)
    env = dockerfile_env(files["Dockerfile"])
    assert "MAX_REQUEST_SIZE" not in env and "MAX_REQUEST_SIZE" not in files["Dockerfile"]
    port = free_port()
    command = [*entrypoint_command(files["Dockerfile"], directory), "--host", "127.0.0.1", "--port", str(port)]
    server = start_server("image", command, port, directory, cwd=directory, drop_env=["MAX_REQUEST_SIZE"],
                          env={name: value for name, value in env.items() if name not in ("PATH", "VIRTUAL_ENV")})
    yield server
    server.stop()


def test_request_size_limit_is_on_by_default(image_like_server: Server) -> None:
    """A Content-Length just over DEFAULT_MAX_REQUEST_SIZE is refused with 413 before the body is read."""
    body = b'{"type":"text","content":"small"}'
    for claimed in (DEFAULT_MAX_REQUEST_SIZE + 1, 10 * 1024 ** 3):
        response = post(image_like_server.port, "/process", body, content_length=claimed)
        failure = assert_elg_failure(response, 413, "elg.request.too.large")
        assert failure["errors"][0]["detail"] == {"limit": DEFAULT_MAX_REQUEST_SIZE}
    assert_elg_response(post(image_like_server.port, "/process", body), "annotations")
