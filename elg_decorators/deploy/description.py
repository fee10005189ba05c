"""A plain description of a service to deploy: what every manifest and the ELG record are made from.

Nothing here knows how a script declares its handlers; ``cli/deploy.py`` fills
a :class:`ServiceDescription` from the script's description of its endpoints
(:class:`elg_decorators.kinds.Endpoint`), and tests can build one by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar
from collections.abc import Iterable

from ..kinds import RequestKind, ResponseKind
from ..settings import ServerSettings

__all__ = ["Endpoint", "RecordDetails", "ServiceDescription"]


@dataclass(frozen=True)
class Endpoint:
    """One POST path of the service.

    :param path: the path as the service declares it, with Flask URL variables
        (``/translate/<src>/<tgt>``).
    :param location: the same path with each variable given a value: what ELG calls.
    :param request_kinds: the kinds of ELG request it takes (``REQUEST_KINDS["text"]``…).
    :param response_kinds: the kinds of ELG response it answers with (``RESPONSE_KINDS["texts"]``…),
        where the handlers' return annotations say; empty where they do not.
    """

    path: str
    location: str
    request_kinds: tuple[RequestKind, ...]
    response_kinds: tuple[ResponseKind, ...] = ()


@dataclass(frozen=True)
class RecordDetails:
    """What the ELG metadata record says about the service beyond what the code declares.

    ``None`` (or empty) values were not given; the record then falls back on another value
    (the service's name, the script's docstring, the schema's ``unspecified``, the image's
    repository…), and :func:`~elg_decorators.deploy.metadata.fallbacks` says which.

    :param title: the service's full name (``--title``).
    :param description: what the service does (``--description``).
    :param summary: the first paragraph of the script's docstring, the description when none is given.
    :param conditions_of_use: the licence's conditions of use, from the ELG vocabulary (``attribution``…).
    """

    title: str | None = None
    description: str | None = None
    lt_class: str | None = None
    keywords: tuple[str, ...] = ()
    landing_page: str | None = None
    email: str | None = None
    licence: str | None = None
    conditions_of_use: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class ServiceDescription:
    """Everything the generated files say, checked (see :mod:`elg_decorators.deploy.inputs`).

    :param name: the Kubernetes name of the service (a short DNS-1035 label).
    :param image: the image reference, with an immutable tag.
    :param image_repository: the image's name without tag or digest.
    :param version: the image's tag: the version of the service.
    :param endpoints: the POST paths, in the order the service declares them.
    :param settings: how the server in the image runs (port, workers, threads, timeouts).
    :param memory: memory request and limit of one replica, a Kubernetes quantity (``2Gi``).
    :param cpu: CPU request and limit of one replica, a Kubernetes quantity (``1``, ``500m``).
    :param min_scale: fewest replicas (0: scale to zero when idle, on Knative).
    :param max_scale: most replicas.
    :param startup_seconds: how long a replica may take to start and load its resources.
    :param languages: BCP 47 tags of the languages the service processes (none: language independent).
    :param read_only_root: whether the Kubernetes Deployment mounts the root filesystem read-only.
    """

    name: str
    image: str
    image_repository: str
    version: str
    endpoints: tuple[Endpoint, ...]
    record: RecordDetails
    settings: ServerSettings = field(default_factory=ServerSettings)
    memory: str = "2Gi"
    cpu: str = "1"
    min_scale: int = 0
    max_scale: int = 10
    startup_seconds: int = 300
    languages: tuple[str, ...] = ()
    read_only_root: bool = True

    @property
    def request_kinds(self) -> tuple[RequestKind, ...]:
        """Every request kind of every endpoint, each once, in order of appearance."""
        return _each_once(kind for endpoint in self.endpoints for kind in endpoint.request_kinds)

    @property
    def response_kinds(self) -> tuple[ResponseKind, ...]:
        """Every known response kind of every endpoint, each once, in order of appearance."""
        return _each_once(kind for endpoint in self.endpoints for kind in endpoint.response_kinds)


_Kind = TypeVar("_Kind", RequestKind, ResponseKind)


def _each_once(kinds: Iterable[_Kind]) -> tuple[_Kind, ...]:
    """``kinds`` without repeats (by ``type``), in order of appearance."""
    first: dict[str, _Kind] = {}
    for kind in kinds:
        first.setdefault(kind.type, kind)
    return tuple(first.values())
