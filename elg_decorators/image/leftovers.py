"""What a build leaves in the engine: its dependencies stage under a name, and no image without one.

The engine's classic builder keeps the image each stage of a multi-stage build ends with, and it
is Docker's cache for the next build: without it the next build installs every dependency again.
Left as it is, it would show as an unnamed (``<none>``) image of a few hundred MB after every
build; here it is tagged ``REPOSITORY:dependencies`` (one per image repository, so one per
service), and the image the tags named before a build is removed once nothing names it.
"""
from __future__ import annotations

from typing import Any

from ..logger import logger
from .context import DEPENDENCIES_TAG, parse_reference
from .stream import api_errors, explain

__all__ = ["DEPENDENCIES_TAG", "dependencies_reference", "image_id", "keep_dependencies", "remove_if_unnamed"]

def dependencies_reference(tag: str) -> str:
    """The name the dependencies stage of the image ``tag`` is kept under."""
    return f"{parse_reference(tag).repository}:{DEPENDENCIES_TAG}"


def image_id(client: Any, name: str) -> str | None:
    """The id of the image ``name`` names in the engine, or None."""
    import docker.errors

    try:
        return str(client.api.inspect_image(name)["Id"])
    except docker.errors.ImageNotFound:
        return None


def remove_if_unnamed(client: Any, image: str | None) -> None:
    """Remove ``image`` (an id) if no tag names it any more; an image a container or another image uses stays."""
    if image is None:
        return
    try:
        tags = [tag for tag in client.api.inspect_image(image).get("RepoTags") or [] if tag != "<none>:<none>"]
        if not tags:
            client.api.remove_image(image)
    except api_errors() as err:
        logger.debug("kept the unnamed image %s: %s", image, explain(err))


def keep_dependencies(client: Any, tag: str, stage_images: list[str], previous: str | None) -> str | None:
    """Tag the dependencies stage of the image just built as :func:`dependencies_reference`; remove the one it replaces.

    :param stage_images: the images the build's earlier stages ended with (one for the generated
        Dockerfile; with any other number nothing is tagged).
    :param previous: the id the dependencies tag named before the build.
    :returns: the name the stage is kept under, or None.
    """
    if len(stage_images) != 1:
        return None
    kept = dependencies_reference(tag)
    repository, _, name = kept.rpartition(":")
    client.api.tag(stage_images[0], repository, name, force=True)
    if image_id(client, kept) != previous:
        remove_if_unnamed(client, previous)
    return kept
