"""Fixture service of the runtime tests: one well-behaved handler, and handlers that take too long,
stream, exit the process or hold memory, each named by its path."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator

from elg_decorators import text_service
from elg_decorators.model import AnnotationsResponse, Progress, TextsResponse

#: Memory the /hold handler keeps, so that the worker's resident size grows and stays grown.
_HELD: list[bytes] = []


@text_service
def annotate(content: str) -> AnnotationsResponse:
    return AnnotationsResponse(features={"length": len(content), "pid": os.getpid()})


@text_service("/sleep")
def sleep(content: str, seconds: float = 1.0) -> TextsResponse:
    """Blocks in C (time.sleep): a handler that ignores its deadline."""
    time.sleep(seconds)
    return TextsResponse(texts=[{"content": f"slept {seconds}"}])


@text_service("/spin")
def spin(content: str, seconds: float = 1.0) -> TextsResponse:
    """Works in Python for ``seconds``."""
    until = time.monotonic() + seconds
    count = 0
    while time.monotonic() < until:
        count += 1
    return TextsResponse(texts=[{"content": f"spun {count}"}])


@text_service("/stream")
def stream(content: str, steps: int = 3, interval: float = 0.0) -> Iterator[Progress | TextsResponse]:
    for step in range(steps):
        time.sleep(interval)
        yield Progress(percent=100.0 * step / steps)
    yield TextsResponse(texts=[{"content": content}])


@text_service("/exit")
def exit_process(content: str, status: int = 3) -> TextsResponse:
    os._exit(status)


@text_service("/hold")
def hold(content: str, megabytes: int = 100) -> TextsResponse:
    _HELD.append(os.urandom(1024) * (megabytes * 1024))
    return TextsResponse(texts=[{"content": f"holding {len(_HELD) * megabytes} MB"}])


@text_service("/busy-stream")
def busy_stream(content: str, marker: str, seconds: float = 30.0, every: float = 0.5
                ) -> Iterator[Progress | TextsResponse]:
    """Works in Python for ``seconds``, yielding a progress message every ``every`` seconds; writes
    ``marker`` when it is closed."""
    try:
        yield Progress(percent=0.0)
        started = time.monotonic()
        next_event = started + every
        while time.monotonic() < started + seconds:
            if time.monotonic() >= next_event:
                next_event += every
                yield Progress(percent=min(99.0, 100 * (time.monotonic() - started) / seconds))
        yield TextsResponse(texts=[{"content": "done"}])
    finally:
        with open(marker, "w") as file:
            file.write(f"closed after {time.monotonic()}")
