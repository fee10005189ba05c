"""The process's one event loop (``protocol/event_loop.py``), in-process: every thread's coroutines run on
it with their caller's context; an interrupted wait cancels its coroutine; a forked child runs a loop of
its own; at exit the loop finishes its tasks; async resources and async handlers meet on it."""
from __future__ import annotations

import asyncio
import contextvars
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from elg_decorators import Registry, resource, text_service
from elg_decorators.model import Progress, TextsResponse
from elg_decorators.protocol import event_loop
from elg_decorators.testing import ServiceClient

caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="nobody")


async def where() -> tuple[int, str]:
    await asyncio.sleep(0)
    return id(asyncio.get_running_loop()), caller.get()


def test_every_thread_runs_its_coroutines_on_the_one_loop_with_its_own_context() -> None:
    def from_thread(name: str) -> tuple[int, str]:
        caller.set(name)
        return event_loop.run(where())

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(from_thread, [f"thread {n}" for n in range(8)]))

    assert seen == [(id(event_loop.get_loop()), f"thread {n}") for n in range(8)]
    assert event_loop.get_loop().is_running()
    assert not event_loop.in_loop_thread()


def test_exceptions_reach_the_caller_and_the_loop_thread_may_not_wait_for_itself() -> None:
    async def fails() -> None:
        raise LookupError("from the loop")

    with pytest.raises(LookupError, match="from the loop"):
        event_loop.run(fails())

    async def waits_for_itself() -> None:
        assert event_loop.in_loop_thread()
        coroutine = where()
        try:
            event_loop.run(coroutine)
        finally:
            coroutine.close()

    with pytest.raises(RuntimeError, match="on the event loop's own thread"):
        event_loop.run(waits_for_itself())


class Interrupted(Exception):
    pass


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted()


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no interval timer on this platform")
def test_a_wait_interrupted_by_a_signal_cancels_the_coroutine() -> None:
    # What the sync worker does at a request's deadline: its SIGALRM handler raises in the waiting thread.
    cancelled = threading.Event()

    async def sleeps() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        started = time.monotonic()
        with pytest.raises(Interrupted):
            event_loop.run(sleeps())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10
    assert cancelled.wait(5)


def test_closing_an_async_stream_early_closes_it_on_the_loop() -> None:
    closed_on: list[int] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            for number in range(10):
                yield number
        finally:
            closed_on.append(id(asyncio.get_running_loop()))

    items = event_loop.iterate(numbers())
    assert [next(items), next(items)] == [0, 1]
    items.close()  # type: ignore[attr-defined]

    assert closed_on == [id(event_loop.get_loop())]


FORKED = """\
import asyncio, json, os, sys, warnings
warnings.simplefilter("ignore")  # Python 3.12+ warns about forking a process that runs threads
from elg_decorators.protocol import event_loop

async def loop_id():
    await asyncio.sleep(0)
    return id(asyncio.get_running_loop())

parent = event_loop.run(loop_id())
child = os.fork()
if child == 0:
    print(json.dumps({"child": event_loop.run(loop_id()), "again": event_loop.run(loop_id())}), flush=True)
    os._exit(0)
os.waitpid(child, 0)
print(json.dumps({"parent": parent, "after": event_loop.run(loop_id())}), flush=True)
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="nothing forks on this platform")
def test_a_forked_child_runs_a_loop_of_its_own_and_the_parent_keeps_its() -> None:
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    child = next(line for line in lines if "child" in line)
    parent = next(line for line in lines if "parent" in line)
    assert child["child"] == child["again"] != parent["parent"] == parent["after"]


AT_EXIT = """\
import asyncio
from elg_decorators.protocol import event_loop

async def forever():
    try:
        await asyncio.Event().wait()
    finally:
        print("task cancelled on", "the loop" if event_loop.in_loop_thread() else "another thread", flush=True)

running = []  # a task nothing refers to may be collected before exit

async def start():
    running.append(asyncio.get_running_loop().create_task(forever()))
    await asyncio.sleep(0)

event_loop.run(start())
"""


def test_at_exit_the_loop_cancels_its_tasks_and_closes_quietly() -> None:
    done = subprocess.run([sys.executable, "-X", "dev", "-c", AT_EXIT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "task cancelled on the loop\n"
    assert "Task was destroyed" not in done.stderr and "unclosed" not in done.stderr, done.stderr


def test_async_resources_and_handlers_share_the_loop_in_process() -> None:
    registry = Registry()

    @resource(registry=registry)
    async def session() -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue()  # bound to the loop that first uses it
        await queue.put(0)
        return queue

    @resource(registry=registry)
    async def opened() -> AsyncIterator[int]:
        yield id(asyncio.get_running_loop())

    @text_service(registry=registry)
    async def count(content: str, session: asyncio.Queue[int], opened: int) -> TextsResponse:
        number = await session.get()
        await session.put(number + 1)
        return TextsResponse(texts=[{"content": str(number), "features": {
            "loop": id(asyncio.get_running_loop()), "resource_loop": opened}}])

    @text_service("/stream", registry=registry)
    async def stream(content: str, session: asyncio.Queue[int]) -> AsyncIterator[Progress | TextsResponse]:
        number = await session.get()
        await session.put(number)
        yield Progress(percent=50)
        yield TextsResponse(texts=[{"content": str(number), "features": {"loop": id(asyncio.get_running_loop())}}])

    @text_service("/sync-stream", registry=registry)
    def sync_stream(content: str) -> Iterator[Progress | TextsResponse]:
        yield Progress(percent=50)
        yield TextsResponse(texts=[{"content": content}])

    client = ServiceClient(registry)
    answers = [client.text("x").texts[0] for _ in range(3)]
    loop = id(event_loop.get_loop())
    assert [(answer.content, answer.features) for answer in answers] == [
        (str(n), {"loop": loop, "resource_loop": loop}) for n in range(3)]
    streamed = list(client.stream("x", path="/stream"))
    assert streamed[-1] == TextsResponse(texts=[{"content": "3", "features": {"loop": loop}}])
    assert list(client.stream("y", path="/sync-stream"))[-1] == TextsResponse(texts=[{"content": "y"}])

