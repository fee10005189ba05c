"""Async handlers using what async resources made, for the event-loop tests.

``pool`` (an ``async def`` resource) and ``journal`` (an async generator resource) each make a
:class:`Pool`, a stand-in for an HTTP client session or a database pool: a task started on the
loop that made it answers its queries, so it works only on that loop, while that loop runs.
``journal``'s clean-up (at exit) sends a last query through its pool and appends a JSON line
saying where it ran to the file ``LOOP_CLEANUP`` names. ``/stream``'s handler appends one to
``STREAM_CLOSED`` when its async generator is closed; ``/slow``'s (a one-second deadline) to
``SLOW_CANCELLED`` when its coroutine is cancelled.
"""
from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from elg_decorators import resource, text_service
from elg_decorators.model import Progress, TextsResponse


class Pool:
    """Queries answered by a task running on the loop that made the pool (as a connection's reader task)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._queries: asyncio.Queue[tuple[str, asyncio.Future[dict[str, Any]]]] = asyncio.Queue()
        self._task = self.loop.create_task(self._serve())
        self.served = 0

    async def _serve(self) -> None:
        while True:
            text, answer = await self._queries.get()
            self.served += 1
            if not answer.done():
                answer.set_result({"text": text.upper(), "served": self.served,
                                   "loop": id(asyncio.get_running_loop())})

    async def query(self, text: str) -> dict[str, Any]:
        if self._task.done():
            raise RuntimeError("the pool's connection task is not running")
        if asyncio.get_running_loop() is not self.loop:
            raise RuntimeError("the pool belongs to another event loop")
        answer: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self._queries.put_nowait((text, answer))
        return await asyncio.wait_for(answer, 5)

    async def close(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


def _append(variable: str, record: dict[str, Any]) -> None:
    path = os.environ.get(variable)
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(record) + "\n")


@resource
async def pool() -> Pool:
    await asyncio.sleep(0)
    return Pool()


@resource
async def journal() -> AsyncIterator[Pool]:
    own = Pool()
    created_on = id(asyncio.get_running_loop())
    yield own
    try:
        last = await own.query("bye")
    except Exception as exc:  # recorded for the test to show
        last = {"error": f"{type(exc).__name__}: {exc}"}
    _append("LOOP_CLEANUP", {"pid": os.getpid(), "created_on": created_on,
                             "cleaned_on": id(asyncio.get_running_loop()), "last": last})
    await own.close()


@text_service
async def query(content: str, pool: Pool, journal: Pool) -> TextsResponse:
    answer = await pool.query(content)
    noted = await journal.query(content)
    return TextsResponse(texts=[{"content": answer["text"], "features": {
        "worker": os.getpid(), "loop": id(asyncio.get_running_loop()), "pool_loop": answer["loop"],
        "journal_loop": noted["loop"], "served": answer["served"]}}])


@text_service("/stream")
async def stream(content: str, pool: Pool, steps: int = 3, delay: float = 0.0
                 ) -> AsyncIterator[Progress | TextsResponse]:
    loops = []
    try:
        for step in range(steps):
            await asyncio.sleep(delay)
            loops.append((await pool.query(content))["loop"])
            yield Progress(percent=100 * step / steps)
        yield TextsResponse(texts=[{"content": content.upper(), "features": {
            "worker": os.getpid(), "loop": id(asyncio.get_running_loop()), "pool_loops": loops}}])
    finally:
        _append("STREAM_CLOSED", {"pid": os.getpid(), "loop": id(asyncio.get_running_loop()), "steps": len(loops)})


@text_service("/slow", timeout=1)
async def slow(content: str, seconds: float = 30.0) -> TextsResponse:
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        _append("SLOW_CANCELLED", {"pid": os.getpid(), "loop": id(asyncio.get_running_loop())})
        raise
    return TextsResponse(texts=[{"content": content}])
