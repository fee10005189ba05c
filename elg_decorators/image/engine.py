"""Building and pushing images through the Docker engine, with progress streamed as it happens."""
from __future__ import annotations

import gc
import os
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from collections.abc import Iterable, Iterator, Mapping

from ..logger import logger
from ..errors import BuildError
from .context import parse_reference, validate_build_tag
from .context_archive import context_archive
from .extra import require_extra
from .leftovers import dependencies_reference, keep_dependencies, remove_if_unnamed
from .leftovers import image_id as _image_id
from .progress import ProgressPrinter
from .pull import base_images, pull_base_images
from .stream import api_errors as _api_errors
from .stream import drain as _drain
from .stream import error_message as _error_message
from .stream import explain as _explain
from .stream import one_line as _one_line

__all__ = ["build_image", "push_image", "build_and_push", "connect", "auth_config", "base_images", "pull_base_images"]


_DEFAULT_HOST = "unix:///var/run/docker.sock"
_AUTH_FAILURE_RE = re.compile(r"denied|unauthori[sz]ed|authentication required", re.I)
_AUTH_HINT = (
    "log in with 'docker login', or set DOCKER_USERNAME and DOCKER_PASSWORD, "
    "and check that the account may push to this repository"
)


def _engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or _DEFAULT_HOST


def connect(client: Any = None) -> Any:
    """Return a docker client that answers, ``docker.from_env()`` when ``client`` is None.

    :raises BuildError: if the engine cannot be reached, or the docker SDK is not installed.
    """
    require_extra("building and pushing images", "docker")
    import docker

    try:
        if client is None:
            client = docker.from_env()
        client.ping()
    except _api_errors() as err:
        reason = _one_line(err)
    else:
        return client
    # The SDK leaves the socket of a failed connection open; with the exception gone it can be
    # collected now, quietly, instead of warning at some random later point.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    raise BuildError(f"Cannot reach the Docker engine at {_engine_address()}: is it running? ({reason})")


@contextmanager
def _session(client: Any) -> Iterator[Any]:
    owned = client is None
    client = connect(client)
    try:
        yield client
    finally:
        if owned:
            client.close()


def _follow_build(events: Iterable[Mapping[str, Any]], printer: ProgressPrinter, tag: str) -> str | None:
    image_id = None
    for event in events:
        message = _error_message(event)
        if message is not None:
            _drain(events)
            printer.close()
            where = f" at {printer.step!r}" if printer.step else ""
            text = f"Building {tag} failed{where}: {message}"
            if printer.step_lines:
                text += f" (last output: {' | '.join(printer.step_lines)})"
            raise BuildError(text)
        if "stream" in event:
            chunk = str(event["stream"])
            printer.text(chunk)
            built = re.search(r"Successfully built ([0-9a-f]+)", chunk)
            if built and image_id is None:
                image_id = built.group(1)
        elif "status" in event:
            printer.status(event)
        aux = event.get("aux")
        if isinstance(aux, Mapping) and aux.get("ID"):
            image_id = str(aux["ID"])
    return image_id


def _build(client: Any, context: Path, tag: str, pull: bool, printer: ProgressPrinter, kwargs: dict[str, Any]) -> str:
    if not context.is_dir():
        raise BuildError(f"build context {str(context)!r} is not a folder")
    dockerfile = kwargs.get("dockerfile") or "Dockerfile"
    if not (context / dockerfile).is_file():
        raise BuildError(f"there is no {dockerfile} in {context}; write the image files first")
    validate_build_tag(tag)
    # No intermediate container is left behind, whether the build succeeds or fails.
    kwargs.setdefault("rm", True)
    kwargs.setdefault("forcerm", True)
    if pull:
        pull_base_images(client, base_images(context / dockerfile), printer)
    logger.debug("building %s from %s", tag, context)
    archive = None
    try:
        previous, previous_dependencies = _image_id(client, tag), _image_id(client, dependencies_reference(tag))
        archive = context_archive(context, dockerfile)
        events = client.api.build(fileobj=archive, custom_context=True, tag=tag, pull=False, decode=True, **kwargs)
        built = _follow_build(events, printer, tag)
        built = str(client.api.inspect_image(built or tag)["Id"])
        keep_dependencies(client, tag, printer.stage_images, previous_dependencies)
        if previous != built:
            remove_if_unnamed(client, previous)
    except _api_errors() as err:
        raise BuildError(f"Building {tag} failed: {_explain(err)}") from err
    finally:
        printer.close()
        if archive is not None:
            archive.close()
    return built


def auth_config(username: str | None = None, password: str | None = None) -> dict[str, str] | None:
    """Registry credentials: the arguments, else ``DOCKER_USERNAME``/``DOCKER_PASSWORD``, else None (docker login's).

    :raises BuildError: when only one of user name and password is given.
    """
    return _auth_config(username, password)


def _auth_config(username: str | None, password: str | None) -> dict[str, str] | None:
    username = username or os.environ.get("DOCKER_USERNAME") or None
    password = password or os.environ.get("DOCKER_PASSWORD") or None
    if username is None and password is None:
        return None  # the SDK then uses the docker config (docker login)
    if username is None or password is None:
        missing = "username" if username is None else "password"
        raise BuildError(
            f"a registry {missing} is missing: give both username and password (arguments or "
            "DOCKER_USERNAME and DOCKER_PASSWORD), or neither to use the credentials of 'docker login'"
        )
    return {"username": username, "password": password}


