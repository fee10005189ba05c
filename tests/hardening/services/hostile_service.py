"""Fixture service for the hardening tests: well-behaved handlers on /process, faulty ones elsewhere.

Served by real gunicorn processes (see ../conftest.py) and loaded in-process by the
property-based tests. Every handler is small and deterministic; the faulty ones fail in
one specific way each, named by their path.
"""
from __future__ import annotations

import os
import time
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


def _count_nodes(texts: list) -> int:
    """Nodes in a structured text, walked without recursion."""
    count, pending = 0, [texts]
    while pending:
        for node in pending.pop():
            count += 1
            if node.texts:
                pending.append(node.texts)
    return count


@text_service
def annotate(content: str, repeat: int = 1) -> AnnotationsResponse:
    """One annotation spanning the text; ``repeat`` (an int param) is echoed as a feature."""
    return AnnotationsResponse(
        features={"length": len(content), "repeat": repeat},
        annotations={"whole": [{"start": 0, "end": len(content)}]},
    )


@structured_text_service
def count_texts(texts: list) -> AnnotationsResponse:
    return AnnotationsResponse(features={"nodes": _count_nodes(texts)})


@audio_service
def audio_size(content: bytes | None, format: str) -> ClassificationResponse:
    return ClassificationResponse(classes=[{"class": format, "score": float(len(content or b""))}])


@image_service
def image_size(content: bytes | None, format: str) -> ClassificationResponse:
    return ClassificationResponse(classes=[{"class": format, "score": float(len(content or b""))}])


@text_service("/stream")
def stream(content: str, steps: int = 3, fail_at: int = -1) -> Iterator[Progress | TextsResponse]:
    """``steps`` progress messages then a response; raises at step ``fail_at`` if it is reached."""
    for step in range(steps):
        if step == fail_at:
            raise RuntimeError(f"stream broke at step {step}")
        yield Progress(percent=100.0 * step / steps)
    yield TextsResponse(texts=[{"content": content.upper()}])


@text_service("/boom")
def boom(content: str) -> TextsResponse:
    raise RuntimeError("kaboom: " + content[:20])


@text_service("/garbage")
def garbage(content: str):
    return object()


@text_service("/hang")
def hang(content: str, seconds: float = 30.0) -> TextsResponse:
    time.sleep(seconds)
    return TextsResponse(texts=[{"content": "woke up"}])


@text_service("/die")
def die(content: str) -> TextsResponse:
    os._exit(1)


@text_service("/echo")
def echo(features: dict | None) -> AnnotationsResponse:
    """Passes the request's features through, as many ELG services do."""
    return AnnotationsResponse(features=features or {"none": True})
