"""Building the image of a context whose Dockerfile is written: wheelhouse first, then the engine's build."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import BuildError
from .engine import base_images, build_image, connect, pull_base_images
from .progress import ProgressPrinter
from .target import probe_base_image
from .wheelhouse import prepare_wheelhouse

__all__ = ["build_context_image"]


def build_context_image(
    context: Path, tag: str, *, pull: bool = True, output: TextIO | None = None, client: Any = None,
    **build_kwargs: Any,
) -> str:
    """Fill the wheelhouse for the Dockerfile's base image, then build the image (see :func:`.engine.build_image`).

    :param context: a build context with ``requirements.txt`` and ``Dockerfile``.
    :param pull: pull the base image first.
    :returns: the image id.
    :raises BuildError: as ``build`` does.
    """
    context = Path(context)
    output = output if output is not None else sys.stdout
    if not (context / "Dockerfile").is_file() or not (context / "requirements.txt").is_file():
        raise BuildError(f"{context} needs a requirements.txt and a Dockerfile: write them first")
    bases = base_images(context / "Dockerfile")
    if not bases:
        raise BuildError(f"the Dockerfile in {context} names no base image")
    docker_client = connect(client)
    try:
        if pull:
            pull_base_images(docker_client, bases, ProgressPrinter(output))
        prepare_wheelhouse(context, probe_base_image(docker_client, bases[-1]), output)
        return build_image(context, tag, pull=False, output=output, client=docker_client, **build_kwargs)
    finally:
        if client is None:
            docker_client.close()
