"""The one asyncio event loop of this process, running forever in a daemon thread of its own.

Async handlers, the steps of async streams, async resources (their creation and the code after
their ``yield``) and a QuartService's coroutines all run on it, whichever thread asks: what one of
them creates (an ``aiohttp.ClientSession``, an ``asyncpg`` pool, a background task) belongs to this
loop and works in every later coroutine. A thread waits for its coroutine (:func:`run`); the
coroutines of concurrent requests interleave on the loop as they would under an ASGI server, so an
``async def`` must not block (a ``time.sleep`` in one holds up every other).

The loop starts on first use, in each process: a forked child (a gunicorn worker) starts its own
and never touches its parent's, whose thread did not survive the fork. A coroutine runs with a copy
of the calling thread's context variables (the request being answered, for the request log).

At exit the loop stops last (its exit handler is registered when this module is imported, before
any code that uses the loop registers its own): the code after an async resource's ``yield`` and a
QuartService's ``shutdown`` run on it first; then the tasks still running are cancelled, async
generators finished, and the loop closed.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar

logger = logging.getLogger("elg_decorators")

T = TypeVar("T")

#: Seconds :func:`stop` waits for the tasks still running to end once cancelled, then for the thread.
STOP_SECONDS = 5.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_thread_id: int | None = None
# Loops inherited from the parent of a fork: kept, never closed or collected (their thread is gone,
# and closing one would close descriptors the parent's loop still uses).
_inherited: list[asyncio.AbstractEventLoop] = []
_closing: set[asyncio.Task[Any]] = set()


def get_loop() -> asyncio.AbstractEventLoop:
    """The event loop of this process, running in its thread; started on first use."""
    loop = _loop
    if loop is not None and not loop.is_closed():
        return loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _start()
        assert _loop is not None
        return _loop


def in_loop_thread() -> bool:
    """True in the loop's own thread (where waiting for the loop would wait forever)."""
    return threading.get_ident() == _thread_id


def run(awaitable: Awaitable[T]) -> T:
    """Run ``awaitable`` on the loop and wait for its result in this thread (its exception is raised here).

    If the wait is interrupted (a deadline's signal in the sync worker, ``KeyboardInterrupt``),
    the coroutine's task is cancelled. Not from the loop's own thread: a coroutine awaits instead.
    """
    loop = get_loop()
    if in_loop_thread():
        raise RuntimeError("run() was called on the event loop's own thread, which would wait for itself; "
                           "await the coroutine instead")
    coroutine = awaitable if asyncio.iscoroutine(awaitable) else _awaited(awaitable)
    future = asyncio.run_coroutine_threadsafe(coroutine, loop)
    try:
        return future.result()
    except BaseException:
        future.cancel()  # a no-op if the coroutine ended (it raised); else its task is cancelled
        raise


def iterate(source: AsyncIterator[T]) -> Iterator[T]:
    """``source`` as a plain iterator, each step awaited on the loop.

    Closing the iterator returned before its end (the client went away, the stream was cut
    short) closes ``source`` on the loop (its ``aclose``), so its ``finally`` blocks run there.
    """
    finished = False
    try:
        while True:
            try:
                item = run(source.__anext__())
            except StopAsyncIteration:
                finished = True
                return
            yield item
    finally:
        if not finished:
            _close(source)


def stop(timeout: float = STOP_SECONDS) -> None:
    """Stop this process's loop: cancel the tasks still running, finish async generators, close it.

    Called at exit; the next :func:`run` would start a new loop.
    """
    global _loop, _thread, _thread_id
    loop, thread = _loop, _thread
    if loop is None or thread is None or loop.is_closed() or not thread.is_alive() or in_loop_thread():
        return
    try:
        asyncio.run_coroutine_threadsafe(_finish_tasks(timeout), loop).result(timeout * 2)
    except Exception:
        logger.exception("the event loop's tasks could not be finished at exit")
    with _lock:
        if _loop is loop:
            _loop = _thread = _thread_id = None
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout)
    if not thread.is_alive():
        loop.close()


def _start() -> None:
    global _loop, _thread, _thread_id
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="elg-event-loop", daemon=True)
    thread.start()  # returns once the thread runs; what is sent to the loop meanwhile waits for run_forever
    _loop, _thread, _thread_id = loop, thread, thread.ident


def _close(source: AsyncIterator[Any]) -> None:
    closer = getattr(source, "aclose", None)
    if closer is None:
        return
    if in_loop_thread():  # the iterator was dropped and collected on the loop's thread: close it later there
        task = asyncio.get_running_loop().create_task(closer())
        _closing.add(task)  # the loop holds its tasks weakly
        task.add_done_callback(_closing.discard)
    else:
        run(closer())


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _finish_tasks(timeout: float) -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        if pending:
            logger.warning("%d task(s) of the event loop did not end when cancelled at exit", len(pending))
    await asyncio.get_running_loop().shutdown_asyncgens()


def _after_fork_in_child() -> None:
    global _lock, _loop, _thread, _thread_id
    _lock = threading.Lock()  # another thread may have held it at the fork
    if _loop is not None:
        _inherited.append(_loop)
    _loop = _thread = _thread_id = None


if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
    os.register_at_fork(after_in_child=_after_fork_in_child)

# Registered at import, before any exit handler that runs coroutines (resources' clean-up, a
# QuartService's shutdown): exit handlers run last registered first, so this one runs after them.
atexit.register(stop)

