"""A service with resources, for the runtime tests: its behaviour is set by environment variables.

``RESOURCE_GATE``: a file whose existence lets the per-worker resource ``slow_model`` finish;
``RESOURCE_FAIL``: ``slow_model`` raises instead; ``TEARDOWN_LOG``: a file each teardown appends
a line ``<pid> <resource>`` to.
"""
from __future__ import annotations

import os
import time
from typing import Any
from collections.abc import Iterator

from elg_decorators import resource, text_service
from elg_decorators.model import Progress, TextsResponse


def _note_teardown(name: str) -> None:
    log = os.environ.get("TEARDOWN_LOG")
    if log:
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {name}\n")


@resource(shared=True)
def shared_table():
    table = {"pid": os.getpid()}
    yield table
    _note_teardown("shared_table")


@resource
def slow_model():
    gate = os.environ.get("RESOURCE_GATE")
    while gate and not os.path.exists(gate):
        time.sleep(0.05)
    if os.environ.get("RESOURCE_FAIL"):
        raise RuntimeError("model file missing: tagger.bin")
    yield {"pid": os.getpid()}
    _note_teardown("slow_model")


@text_service(timeout=7)
def tag(content: str, slow_model: Any, shared_table: Any) -> TextsResponse:
    return TextsResponse(texts=[{"content": content, "features": {
        "worker": os.getpid(), "model_pid": slow_model["pid"], "table_pid": shared_table["pid"]}}])


@text_service("/plain")
def plain(content: str) -> TextsResponse:
    return TextsResponse(texts=[{"content": content, "features": {"worker": os.getpid()}}])


@text_service("/translate/<src>/<tgt>")
def translate(content: str, src: str, tgt: str) -> TextsResponse:
    return TextsResponse(texts=[{"content": f"{src}>{tgt}:{content}", "features": {"worker": os.getpid()}}])


@text_service("/stream")
def stream(content: str, steps: int = 3, delay: float = 0.0, fail: bool = False
           ) -> Iterator[Progress | TextsResponse]:
    for step in range(steps):
        time.sleep(delay)
        yield Progress(percent=100 * step / steps)
    if fail:
        raise RuntimeError("the stream broke")
    yield TextsResponse(texts=[{"content": content}])


@text_service("/boom")
def boom(content: str) -> TextsResponse:
    raise ValueError("the handler broke")


@text_service("/slow")
def slow(content: str, seconds: float = 1.0) -> TextsResponse:
    time.sleep(seconds)
    return TextsResponse(texts=[{"content": content}])
