"""Fixture service of the batching tests: batched handlers whose answers say which batch they ran in."""
from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time

from elg_decorators import ProcessingError, text_service
from elg_decorators.model import AnnotationsResponse

_batches = itertools.count(1)
_running = threading.Lock()
_overlaps = 0


def _answers(content: list[str], **features: object) -> list[AnnotationsResponse]:
    batch = next(_batches)
    return [AnnotationsResponse(features={"content": text, "batch": batch, "size": len(content), "pid": os.getpid(),
                                          **features}) for text in content]


@text_service("/batch", max_batch_size=32)
def batch(content: list[str], seconds: list[float]) -> list[AnnotationsResponse]:
    """Sleeps (releasing the GIL) 20 ms plus the largest ``seconds`` asked; counts batches that overlap."""
    global _overlaps
    if not _running.acquire(blocking=False):
        _overlaps += 1
        _running.acquire()
    try:
        time.sleep(0.02 + max(seconds))
        return _answers(content, overlaps=_overlaps)
    finally:
        _running.release()


@text_service("/by-lang", max_batch_size=16, batch_by="lang")
def by_lang(content: list[str], lang: str) -> list[AnnotationsResponse]:
    time.sleep(0.02)
    return _answers(content, lang=lang)


@text_service("/poison", max_batch_size=32)
def poison(content: list[str]) -> list[AnnotationsResponse]:
    """Raises for the whole batch when any request is ``poison``; answers ``bad`` with an exception entry."""
    time.sleep(0.01)
    if "poison" in content:
        raise ValueError("poisoned batch")
    answers: list = _answers(content)
    return [ProcessingError("elg.request.invalid") if text == "bad" else answer
            for text, answer in zip(content, answers)]


@text_service("/wrong-length", max_batch_size=8)
def wrong_length(content: list[str]) -> list[AnnotationsResponse]:
    return _answers(content)[:-1] if len(content) > 0 else []


@text_service("/async-batch", max_batch_size=32)
async def async_batch(content: list[str]) -> list[AnnotationsResponse]:
    await asyncio.sleep(0.02)
    return _answers(content, loop=id(asyncio.get_running_loop()))


@text_service("/plain")
def plain(content: str) -> AnnotationsResponse:
    return AnnotationsResponse(features={"content": content})


@text_service("/slow-batch", max_batch_size=4)
def slow_batch(content: list[str], seconds: list[float]) -> list[AnnotationsResponse]:
    time.sleep(max(seconds))
    return _answers(content)
