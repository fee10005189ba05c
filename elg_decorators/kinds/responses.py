"""The kinds of ELG response a handler answers with, each described once.

Everything that differs between ``annotations``, ``classification``, ``texts``
and ``audio`` responses is a field of :class:`ResponseKind`: how a plain value a
handler returns (a dict, str or list) becomes the response, and what the
ELG-SHARE record says about it as an output. Return values, the OpenAPI
document and ``deploy`` read the :data:`RESPONSE_KINDS` table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from ..model.response import (
    RESPONSE_MODELS,
    AnnotationsResponse,
    AudioResponse,
    ClassificationResponse,
    ResponseObject,
    TextsResponse,
)
from .share import JSON_TEXT, ShareResource


@dataclass(frozen=True)
class ResponseKind:
    """One kind of response: its model, how a plain value becomes it, and its ELG-SHARE description."""

    model: type[ResponseObject]
    #: Builds the response from a dict, str or list a handler returned (raising ValueError, TypeError or a
    #: pydantic ValidationError when it cannot); None: the value is validated as the model.
    builder: Callable[[Any], ResponseObject] | None = None
    #: What the ELG-SHARE record says about it as an output; None: ``deploy`` derives it (and says so).
    elg_share: ShareResource | None = None

    @property
    def type(self) -> str:
        """The value of ``type`` on the wire (``annotations``), as the model declares it."""
        return str(self.model.model_fields["type"].default)

    def build(self, value: Any) -> ResponseObject:
        """``value`` (a dict, str or list a handler returned) as this response."""
        return self.builder(value) if self.builder is not None else self.model.model_validate(value)


class ResponseKinds:
    """A table of response kinds, looked up by their ``type`` or their model."""

    def __init__(self, kinds: Iterable[ResponseKind]) -> None:
        self._kinds: dict[str, ResponseKind] = {}
        for kind in kinds:
            if kind.type in self._kinds:
                raise ValueError(f"response kind {kind.type!r} is described twice")
            self._kinds[kind.type] = kind

    def __iter__(self) -> Iterator[ResponseKind]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __getitem__(self, response_type: str) -> ResponseKind:
        return self._kinds[response_type]

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def for_model(self, model: type[ResponseObject]) -> ResponseKind:
        """The kind whose model is ``model``; for a model the table lacks, one that validates it as it is."""
        for kind in self:
            if kind.model is model:
                return kind
        return ResponseKind(model)

    def __repr__(self) -> str:
        return f"ResponseKinds({', '.join(self._kinds)})"


def _annotations(value: Any) -> AnnotationsResponse:
    if isinstance(value, dict) and not value:  # nothing found: no annotations, not an invalid response
        return AnnotationsResponse(annotations={})
    if isinstance(value, dict) and set(value) <= {"type", "features", "annotations", "warnings"}:
        return AnnotationsResponse.model_validate(value)
    if isinstance(value, dict):
        return AnnotationsResponse(annotations=value)
    raise TypeError("an annotations response is built from a dict")


def _classification(value: Any) -> ClassificationResponse:
    if isinstance(value, dict) and "classes" in value:
        return ClassificationResponse.model_validate(value)
    items = value if isinstance(value, list) else [value]
    classes: list[Any] = [{"class": item} if isinstance(item, str) else item for item in items]
    return ClassificationResponse(classes=classes)


def _texts(value: Any) -> TextsResponse:
    if isinstance(value, dict) and "texts" in value:
        return TextsResponse.model_validate(value)
    nodes = value if isinstance(value, list) else [value]
    texts: list[Any] = [{"content": node} if isinstance(node, str) else node for node in nodes]
    return TextsResponse(texts=texts)


def _audio(value: Any) -> AudioResponse:
    if isinstance(value, dict):
        return AudioResponse.model_validate(value)
    raise TypeError("an audio response is built from a dict")


#: The four kinds of the ELG LT service API.
RESPONSE_KINDS = ResponseKinds([
    ResponseKind(AnnotationsResponse, _annotations, JSON_TEXT),
    ResponseKind(ClassificationResponse, _classification, JSON_TEXT),
    ResponseKind(TextsResponse, _texts, ShareResource("outputText", "text", ("Json",))),
    ResponseKind(AudioResponse, _audio, ShareResource("file1", "audio", ("wav", "mp3"), text_encoded=False)),
])

if tuple(kind.model for kind in RESPONSE_KINDS) != RESPONSE_MODELS:
    raise ImportError(
        "RESPONSE_KINDS in elg_decorators/kinds/responses.py must have one row per model of "
        "RESPONSE_MODELS (elg_decorators/model/response/utils.py), in the same order; add or remove rows"
    )
