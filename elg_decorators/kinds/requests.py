"""The kinds of ELG request a service takes, each described once.

Everything that differs between ``text``, ``structuredText``, ``audio`` and
``image`` requests is a field of :class:`RequestKind`; the decorators, the
``process_*`` dispatch of :class:`~elg_decorators.FlaskService`, request
parsing, argument binding, the OpenAPI document, the test client and the
ELG-SHARE record are all derived from a :class:`RequestKinds` table, by default
:data:`REQUEST_KINDS`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Type, Union  # noqa: UP035 - see RequestKind.model
from collections.abc import Iterable, Iterator, Mapping

from pydantic import Field, TypeAdapter

from ..model.request import (
    AUDIO_FORMATS,
    IMAGE_FORMATS,
    AudioRequest,
    ImageRequest,
    Request,
    StructuredTextRequest,
    TextRequest,
)
from .share import ShareResource

#: Request fields that are never handler arguments of their own (``params`` is bound whole).
_NOT_ARGUMENTS = frozenset({"type", "params", "generator"})


@dataclass(frozen=True)
class RawBody:
    """A media type a request of some kind may arrive in as a bare body, with the fields it implies.

    ``image/*`` matches every subtype; ``subtype_field`` then receives the
    subtype (``image/png`` -> ``format="png"``).
    """

    media_type: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    subtype_field: str | None = None

    def match(self, media_type: str) -> dict[str, Any] | None:
        """The fields ``media_type`` implies if it is this one, else None."""
        if self.media_type.endswith("/*"):
            prefix = self.media_type[:-1]
            if not media_type.startswith(prefix) or len(media_type) == len(prefix):
                return None
            fields = dict(self.fields)
            if self.subtype_field:
                fields[self.subtype_field] = media_type[len(prefix):]
            return fields
        return dict(self.fields) if media_type == self.media_type else None


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: its wire name, model and the names the framework gives it."""

    #: The value of ``type`` on the wire.
    type: str
    model: Type[Request]  # noqa: UP006 - "type" is a field of this class, which hides the builtin here
    #: The :class:`~elg_decorators.FlaskService` method that handles it.
    method: str
    #: The decorator that registers a handler for it.
    decorator: str
    #: Whether its content travels as bytes beside the JSON (a multipart ``content`` part).
    binary: bool = False
    #: Bare bodies accepted for it (as on ELG's public API), besides JSON and multipart.
    raw_bodies: tuple[RawBody, ...] = ()
    #: The handler parameter the test client's first argument fills.
    content_field: str = "content"
    #: The values its ``format`` field accepts, matched ignoring case (empty: it has no format).
    formats: tuple[str, ...] = ()
    #: What the ELG-SHARE record says about it as an input; None: ``deploy`` derives it (and says so).
    elg_share: ShareResource | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The request fields a handler may take by name."""
        return tuple(name for name in self.model.model_fields if name not in _NOT_ARGUMENTS)

    @property
    def raw_media_types(self) -> tuple[str, ...]:
        """The bare-body media types it takes, a wildcard spelled out for each of its formats."""
        types: list[str] = []
        for raw in self.raw_bodies:
            if raw.media_type.endswith("/*") and raw.subtype_field == "format" and self.formats:
                types.extend(raw.media_type[:-1] + value.lower() for value in self.formats)
            else:
                types.append(raw.media_type)
        return tuple(types)

    def raw_body_fields(self, media_type: str) -> dict[str, Any] | None:
        """The fields a bare body of ``media_type`` implies, or None if this kind does not take it."""
        for raw in self.raw_bodies:
            fields = raw.match(media_type)
            if fields is not None:
                return fields
        return None


class RequestKinds:
    """A table of request kinds, looked up by their ``type``."""

    def __init__(self, kinds: Iterable[RequestKind]) -> None:
        self._kinds: dict[str, RequestKind] = {}
        for kind in kinds:
            if kind.type in self._kinds:
                raise ValueError(f"request kind {kind.type!r} is described twice")
            self._kinds[kind.type] = kind

    def with_kind(self, kind: RequestKind) -> RequestKinds:
        """A new table with ``kind`` added."""
        return RequestKinds([*self, kind])

    def __iter__(self) -> Iterator[RequestKind]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, request_type: object) -> bool:
        return request_type in self._kinds

    def __getitem__(self, request_type: str) -> RequestKind:
        return self._kinds[request_type]

    def get(self, request_type: str | None) -> RequestKind | None:
        return self._kinds.get(request_type) if request_type is not None else None

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    @cached_property
    def binary_types(self) -> frozenset[str]:
        """The types of the kinds whose content travels as bytes."""
        return frozenset(kind.type for kind in self if kind.binary)

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        """Validates a request of any kind in the table, choosing the model by ``type``."""
        models = tuple(kind.model for kind in self)
        if len(models) == 1:
            return TypeAdapter(models[0])
        union: Any = Union[models]  # noqa: UP007 - a union of a tuple made at run time
        return TypeAdapter(Annotated[union, Field(discriminator="type")])

    def for_raw_body(self, media_type: str) -> tuple[RequestKind, dict[str, Any]] | None:
        """The kind a bare body of ``media_type`` is, with the fields that media type implies."""
        for kind in self:
            fields = kind.raw_body_fields(media_type)
            if fields is not None:
                return kind, fields
        return None

    @property
    def raw_media_types(self) -> tuple[str, ...]:
        """Every bare-body media type some kind takes."""
        return tuple(media_type for kind in self for media_type in kind.raw_media_types)

    def __repr__(self) -> str:
        return f"RequestKinds({', '.join(self._kinds)})"


_WAV = {"format": "LINEAR16"}
_MP3 = {"format": "MP3"}

#: The four kinds of the ELG LT service API.
REQUEST_KINDS = RequestKinds([
    RequestKind(
        "text", TextRequest, "process_text", "text_service",
        raw_bodies=(
            RawBody("text/plain", {"mime_type": "text/plain"}), RawBody("text/html", {"mime_type": "text/html"}),
        ),
        elg_share=ShareResource("userInputText", "text", ("Text",)),
    ),
    RequestKind(
        "structuredText", StructuredTextRequest, "process_structured_text", "structured_text_service",
        content_field="texts", elg_share=ShareResource("userInputText", "text", ("Json",)),
    ),
    RequestKind(
        "audio", AudioRequest, "process_audio", "audio_service", binary=True, formats=AUDIO_FORMATS,
        raw_bodies=(
            RawBody("audio/wav", _WAV), RawBody("audio/x-wav", _WAV), RawBody("audio/wave", _WAV),
            RawBody("audio/vnd.wave", _WAV), RawBody("audio/mpeg", _MP3), RawBody("audio/mp3", _MP3),
        ),
        elg_share=ShareResource("file1", "audio", ("wav", "mp3"), text_encoded=False),
    ),
    RequestKind(
        "image", ImageRequest, "process_image", "image_service", binary=True, formats=IMAGE_FORMATS,
        raw_bodies=(RawBody("image/*", subtype_field="format"),),
        elg_share=ShareResource("file1", "image", ("png", "jpg", "gif", "bmp", "tiff"), text_encoded=False),
    ),
])
