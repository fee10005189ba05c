"""Fixture service for API fuzzing: only well-behaved handlers, so any 5xx is the framework's.

Every request type on /process, a streaming handler, and a path with URL variables.
"""
from __future__ import annotations

from collections.abc import Iterator

from elg_decorators import (
    audio_service,
    image_service,
    structured_text_service,
    text_service,
)
from elg_decorators.model import (
    AnnotationsResponse,
    ClassificationResponse,
    Progress,
    TextsResponse,
)


@text_service
def annotate(content: str, repeat: int = 1) -> AnnotationsResponse:
    return AnnotationsResponse(features={"length": len(content), "repeat": repeat},
                               annotations={"whole": [{"start": 0, "end": len(content)}]})


@structured_text_service
def count_texts(texts: list) -> AnnotationsResponse:
    return AnnotationsResponse(features={"top": len(texts)})


@audio_service
def audio_size(content: bytes | None, format: str, sample_rate: int | None) -> ClassificationResponse:
    return ClassificationResponse(classes=[{"class": format, "score": float(len(content or b""))}])


@image_service
def image_size(content: bytes | None, format: str) -> ClassificationResponse:
    return ClassificationResponse(classes=[{"class": format, "score": float(len(content or b""))}])


@text_service("/stream")
def stream(content: str, steps: int = 2) -> Iterator[Progress | TextsResponse]:
    for step in range(max(0, min(steps, 5))):
        yield Progress(percent=100.0 * step / max(steps, 1))
    yield TextsResponse(texts=[{"content": content[::-1]}])


@text_service("/translate/<src>/<int:n>")
def translate(content: str, src: str, n: int) -> TextsResponse:
    return TextsResponse(texts=[{"content": f"{src}:{n}:{content[:20]}", "role": "translation"}])