def _push(client: Any, repository: str, tag: str | None, auth: dict[str, Any] | None, printer: ProgressPrinter,
          kwargs: dict[str, Any]) -> None:
    ref = parse_reference(repository if tag is None else f"{repository}:{tag}")
    if ref.digest is not None:
        raise BuildError(f"cannot push {repository!r}: push a tag, not a digest")
    # Without a tag the engine would push every tag of the repository.
    name, tag = ref.repository, ref.tag or "latest"
    logger.debug("pushing %s:%s", name, tag)
    try:
        events = client.api.push(name, tag=tag, stream=True, decode=True, auth_config=auth, **kwargs)
        for event in events:
            message = _error_message(event)
            if message is not None:
                _drain(events)
                hint = ""
                if _AUTH_FAILURE_RE.search(message):
                    hint = f"; {_AUTH_HINT}"
                raise BuildError(f"The registry rejected the push of {name}:{tag}: {message}{hint}")
            if "status" in event:
                printer.status(event)
    except _api_errors() as err:
        message = _explain(err)
        hint = "; build it first" if getattr(err, "status_code", None) == 404 else ""
        if _AUTH_FAILURE_RE.search(message):
            hint = f"; {_AUTH_HINT}"
        raise BuildError(f"Pushing {name}:{tag} failed: {message}{hint}") from None
    finally:
        printer.close()


def build_image(
    context: Path,
    tag: str,
    *,
    pull: bool = True,
    output: TextIO | None = None,
    client: Any = None,
    **build_kwargs: Any,
) -> str:
    """Build the image in ``context`` (as ``docker build --tag TAG CONTEXT``), streaming its output.

    The files are sent owned by root and readable, not writable, by others (see
    :mod:`.context_archive`). The stage the dependencies are installed in, Docker's cache for the
    next build, is kept as ``REPOSITORY:dependencies``, and the image ``tag`` named before is
    removed when nothing names it any more: a build leaves no unnamed image (see :mod:`.leftovers`).

    .. code-block:: python

        image_id = build_image(Path("."), "registry.example.org/me/ner:1.0")

    :param context: the build context, holding the ``Dockerfile``.
    :param tag: the name to give the image, ``[registry/]path[:tag]``.
    :param pull: pull a newer version of the base image.
    :param output: where build output goes, as it comes (default: standard output).
    :param client: a ``docker.DockerClient``; by default one from the environment
        (``DOCKER_HOST`` …), closed afterwards.
    :param build_kwargs: more arguments of the docker SDK's ``APIClient.build``.
    :returns: the image id.
    :raises BuildError: if the engine is unreachable or a build step fails (the message names
        the step and its last output lines).
    """
    printer = ProgressPrinter(output if output is not None else sys.stdout)
    with _session(client) as docker_client:
        return _build(docker_client, Path(context), tag, pull, printer, dict(build_kwargs))


def push_image(
    repository: str,
    tag: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    output: TextIO | None = None,
    client: Any = None,
    **push_kwargs: Any,
) -> None:
    """Push an image to its registry (``docker push``), once, streaming compact progress.

    Credentials come from the arguments, else from ``DOCKER_USERNAME``/``DOCKER_PASSWORD``,
    else from the docker config written by ``docker login``. They are never printed or logged.

    :param repository: ``[registry/]path``, or a full ``path:tag`` when ``tag`` is None.
    :param tag: the tag to push; ``latest`` when neither it nor ``repository`` names one.
    :param username: registry user name.
    :param password: registry password or token.
    :param output: where progress goes (default: standard output).
    :param client: a ``docker.DockerClient``; by default one from the environment.
    :param push_kwargs: more arguments of the docker SDK's ``APIClient.push``.
    :raises BuildError: if the engine is unreachable or the registry rejects the push.
    """
    auth = _auth_config(username, password)
    printer = ProgressPrinter(output if output is not None else sys.stdout)
    with _session(client) as docker_client:
        _push(docker_client, repository, tag, auth, printer, dict(push_kwargs))


def build_and_push(
    context: Path,
    tag: str,
    *,
    pull: bool = True,
    username: str | None = None,
    password: str | None = None,
    output: TextIO | None = None,
    client: Any = None,
    build_kwargs: Mapping[str, Any] | None = None,
    push_kwargs: Mapping[str, Any] | None = None,
) -> str:
    """Build the image in ``context`` as ``tag``, then push it (see :func:`build_image`, :func:`push_image`).

    :returns: the image id.
    :raises BuildError: as the two functions do; nothing is pushed if the build fails.
    """
    auth = _auth_config(username, password)
    printer = ProgressPrinter(output if output is not None else sys.stdout)
    with _session(client) as docker_client:
        image_id = _build(docker_client, Path(context), tag, pull, printer, dict(build_kwargs or {}))
        _push(docker_client, tag, None, auth, printer, dict(push_kwargs or {}))
    return image_id
