"""One asyncio event loop per worker process, running in a thread of its own.

A QuartService's coroutines (``setup``, the ``process_*`` methods, ``shutdown``) all
run on this loop, whichever request thread asks: what ``setup`` creates (an
``aiohttp.ClientSession``, say) is bound to the loop that created it and works
only there. Requests wait for their coroutine; coroutines of concurrent
requests interleave on the loop as they would under an ASGI server.
"""
from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar
from collections.abc import Awaitable

from ..protocol.streaming import iterate_async

T = TypeVar("T")


class WorkerLoop:
    """An event loop in a daemon thread, started on first use in each process (after a fork too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop of this process, started if needed."""
        with self._lock:
            if self._loop is None or self._pid != os.getpid() or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="elg-event-loop", daemon=True)
                thread.start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the loop and wait for its result (its exception is raised here)."""
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), self.loop()).result()

    def iterate(self, source: AsyncIterator[Any]) -> Iterator[Any]:
        """Iterate an async iterator from a plain thread; closing this iterator closes ``source``."""
        return iterate_async(source, self.run)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable
