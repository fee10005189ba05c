"""The ELG response messages: annotations, classification, texts and audio."""
from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from typing import Annotated, Any, Dict, List, Literal, Optional, Union

from pydantic import Field, TypeAdapter, field_validator, model_validator

from ._base import STOP_AT_FIRST_ERROR, ELGModel
from .annotation import Annotations, Number
from .request import AUDIO_FORMATS
from .status import Failure, Progress, StatusMessage


class ResponseObject(ELGModel):
    """Common part of every successful response: its ``type`` and optional ``warnings``."""

    type: str
    warnings: Optional[List[StatusMessage]] = None


class AnnotationsResponse(ResponseObject):
    """Standoff annotations over the request's content, and/or features of it as a whole."""

    type: Literal["annotations"] = "annotations"
    features: Optional[Dict[str, Any]] = None
    annotations: Optional[Annotations] = Field(None, fail_fast=True)

    @model_validator(mode="after")
    def _features_or_annotations(self) -> "AnnotationsResponse":
        if self.features is None and self.annotations is None:
            raise ValueError('an annotations response needs "features" or "annotations"')
        return self


class ClassesResponse(ELGModel):
    """One class of a classification, with an optional score."""

    class_field: Optional[str] = Field(None, alias="class")
    score: Optional[float] = None


class ClassificationResponse(ResponseObject):
    """Zero or more classes the whole input belongs to."""

    type: Literal["classification"] = "classification"
    classes: Optional[Annotated[List[ClassesResponse], STOP_AT_FIRST_ERROR]] = None


class TextsResponseObject(ELGModel):
    """One node of a texts response: a leaf with ``content`` or a branch with ``texts``."""

    role: Optional[str] = None
    content: Optional[str] = None
    texts: Optional[Annotated[List["TextsResponseObject"], STOP_AT_FIRST_ERROR]] = None
    score: Optional[Number] = None
    features: Optional[Dict[str, Any]] = None
    annotations: Optional[Annotations] = Field(None, fail_fast=True)

    @model_validator(mode="after")
    def _leaf_or_branch(self) -> "TextsResponseObject":
        if self.content is None and self.texts is None:
            raise ValueError('a texts response node needs "content" or "texts"')
        if self.texts and self.score is not None:
            raise ValueError("a branch node (one with texts) cannot have a score")
        return self


class TextsResponse(ResponseObject):
    """One or more new texts, e.g. alternative translations or transcriptions."""

    type: Literal["texts"] = "texts"
    texts: Annotated[List[TextsResponseObject], STOP_AT_FIRST_ERROR]


class AudioResponse(ResponseObject):
    """Short audio, base64-encoded, with optional annotations (e.g. speech synthesis)."""

    type: Literal["audio"] = "audio"
    content: str
    format: str
    features: Optional[Dict[str, Any]] = None
    annotations: Optional[Annotations] = Field(None, fail_fast=True)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.upper() not in AUDIO_FORMATS:
            raise ValueError(f"audio format {value!r} is not one of {', '.join(AUDIO_FORMATS)}")
        return value.upper()

    def to_file(self, filename: Union[str, Path]) -> None:
        """Write the decoded audio to ``filename``."""
        Path(filename).write_bytes(b64decode(self.content))


ResponseMessage = Annotated[
    Union[AnnotationsResponse, ClassificationResponse, TextsResponse, AudioResponse], Field(discriminator="type")
]
response_adapter: TypeAdapter[Any] = TypeAdapter(ResponseMessage)


def get_response(message: Any) -> Union[ResponseObject, Failure, Progress]:
    """Parse ``{"response": …}``, ``{"failure": …}`` or ``{"progress": …}`` into its model.

    ``message`` may be a ``dict`` or JSON text/bytes.
    """
    if isinstance(message, (str, bytes, bytearray)):
        message = TypeAdapter(dict).validate_json(message)
    if "response" in message:
        return response_adapter.validate_python(message["response"])  # type: ignore[no-any-return]
    if "failure" in message:
        return Failure.model_validate(message["failure"])
    if "progress" in message:
        return Progress.model_validate(message["progress"])
    raise ValueError('an ELG message has a "response", "failure" or "progress" key')
