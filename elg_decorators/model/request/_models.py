"""The four ELG request messages: text, structuredText, audio and image (their one definition)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from collections.abc import Iterable

from pydantic import Field, field_validator, model_validator

from .._base import STOP_AT_FIRST_ERROR, ELGModel
from ..annotation import Annotations

#: Deepest structuredText nesting accepted; deeper requests are invalid.
MAX_STRUCTURED_TEXT_DEPTH = 100

AUDIO_FORMATS = ("LINEAR16", "MP3")
IMAGE_FORMATS = ("tiff", "bmp", "png", "jpeg", "gif")


def audio_format(value: str) -> str:
    """An audio format name in its canonical upper case, or a ValueError naming the accepted ones."""
    if value.upper() not in AUDIO_FORMATS:
        raise ValueError(f"audio format {value!r} is not one of {', '.join(AUDIO_FORMATS)}")
    return value.upper()


class Request(ELGModel):
    """Common part of every request: its ``type`` and service-specific ``params``."""

    type: str | None = None
    params: dict[str, Any] | None = None


class TextRequest(Request):
    """A single piece of text, optionally with markup and existing annotations."""

    type: Literal["text"] = "text"
    content: str
    mime_type: str = Field("text/plain", alias="mimeType")
    features: dict[str, Any] | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)

    @property
    def mimeType(self) -> str:  # noqa: N802 - the name the elg package's TextRequest uses
        return self.mime_type

    @classmethod
    def from_file(cls, filename: str | Path, **fields: Any) -> TextRequest:
        """A request whose content is the UTF-8 text of ``filename``."""
        return cls(content=Path(filename).read_text(encoding="utf-8"), **fields)


class Text(ELGModel):
    """One node of a structured text: a leaf with ``content`` or a branch with ``texts``."""

    content: str | None = None
    mime_type: str = "text/plain"
    features: dict[str, Any] | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)
    texts: Annotated[list[Text], STOP_AT_FIRST_ERROR] | None = None

    @property
    def mimeType(self) -> str:  # noqa: N802 - kept for code written against the elg package
        return self.mime_type

    @model_validator(mode="after")
    def _content_or_texts(self) -> Text:
        if self.content is None and self.texts is None:
            raise ValueError('a structured text node needs "content" or "texts"')
        return self


def _nesting_depth(texts: list[Text]) -> int:
    """Depth of a tree of texts, walked without recursion."""
    deepest = 0
    pending = [(texts, 1)]
    while pending:
        nodes, depth = pending.pop()
        deepest = max(deepest, depth)
        pending.extend((node.texts, depth + 1) for node in nodes if node.texts)
    return deepest


class StructuredTextRequest(Request):
    """Text with structure: paragraphs, sentences, documents of sentences…"""

    type: Literal["structuredText"] = "structuredText"
    texts: Annotated[list[Text], STOP_AT_FIRST_ERROR]

    # Checked after validation, so that JSON is validated by pydantic-core without a detour
    # through Python dicts; deeper JSON than pydantic-core parses is refused before this.
    @model_validator(mode="after")
    def _limit_depth(self) -> StructuredTextRequest:
        if _nesting_depth(self.texts) > MAX_STRUCTURED_TEXT_DEPTH:
            raise ValueError(f"texts are nested more than {MAX_STRUCTURED_TEXT_DEPTH} levels deep")
        return self


class _BinaryRequest(Request):
    """A request whose content travels as bytes beside the JSON."""

    content: bytes | None = Field(None, exclude=True)
    generator: Any | None = Field(None, exclude=True)
    features: dict[str, Any] | None = None

    @field_validator("generator")
    @classmethod
    def _generator_is_iterable(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, Iterable) and not hasattr(value, "__aiter__"):
            raise ValueError(f"generator must be None or an iterable of bytes, not {type(value).__name__}")
        return value

    @staticmethod
    def generator_from_file(filename: str | Path, blocksize: int = 1024) -> Iterable[bytes]:
        """Yield the bytes of ``filename`` in blocks of ``blocksize``."""
        with open(filename, "rb") as file:
            while block := file.read(blocksize):
                yield block


class AudioRequest(_BinaryRequest):
    """A piece of audio; the audio itself is sent as the binary part of the request."""

    type: Literal["audio"] = "audio"
    format: str = "LINEAR16"
    sample_rate: int | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        return audio_format(value)

    @classmethod
    def from_file(cls, filename: str | Path, format: str | None = None, **fields: Any) -> AudioRequest:
        """A request holding the bytes of ``filename`` (MP3 for ``.mp3`` files, else LINEAR16)."""
        path = Path(filename)
        if format is None:
            format = "MP3" if path.suffix.lower() == ".mp3" else "LINEAR16"
        return cls(content=path.read_bytes(), format=format, **fields)


class ImageRequest(_BinaryRequest):
    """An image; the image itself is sent as the binary part of the request."""

    type: Literal["image"] = "image"
    format: str = "png"

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.lower() not in IMAGE_FORMATS:
            raise ValueError(f"image format {value!r} is not one of {', '.join(IMAGE_FORMATS)}")
        return value

    @classmethod
    def from_file(cls, filename: str | Path, format: str | None = None, **fields: Any) -> ImageRequest:
        """A request holding the bytes of ``filename``, its format taken from the suffix by default."""
        path = Path(filename)
        return cls(content=path.read_bytes(), format=format or path.suffix.lstrip("."), **fields)
