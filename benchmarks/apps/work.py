"""The work every benchmarked app does, shared so that only the framework differs.

Standard library only: the reference app imports it from the reference venv.
Each function returns plain dicts; the ELG apps wrap them in their response
models, the plain apps dump them as they are.
"""
from __future__ import annotations

import re
from itertools import islice
from typing import Any
from collections.abc import Iterator

#: A token is a run of non-space characters.
TOKEN = re.compile(r"\S+")
#: Token spans returned as annotations (the count covers the whole text).
MAX_SPANS = 100


def text_result(text: str) -> dict[str, Any]:
    """Token count of ``text`` plus the spans of its first tokens, annotations-response shaped."""
    spans = [{"start": m.start(), "end": m.end()} for m in islice(TOKEN.finditer(text), MAX_SPANS)]
    return {"features": {"tokens": len(text.split()), "chars": len(text)}, "annotations": {"Token": spans}}


def structured_result(contents: list[str]) -> list[dict[str, Any]]:
    """One texts-response node per input text: the text and its token count."""
    return [{"content": content, "features": {"tokens": len(content.split())}} for content in contents]


def audio_result(size: int, audio_format: str) -> dict[str, Any]:
    """Features of an uploaded audio: its size in bytes and its format."""
    return {"features": {"bytes": size, "format": audio_format}}


def progress_steps(steps: int) -> Iterator[float]:
    """The percentages of ``steps`` progress reports (excluding the final response)."""
    for step in range(steps):
        yield round(100.0 * step / steps, 2)


def wants_progress(params: Any) -> int:
    """How many progress events the request asked for (``params.progress``), 0 if none."""
    if isinstance(params, dict):
        try:
            return max(0, int(params.get("progress") or 0))
        except (TypeError, ValueError):
            return 0
    return 0
