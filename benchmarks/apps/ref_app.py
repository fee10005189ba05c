"""(b) The reference: the benchmark work as an ``elg`` 0.6.0 FlaskService subclass (runs in the ref venv)."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import work
from elg import FlaskService
from elg.model import AnnotationsResponse, Progress, TextsResponse


class BenchService(FlaskService):
    """Text, structuredText and audio handlers doing the shared work."""

    def process_text(self, request: Any) -> Any:
        steps = work.wants_progress(request.params)
        if steps:
            return self._with_progress(request.content, steps)
        return AnnotationsResponse(**work.text_result(request.content))

    def _with_progress(self, content: str, steps: int) -> Iterator[Any]:
        for percent in work.progress_steps(steps):
            yield Progress(percent=percent)
        yield AnnotationsResponse(**work.text_result(content))

    def process_structured_text(self, request: Any) -> Any:
        return TextsResponse(texts=work.structured_result([text.content for text in request.texts]))

    def process_audio(self, request: Any) -> Any:
        return AnnotationsResponse(**work.audio_result(len(request.content), request.format))


app = BenchService("bench").app
