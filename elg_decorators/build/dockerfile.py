"""The ``Dockerfile``, ``docker-entrypoint.sh`` and ``.dockerignore`` of a service image."""
from __future__ import annotations

import json
import re
import shlex
import sys
from importlib import resources
from pathlib import Path
from string import Template
from typing import Sequence

from ..errors import BuildError
from .context import context_path, context_paths, parse_reference

__all__ = ["default_base_image", "render_docker_files", "write_docker_files", "LOG_LEVELS"]

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
_WORKER_CLASS_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*", re.ASCII)
_HEALTH_PATH_RE = re.compile(r"/[A-Za-z0-9._~/-]*", re.ASCII)
_WHITESPACE_RE = re.compile(r"\s")


def default_base_image() -> str:
    """The slim official Python image of the running interpreter's version, e.g. ``python:3.11-slim``."""
    return f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"


def _template(name: str) -> Template:
    text = resources.files(__package__).joinpath("templates").joinpath(name).read_text(encoding="utf-8")
    return Template(text)


def _copy(source: str, target: str) -> str:
    if _WHITESPACE_RE.search(source):
        # The JSON form is the only one in which a path may contain spaces.
        return f"COPY --chown=elg:elg {json.dumps([source, target])}"
    return f"COPY --chown=elg:elg {source} {target}"


def _shell_word(text: str) -> str:
    if re.search(r"[\"$`\\]", text):
        return shlex.quote(text)
    return f'"{text}"'


def _check_options(
    *, base_image: str, log_level: str, workers: int, timeout: int, worker_class: str, health_path: str,
    commands: Sequence[str],
) -> None:
    parse_reference(base_image)
    if log_level.lower() not in LOG_LEVELS:
        raise BuildError(f"log level {log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise BuildError(f"workers must be a whole number of at least 1, not {workers!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise BuildError(f"timeout must be a whole number of seconds (0 for none), not {timeout!r}")
    if not _WORKER_CLASS_RE.fullmatch(worker_class):
        raise BuildError(
            f"worker class {worker_class!r} is not a gunicorn worker class name "
            "(e.g. 'sync', 'gthread', 'gevent' or 'package.module.WorkerClass')"
        )
    if not _HEALTH_PATH_RE.fullmatch(health_path):
        raise BuildError(
            f"health path {health_path!r} must start with '/' and contain only letters, digits "
            "and '._~/-'"
        )
    for command in commands:
        if not command.strip() or "\n" in command or "\r" in command:
            raise BuildError(
                f"build command {command!r} must be one non-empty line; join several commands "
                "with '&&'"
            )


def render_docker_files(
    script: str,
    *,
    required_files: Sequence[str] = (),
    required_folders: Sequence[str] = (),
    commands: Sequence[str] = (),
    base_image: str = "python:3.8-slim",
    log_level: str = "INFO",
    workers: int = 1,
    timeout: int = 30,
    worker_class: str = "sync",
    health_path: str = "/health",
) -> dict[str, str]:
    """Render the three files without touching the disk (paths are taken as already checked).

    :param script: the script's path relative to the build context, with ``/`` separators.
    :returns: file name -> content, for ``Dockerfile``, ``docker-entrypoint.sh`` and
        ``.dockerignore``.
    :raises BuildError: for an invalid option (see :func:`write_docker_files`).
    """
    _check_options(
        base_image=base_image, log_level=log_level, workers=workers, timeout=timeout,
        worker_class=worker_class, health_path=health_path, commands=commands,
    )
    name = script.rsplit("/", 1)[-1]
    folders = list(dict.fromkeys(f.rstrip("/") for f in required_folders))
    files = [f for f in dict.fromkeys(required_files) if f != script]
    copies = [_copy(folder, f"/elg/{folder}/") for folder in folders]
    copies += [_copy(file, f"/elg/{file}") for file in files]
    copies.append(_copy(script, f"/elg/{name}"))
    health_code = (
        "import urllib.request; "
        f"urllib.request.urlopen({f'http://127.0.0.1:8000{health_path}'!r}, timeout=4)"
    )
    dockerfile = _template("Dockerfile.template").substitute(
        base_image=base_image,
        commands="".join(f"RUN {command.strip()}\n" for command in commands),
        copies="\n".join(copies),
        workers=workers,
        timeout=timeout,
        worker_class=worker_class,
        log_level=log_level,
        healthcheck=json.dumps(["/elg/venv/bin/python", "-c", health_code]),
    )
    entrypoint = _template("docker-entrypoint.sh.template").substitute(
        app=_shell_word(f"elg_decorators.wsgi:load_app({name!r})"),
    )
    dockerignore = _template("dockerignore.template").substitute(
        folders="\n".join(f"!{folder}" for folder in folders),
        files="\n".join(f"!{file}" for file in [*files, script]),
    )
    return {"Dockerfile": dockerfile, "docker-entrypoint.sh": entrypoint, ".dockerignore": dockerignore}


def write_docker_files(
    directory: Path,
    script: Path,
    *,
    required_files: Sequence[str] = (),
    required_folders: Sequence[str] = (),
    commands: Sequence[str] = (),
    base_image: str = "python:3.8-slim",
    log_level: str = "INFO",
    workers: int = 1,
    timeout: int = 30,
    worker_class: str = "sync",
    health_path: str = "/health",
) -> list[Path]:
    """Write ``Dockerfile``, ``docker-entrypoint.sh`` and ``.dockerignore`` into ``directory``.

    The image installs ``requirements.txt`` (see
    :func:`~elg_decorators.build.requirements.write_requirements`) into a virtual environment,
    copies only the script and the named files and folders, and runs gunicorn under tini as an
    unprivileged user, on port 8000. Existing files of these names are overwritten.

    .. code-block:: python

        write_docker_files(Path("."), Path("ner.py"), required_folders=["models"], workers=2)

    :param directory: the build context; every path below must lie inside it.
    :param script: the service script (relative to ``directory`` or absolute); it is copied to
        ``/elg/<script name>`` and served through ``elg_decorators.wsgi:load_app``.
    :param required_files: files the service needs, relative to ``directory``.
    :param required_folders: folders the service needs, relative to ``directory``.
    :param commands: shell commands run at build time, as root, after the requirements are
        installed (``apt-get install ...``, model downloads).
    :param base_image: a Debian-based Python image.
    :param log_level: gunicorn's log level.
    :param workers: number of gunicorn workers.
    :param timeout: seconds a worker may stay silent before gunicorn restarts it (0: never).
    :param worker_class: gunicorn worker class.
    :param health_path: the path the container's health check requests.
    :returns: the paths written.
    :raises BuildError: for a path outside ``directory`` or missing, or an invalid option.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise BuildError(f"build context {str(directory)!r} is not a folder; create it first")
    files = render_docker_files(
        context_path(directory, script, kind="file"),
        required_files=context_paths(directory, required_files, kind="file"),
        required_folders=context_paths(directory, required_folders, kind="folder"),
        commands=commands,
        base_image=base_image,
        log_level=log_level,
        workers=workers,
        timeout=timeout,
        worker_class=worker_class,
        health_path=health_path,
    )
    written = []
    for name, text in files.items():
        target = directory / name
        # Bytes, not text mode: the entrypoint is run by a Linux shell and must keep LF
        # line endings even when written on Windows.
        target.write_bytes(text.encode("utf-8"))
        written.append(target)
    (directory / "docker-entrypoint.sh").chmod(0o755)
    return written
