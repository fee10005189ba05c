"""One POST to a service, independent of the web framework that received it.

FlaskService answers exchanges from its Flask view and, for decorated
services, straight from the WSGI environ (see :mod:`.direct`); both go
through :meth:`FlaskService.answer`, so they behave the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any
from collections.abc import Callable, Iterator, Mapping, Sequence


# Not frozen: one is made for every request, and a frozen dataclass is several times dearer to make.
@dataclass(slots=True)
class Exchange:
    """What the service needs to know about one request."""

    method: str
    path: str
    #: The route that matched (``/translate/<src>/<tgt>``), and its variables' values.
    route: str
    url_values: Mapping[str, Any]
    content_type: str | None
    #: Opens the body stream (may raise werkzeug's RequestEntityTooLarge).
    body: Callable[[], IO[bytes]]
    #: The query-string parameters, read only when needed.
    query: Callable[[], Mapping[str, Sequence[str]]]
    accept: str | None


@dataclass(slots=True)
class Reply:
    """The answer: status, headers and a body of bytes or a stream of them."""

    status: int
    content_type: str
    body: bytes | Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    #: A batched handler's answer to come (:class:`~elg_decorators.runtime.batching.Pending`): the
    #: status and body are then those of :meth:`FlaskService.settle`, once it settles.
    pending: Any = None

