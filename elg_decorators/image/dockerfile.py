"""The ``Dockerfile`` and ``.dockerignore`` of a service image.

The image runs ``python -m elg_decorators serve`` on the script, with the server settings of
:class:`~elg_decorators.settings.ServerSettings` written as environment variables, so that a
service runs in its image as it does on the laptop, and each setting can be changed with
``docker run -e``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from ..errors import BuildError
from ..settings import DEFAULT_PORT, READY_PATH, ServerSettings, default_base_image
from .context import context_path, context_paths, parse_reference
from .generated import write_generated

__all__ = ["default_base_image", "ImageOptions", "render_docker_files", "write_docker_files", "server_settings",
           "LOG_LEVELS"]

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
_WORKER_CLASS_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*", re.ASCII)
_HEALTH_PATH_RE = re.compile(r"/[A-Za-z0-9._~/-]*", re.ASCII)
_WHITESPACE_RE = re.compile(r"\s")
_VENV_PYTHON = "/elg/venv/bin/python"


def _template(name: str) -> Template:
    text = resources.files(__package__).joinpath("templates").joinpath(name).read_text(encoding="utf-8")
    return Template(text)


def _copy(source: str, target: str) -> str:
    # Owned by root (COPY's default) and sent by the engine module as readable, not writable, by
    # others (see .context_archive): the service's user can read its code but not change it.
    if _WHITESPACE_RE.search(source):
        # The JSON form is the only one in which a path may contain spaces.
        return f"COPY {json.dumps([source, target])}"
    return f"COPY {source} {target}"


def server_settings(
    *, workers: int | None = None, threads: int | None = None, timeout: int | None = None,
    worker_class: str | None = None, log_level: str | None = None,
) -> ServerSettings:
    """The image's server settings: those given, else serve's defaults (never this machine's environment).

    :raises BuildError: for a value no server could run with.
    """
    if worker_class is not None and not _WORKER_CLASS_RE.fullmatch(worker_class):
        raise BuildError(
            f"worker class {worker_class!r} is not a gunicorn worker class name "
            "(e.g. 'sync', 'gthread', 'gevent' or 'package.module.WorkerClass')"
        )
    for name, value in (("workers", workers), ("threads", threads), ("timeout", timeout)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise BuildError(f"{name} must be a whole number, not {value!r}")
    try:
        return ServerSettings.resolve(
            environ={}, workers=workers, threads=threads, timeout=timeout, worker_class=worker_class,
            log_level=log_level,
        )
    except ValueError as err:
        raise BuildError(str(err)) from None


def _check_options(*, base_image: str, health_path: str, commands: Sequence[str]) -> None:
    parse_reference(base_image)
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


def _environment(settings: ServerSettings) -> str:
    variables = sorted(settings.environment().items())
    return "ENV " + " \\\n    ".join(f"{name}={json.dumps(value)}" for name, value in variables)


@dataclass(frozen=True)
class ImageOptions:
    """What an image is made of besides its script, and the server settings it runs with (those left
    out are serve's defaults, never this machine's environment)."""

    #: Files and folders the service needs, relative to the build context.
    required_files: Sequence[str] = ()
    required_folders: Sequence[str] = ()
    #: Shell commands run at build time, as root, after the requirements are installed
    #: (``apt-get install ...``, model downloads; these need ``--network``).
    commands: Sequence[str] = ()
    #: A Debian-based Python image (default: the slim official image of this Python).
    base_image: str | None = None
    log_level: str | None = None
    workers: int | None = None
    #: Seconds a worker may stay silent before the master replaces it (0: never).
    timeout: int | None = None
    worker_class: str | None = None
    threads: int | None = None
    #: The path the container's health check requests: readiness, so that Docker reports the
    #: container healthy only once every resource (the model, say) is loaded.
    health_path: str = READY_PATH


def render_docker_files(script: str, options: ImageOptions | None = None, **given: Any) -> dict[str, str]:
    """Render the two files without touching the disk (paths are taken as already checked).

    :param script: the script's path relative to the build context, with ``/`` separators.
    :param options: the :class:`ImageOptions`, or its fields as keyword arguments.
    :returns: file name -> content, for ``Dockerfile`` and ``.dockerignore``.
    :raises BuildError: for an invalid option (see :func:`write_docker_files`).
    """
    options = options or ImageOptions(**given)
    base_image = options.base_image or default_base_image()
    _check_options(base_image=base_image, health_path=options.health_path, commands=options.commands)
    settings = server_settings(
        workers=options.workers, threads=options.threads, timeout=options.timeout,
        worker_class=options.worker_class, log_level=options.log_level,
    )
    name = script.rsplit("/", 1)[-1]
    folders = list(dict.fromkeys(f.rstrip("/") for f in options.required_folders))
    files = [f for f in dict.fromkeys(options.required_files) if f != script]
    copies = [_copy(folder, f"/elg/{folder}/") for folder in folders]
    copies += [_copy(file, f"/elg/{file}") for file in files]
    copies.append(_copy(script, f"/elg/{name}"))
    health_code = (
        "import os, urllib.request; urllib.request.urlopen("
        f"'http://127.0.0.1:' + (os.environ.get('PORT') or '{DEFAULT_PORT}') + {options.health_path!r}, timeout=4)"
    )
    dockerfile = _template("Dockerfile.template").substitute(
        base_image=base_image,
        commands="".join(f"RUN {command.strip()}\n" for command in options.commands),
        copies="\n".join(copies),
        environment=_environment(settings),
        port=DEFAULT_PORT,
        healthcheck=json.dumps([_VENV_PYTHON, "-c", health_code]),
        entrypoint=json.dumps([_VENV_PYTHON, "-m", "elg_decorators", "serve", f"/elg/{name}"]),
    )
    dockerignore = _template("dockerignore.template").substitute(
        folders="\n".join(f"!{folder}" for folder in folders),
        files="\n".join(f"!{file}" for file in [*files, script]),
    )
    return {"Dockerfile": dockerfile, ".dockerignore": dockerignore}


def write_docker_files(directory: Path, script: Path, options: ImageOptions | None = None, **given: Any) -> list[Path]:
    """Write ``Dockerfile`` and ``.dockerignore`` into ``directory``.

    The image installs the wheels that ``requirements.lock`` pins (see
    :func:`~elg_decorators.image.wheelhouse.prepare_wheelhouse`) into a virtual environment,
    copies only the script and the named files and folders, and runs
    ``python -m elg_decorators serve`` on the script as an unprivileged user, on ``$PORT``
    (default 8000). Existing files of these names are overwritten (the ``build`` command checks
    first that it wrote them).

    .. code-block:: python

        write_docker_files(Path("."), Path("ner.py"), required_folders=["models"], workers=2)

    :param directory: the build context; every path of the options must lie inside it.
    :param script: the service script (relative to ``directory`` or absolute); it is copied to
        ``/elg/<script name>``.
    :param options: the :class:`ImageOptions`, or its fields as keyword arguments.
    :returns: the paths written.
    :raises BuildError: for a path outside ``directory`` or missing, or an invalid option.
    """
    options = options or ImageOptions(**given)
    directory = Path(directory)
    if not directory.is_dir():
        raise BuildError(f"build context {str(directory)!r} is not a folder; create it first")
    options = replace(
        options,
        required_files=context_paths(directory, options.required_files, kind="file"),
        required_folders=context_paths(directory, options.required_folders, kind="folder"),
    )
    files = render_docker_files(context_path(directory, script, kind="file"), options)
    return [write_generated(directory / name, text) for name, text in files.items()]
