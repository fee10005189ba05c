"""The documented classmethods that package a service as a Docker image."""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, ClassVar
from collections.abc import Sequence


class DockerPackaging:
    """Requirements, Docker files, image build and push for the script that defines a service class.

    Mixed into FlaskService; the work is done by :mod:`elg_decorators.image`.
    """

    requirements: ClassVar[Sequence[str]]

    @classmethod
    def service_script(cls, path: str | None = None) -> Path:
        """The script that defines the service: ``path`` if given, else the file of ``cls``."""
        if path is not None:
            return Path(path).resolve()
        source = inspect.getsourcefile(cls)
        if source is None:
            raise ValueError(f"cannot tell which file defines {cls.__name__}; pass path=")
        return Path(source).resolve()

    @classmethod
    def create_requirements(cls, requirements: list[str] | None = None, path: str | None = None) -> None:
        """Write ``requirements.txt`` beside the service script.

        :param requirements: pip requirements of the service, added to the framework's own.
        :param path: the service script (its folder receives the file); by default
            the file that defines this class.
        """
        from ..image.requirements import write_requirements

        script = cls.service_script(path)
        write_requirements(script.parent, [*cls.requirements, *(requirements or [])])

    @classmethod
    def create_docker_files(
        cls,
        required_files: list[str] | None = None,
        required_folders: list[str] | None = None,
        commands: list[str] | None = None,
        base_image: str | None = None,
        path: str | None = None,
        log_level: str = "INFO",
        workers: int = 1,
        timeout: int = 30,
        worker_class: str = "sync",
    ) -> None:
        """Write the Dockerfile and ``.dockerignore`` beside the service script.

        The defaults are the ``elg`` package's; ``python -m elg_decorators build`` uses serve's.
        The image's health check asks the readiness path, ``/health/ready``, which every service answers.

        :param required_files: files the service needs, copied into the image.
        :param required_folders: folders the service needs, copied into the image.
        :param commands: extra shell commands run while building (as root, so they may install packages).
        :param base_image: the Debian-based Python image to build on; by default the slim official
            image of the running Python (the ``elg`` package's ``python:3.8-slim`` cannot run this framework).
        :param path: the service script; by default the file that defines this class.
        :param log_level: the minimum level of logged messages.
        :param workers: number of gunicorn workers.
        :param timeout: gunicorn worker timeout in seconds.
        :param worker_class: gunicorn worker class.
        """
        from ..image.dockerfile import write_docker_files

        script = cls.service_script(path)
        write_docker_files(
            script.parent, script,
            required_files=required_files or (), required_folders=required_folders or (),
            commands=commands or (), base_image=base_image, log_level=log_level,
            workers=workers, timeout=timeout, worker_class=worker_class,
        )

    @classmethod
    def docker_build_image(cls, tag: str, pull: bool = True, path: str | None = None, **kwargs: Any) -> str:
        """Build the image from the folder of the service script, streaming the build output.

        The wheels of ``requirements.txt`` are downloaded first, for the Dockerfile's base image,
        and locked in ``requirements.lock``: the build itself needs no network.

        :returns: the id of the image built.
        """
        from ..image.image import build_context_image

        return build_context_image(cls.service_script(path).parent, tag, pull=pull, **kwargs)

    @classmethod
    def docker_push_image(
        cls, repository: str, tag: str, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        """Push ``repository:tag``, with the given credentials or those of the Docker configuration."""
        from ..image.engine import push_image

        push_image(repository, tag, username=username, password=password, **kwargs)
