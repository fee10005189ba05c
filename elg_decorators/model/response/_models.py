"""The ELG response messages: annotations, classification, texts and audio (their one definition)."""
from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .._base import STOP_AT_FIRST_ERROR, ELGModel
from ..annotation import Annotations, Number
from ..request._models import audio_format
from ..status import StatusMessage


#: The characters of standard base64 before its padding (checked without decoding: audio can be large).
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class ResponseObject(ELGModel):
    """Common part of every successful response: its ``type`` and optional ``warnings``."""

    type: str
    warnings: list[StatusMessage] | None = None


class AnnotationsResponse(ResponseObject):
    """Standoff annotations over the request's content, and/or features of it as a whole."""

    type: Literal["annotations"] = "annotations"
    features: dict[str, Any] | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)

    @model_validator(mode="after")
    def _features_or_annotations(self) -> AnnotationsResponse:
        if self.features is None and self.annotations is None:
            raise ValueError('an annotations response needs "features" or "annotations"')
        return self


class ClassesResponse(ELGModel):
    """One class of a classification, with an optional score."""

    class_field: str | None = Field(None, alias="class")
    score: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _class_or_score(cls, value: Any) -> Any:
        # Unknown keys are ignored, so {"label": "x"} would otherwise pass as an empty class ({} is one:
        # it is how a class without name and score is written).
        if isinstance(value, dict) and value and not {"class", "class_field", "score"} & set(value):
            raise ValueError(f'a class has "class" and/or "score", not {", ".join(map(str, value))}')
        return value


class ClassificationResponse(ResponseObject):
    """Zero or more classes the whole input belongs to."""

    type: Literal["classification"] = "classification"
    classes: Annotated[list[ClassesResponse], STOP_AT_FIRST_ERROR] | None = None


class TextsResponseObject(ELGModel):
    """One node of a texts response: a leaf with ``content`` or a branch with ``texts``."""

    role: str | None = None
    content: str | None = None
    texts: Annotated[list[TextsResponseObject], STOP_AT_FIRST_ERROR] | None = None
    score: Number | None = None
    features: dict[str, Any] | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)

    @model_validator(mode="after")
    def _leaf_or_branch(self) -> TextsResponseObject:
        if self.content is None and self.texts is None:
            raise ValueError('a texts response node needs "content" or "texts"')
        if self.texts and self.score is not None:
            raise ValueError("a branch node (one with texts) cannot have a score")
        return self


class TextsResponse(ResponseObject):
    """One or more new texts, e.g. alternative translations or transcriptions."""

    type: Literal["texts"] = "texts"
    texts: Annotated[list[TextsResponseObject], STOP_AT_FIRST_ERROR]


class AudioResponse(ResponseObject):
    """Short audio, base64-encoded, with optional annotations (e.g. speech synthesis)."""

    type: Literal["audio"] = "audio"
    content: str
    format: str
    features: dict[str, Any] | None = None
    annotations: Annotations | None = Field(None, fail_fast=True)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        return audio_format(value)

    @field_validator("content")
    @classmethod
    def _base64(cls, value: str) -> str:
        unpadded = value.rstrip("=")
        if (len(value) % 4 or len(value) - len(unpadded) > 2 or not unpadded.isascii()
                or unpadded.encode("ascii").translate(None, _BASE64_ALPHABET)):
            raise ValueError("audio content must be base64-encoded")
        return value

    def to_file(self, filename: str | Path) -> None:
        """Write the decoded audio to ``filename``."""
        Path(filename).write_bytes(b64decode(self.content))
