"""Pulling base images, with advice for an engine that is offline."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from collections.abc import Iterable

from ..errors import BuildError
from .context import parse_reference
from .progress import ProgressPrinter
from .stream import api_errors, drain, error_message, explain

__all__ = ["base_images", "pull_base_images"]


_FROM_RE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.I | re.M)


def base_images(dockerfile: Path) -> list[str]:
    """The images a Dockerfile's ``FROM`` lines name (not its own stages, ``scratch`` or ``$ARG`` names)."""
    images: list[str] = []
    stages: set[str] = set()
    for image, stage in _FROM_RE.findall(dockerfile.read_text(encoding="utf-8")):
        if image.lower() not in stages and image != "scratch" and "$" not in image and image not in images:
            images.append(image)
        if stage:
            stages.add(stage.lower())
    return images


def _has_image(client: Any, image: str) -> bool:
    import docker.errors

    try:
        client.api.inspect_image(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def pull_base_images(client: Any, images: Iterable[str], printer: ProgressPrinter) -> None:
    """Pull ``images``; a failure names the way out offline: ``--no-pull``, and ``--base-image`` when the image is not
    in the engine.

    :raises BuildError: naming the image, the engine's reason and what to do.
    """
    failures: tuple[type[BaseException], ...] = (BuildError, *api_errors())
    for image in images:
        ref = parse_reference(image)
        name, tag = ref.repository, ref.digest or ref.tag or "latest"
        try:
            events = client.api.pull(name, tag=tag, stream=True, decode=True)
            for event in events:
                message = error_message(event)
                if message is not None:
                    drain(events)
                    raise BuildError(message)
                if "status" in event:
                    printer.status(event)
        except failures as err:
            reason = explain(err)
            if _has_image(client, image):
                hint = f"{image} is in the engine already: build with --no-pull (pull=False) to use it as it is"
            else:
                hint = (
                    f"{image} is not in the engine either: without a network, name a Debian-based Python image "
                    "the engine has with --base-image IMAGE and build with --no-pull (pull=False), or 'docker load' "
                    "this one first; else check the image name and the registry login ('docker login')"
                )
            raise BuildError(f"Pulling the base image {image} failed: {reason}; {hint}") from None
        finally:
            printer.close()
