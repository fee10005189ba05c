"""(a) Our framework: the benchmark work as decorated functions, served by elg_decorators."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import work
from elg_decorators import audio_service, structured_text_service, text_service
from elg_decorators.model import AnnotationsResponse, Progress, TextsResponse


@text_service
def tokens(content: str, progress: int = 0) -> Any:
    """Count tokens; with ``params.progress`` = N, stream N progress reports first."""
    if progress > 0:
        return _with_progress(content, progress)
    return AnnotationsResponse(**work.text_result(content))


def _with_progress(content: str, steps: int) -> Iterator[Any]:
    for percent in work.progress_steps(steps):
        yield Progress(percent=percent)
    yield AnnotationsResponse(**work.text_result(content))


@structured_text_service
def structured(texts):  # type: ignore[no-untyped-def]
    """Token count of each text of a structuredText request."""
    return TextsResponse(texts=work.structured_result([text.content for text in texts]))


@audio_service
def audio(content, format):  # type: ignore[no-untyped-def]  # noqa: A002 - the request field's name
    """Size and format of an uploaded audio."""
    return AnnotationsResponse(**work.audio_result(len(content), format))
