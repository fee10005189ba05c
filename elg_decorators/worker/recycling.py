"""What a worker and the master tell each other without signals: booted, or wants a replacement.

The master creates a :class:`WorkerState` for each worker just before it forks it: a page
of anonymous shared memory that both processes see. The worker marks it once it has loaded
the application (so the master can tell a boot failure from a handler that called
``os._exit(3)``), and when it wants to be replaced (so the master can start the new worker
before stopping this one, and no request waits for a worker to boot). With ``--reload`` the
master asks for replacements itself, and a worker that cannot load the changed code writes
why (see :mod:`.reloading`).
"""
from __future__ import annotations

import logging
import mmap
import os
import time
from typing import Any

from ..logger import logger

BOOTING, BOOTED, REPLACE_ME = 0, 1, 2
#: Bytes of UTF-8 a worker may write about why it could not load the application.
FAILURE_BYTES = 4095


class WorkerState:
    """A state byte, and a note on a load failure, shared between the master and one worker."""

    def __init__(self) -> None:
        # MAP_SHARED | MAP_ANONYMOUS, zero-filled and inherited by the fork; one page in all.
        self._memory = mmap.mmap(-1, 1 + FAILURE_BYTES)

    def _get(self) -> int:
        return self._memory[0]

    def mark_booted(self) -> None:
        if self._get() == BOOTING:
            self._memory[0] = BOOTED

    def ask_replacement(self) -> None:
        self._memory[0] = REPLACE_ME

    def keep(self) -> None:
        """Take back a replacement asked for (the master: the replacement could not load the code)."""
        if self._get() == REPLACE_ME:
            self._memory[0] = BOOTED

    def report_load_failure(self, text: str) -> None:
        """The worker: why it could not load the application (cut to :data:`FAILURE_BYTES`)."""
        data = text.encode("utf-8", "replace")[:FAILURE_BYTES]
        self._memory[1:1 + FAILURE_BYTES] = data.ljust(FAILURE_BYTES, b"\0")

    @property
    def load_failure(self) -> str:
        """What :meth:`report_load_failure` wrote ("" if nothing)."""
        return self._memory[1:].split(b"\0", 1)[0].decode("utf-8", "ignore")

    @property
    def booted(self) -> bool:
        return self._get() != BOOTING

    @property
    def wants_replacement(self) -> bool:
        return self._get() == REPLACE_ME


def state_of(worker: object) -> WorkerState | None:
    """The shared state the master gave ``worker``, if it did."""
    return getattr(worker, "elg_state", None)


def replace(worker: Any, reason: str, level: int = logging.WARNING) -> None:
    """Have ``worker`` (in its own process) replaced: ``serve``'s master starts a new worker, then
    stops this one gracefully; under another master the worker stops after its current requests."""
    if getattr(worker, "retiring", False):
        return
    worker.retiring = True
    logger.log(level, "worker %s is replaced: %s", worker.pid, reason)
    state = state_of(worker)
    if state is not None:
        state.ask_replacement()
    else:
        worker.alive = False


class MemoryGuard:
    """Whether the process's resident memory is over a limit in MiB (0: no limit), read from /proc."""

    def __init__(self, limit_mib: int, interval: float = 0.25) -> None:
        self.limit = limit_mib * 1024 * 1024
        #: Seconds between two reads of the resident size (each is a read of /proc).
        self.interval = interval
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.last = 0
        self._next_check = 0.0

    def rss(self) -> int:
        """Resident set size in bytes (0 where /proc is missing)."""
        try:
            with open("/proc/self/statm", "rb") as statm:
                return int(statm.read().split()[1]) * self.page
        except (OSError, IndexError, ValueError):
            return 0

    def exceeded(self) -> bool:
        """Whether the limit is exceeded (read at most every :attr:`interval` seconds)."""
        if not self.limit:
            return False
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.interval
            self.last = self.rss()
        return self.last > self.limit

    def describe(self) -> str:
        return f"{self.last / 2**20:.0f} MiB > {self.limit / 2**20:.0f} MiB"
