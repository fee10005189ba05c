"""Batched handlers at run time: a queue per handler, the adaptive policy that fires its batches,
and the bisection that isolates a request that makes a whole batch fail.

A request to a batched handler, once parsed and bound in a worker's thread, is :meth:`Batcher.submit`
ted; the thread gets a :class:`Pending` and goes back to the worker (which answers the request when
the pending result settles: see ``DeferredAnswer`` in :mod:`.lifecycle`). One runner thread per
batched handler fires its batches one at a time (a model is rarely thread-safe) and settles each
request's :class:`Pending` with its own entry of the batch's result.

When to fire (:meth:`Batcher._decide`): at once when the batch is full; never later than
``max_batch_wait`` after the oldest request arrived, nor so late that the run would end past a
queued request's deadline (the run time predicted from those measured); otherwise as long as
waiting pays: the next request is expected within the mean gap between arrivals, and having it join
saves it a run's fixed cost, while every queued request waits that long. So the batch fires when
``queued × max(expected gap, time since the last arrival) ≥ fixed cost``: a lone client sending
one request after another never waits, and under load a batch waits at most ``fixed cost / queued``
for a request that does not come. The fixed and per-request costs are fitted to the runs measured
(least squares, recent runs weighing most).
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from contextvars import ContextVar
from typing import Any, NamedTuple
from collections.abc import Callable

from ..errors import ProcessingError
from ..logger import logger
from ..protocol.failures import invalid_response
from . import metrics
from .lifecycle import RequestRecord, lifecycle

#: Seconds kept in hand before a request's deadline when the run time is predicted.
DEADLINE_MARGIN = 0.05
#: How much one measured run or arrival gap weighs against those before it.
RECENT = 0.2
#: Seconds the runner waits for its queue at most before checking again.
IDLE_CHECK = 1.0
#: Seconds a client refused because a batch queue is full is told to wait.
RETRY_AFTER = 1

#: While the application answers a request under a server that can answer it later, what makes the
#: later answer (the record's ``defer``); None: batched handlers run in the request's thread.
deferral: ContextVar[Callable[[], Any] | None] = ContextVar("elg_batch_deferral", default=None)

_declared: list[str] = []


def declare(name: str) -> None:
    """Note that the handler ``name`` is batched (servers that cannot batch say so once at start)."""
    if name not in _declared:
        _declared.append(name)


def declared() -> list[str]:
    """The batched handlers of this process, in the order they were registered."""
    return list(_declared)


class Settled(NamedTuple):
    """How one request of a batch ended: its entry of the result, or the error it gets."""

    value: Any = None
    error: BaseException | None = None


class Pending:
    """One request's answer to come: settled once by its batch's runner."""

    __slots__ = ("_lock", "_settled", "_callback")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settled: Settled | None = None
        self._callback: Callable[[Settled], None] | None = None

    def then(self, callback: Callable[[Settled], None]) -> None:
        """Call ``callback`` with the outcome once settled (at once, in this thread, if it is)."""
        with self._lock:
            settled = self._settled
            if settled is None:
                self._callback = callback
                return
        callback(settled)

    def settle(self, outcome: Settled) -> None:
        with self._lock:
            if self._settled is not None:
                return
            self._settled = outcome
            callback = self._callback
        if callback is not None:
            try:
                callback(outcome)
            except Exception:
                logger.exception("answering a request of a batch failed")


class _Item:
    __slots__ = ("payload", "record", "arrived", "pending")

    def __init__(self, payload: Any, record: RequestRecord | None, arrived: float) -> None:
        self.payload = payload
        self.record = record
        self.arrived = arrived
        self.pending = Pending()

    @property
    def expires_at(self) -> float | None:
        return self.record.expires_at if self.record is not None else None


class CostModel:
    """A batch's run time as ``fixed + per_item × size``, fitted to the runs measured."""

    def __init__(self) -> None:
        self._sums = [0.0] * 5  # weights, n, n², t, n·t

    def observe(self, size: int, seconds: float) -> None:
        keep = 1.0 - RECENT
        w, n, nn, t, nt = (value * keep for value in self._sums)
        self._sums = [w + 1, n + size, nn + size * size, t + seconds, nt + size * seconds]

    def coefficients(self) -> tuple[float, float]:
        """``(fixed, per_item)`` seconds; (0, 0) before any run."""
        w, n, nn, t, nt = self._sums
        if w == 0:
            return 0.0, 0.0
        determinant = w * nn - n * n
        if determinant <= 1e-9 * max(1.0, w * nn):  # one size seen: count it all as fixed (waits more, bounded)
            return t / w, 0.0
        per_item = (w * nt - n * t) / determinant
        fixed = (t - per_item * n) / w
        if fixed < 0:
            return 0.0, t / n
        if per_item < 0:
            return t / w, 0.0
        return fixed, per_item

    def predict(self, size: int) -> float:
        fixed, per_item = self.coefficients()
        return fixed + per_item * size


def deadline_passed(seconds: float) -> ProcessingError:
    """504: a request's deadline passed while it waited for its batch (it is not run)."""
    return ProcessingError("elg.service.internalError", status=504,
                           params=[f"no answer within the request's deadline of {seconds:g} seconds"],
                           detail={"reason": "deadline passed", "deadline": seconds})


def queue_full(limit: int) -> ProcessingError:
    """503 with ``Retry-After``: the handler's batch queue holds ``MAX_QUEUE`` requests."""
    return ProcessingError("elg.service.internalError", status=503,
                           params=[f"the service is busy: {limit} requests wait for a batch; "
                                   f"retry in {RETRY_AFTER} s"],
                           detail={"reason": "overloaded", "retryAfter": RETRY_AFTER},
                           headers={"Retry-After": str(RETRY_AFTER)})


class Batcher:
    """The queue and the runner of one batched handler.

    ``call`` runs the handler on a list of payloads and returns its list of entries (it raises if
    the handler does); ``settle_entry`` turns one entry into the request's answer (raising for one
    that is not valid).
    """

    def __init__(self, name: str, path: str, call: Callable[[list[Any]], Any],
                 settle_entry: Callable[[Any], Any], max_size: int, max_wait: float | None) -> None:
        self.name = name
        self.path = path
        self.call = call
        self.settle_entry = settle_entry
        self.max_size = max_size
        self.max_wait = max_wait
        self.cost = CostModel()
        self._groups: dict[Any, deque[_Item]] = {}
        self._queued = 0
        self._ready = threading.Condition(threading.Lock())
        self._gap: float | None = None
        self._last_arrival: float | None = None
        self._runner_pid: int | None = None

    def submit(self, key: Any, payload: Any, record: RequestRecord | None) -> Pending:
        """Queue one request's payload for the next batch of its ``key``; raises a 503 when full."""
        now = time.monotonic()
        with self._ready:
            limit = lifecycle.max_queue
            if self._queued >= max(limit, 1):
                raise queue_full(limit)
            if self._runner_pid != os.getpid():  # first use in this process (a forked worker)
                self._runner_pid = os.getpid()
                threading.Thread(target=self._run, name=f"elg-batch {self.name}", daemon=True).start()
            if self._last_arrival is not None:
                gap = now - self._last_arrival
                self._gap = gap if self._gap is None else self._gap + RECENT * (gap - self._gap)
            self._last_arrival = now
            item = _Item(payload, record, now)
            self._groups.setdefault(key, deque()).append(item)
            self._queued += 1
            self._ready.notify()
        return item.pending

    # -- the runner thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch, reason, expired = self._next()
            for item in expired:
                item.pending.settle(Settled(error=deadline_passed(item.record.seconds if item.record else 0.0)))
            if batch:
                self._fire(batch, reason)

    def _next(self) -> tuple[list[_Item], str, list[_Item]]:
        """Wait for the next batch to fire; with the requests whose deadline passed while queued."""
        with self._ready:
            while True:
                now = time.monotonic()
                expired = self._take_expired(now)
                if expired:
                    return [], "", expired
                if not self._queued:
                    self._ready.wait(IDLE_CHECK)
                    continue
                key, group = min(self._groups.items(), key=lambda entry: entry[1][0].arrived)
                reason, wait = self._decide(group, now)
                if reason:
                    taken = [group.popleft() for _ in range(min(len(group), self.max_size))]
                    if not group:
                        del self._groups[key]
                    self._queued -= len(taken)
                    return taken, reason, []
                self._ready.wait(wait)

    def _take_expired(self, now: float) -> list[_Item]:
        expired: list[_Item] = []
        for key, group in list(self._groups.items()):
            kept = deque(item for item in group if not _expired(item, now))
            if len(kept) != len(group):
                expired.extend(item for item in group if _expired(item, now))
                self._queued -= len(group) - len(kept)
                if kept:
                    self._groups[key] = kept
                else:
                    del self._groups[key]
        return expired

    def _decide(self, group: deque[_Item], now: float) -> tuple[str, float]:
        """Why to fire ``group`` now (``full``, ``deadline``, ``waited``), or ``""`` and how long to wait."""
        size = min(len(group), self.max_size)
        if size >= self.max_size:
            return "full", 0.0
        fire_by = float("inf")
        if self.max_wait is not None:
            fire_by = group[0].arrived + self.max_wait
        run_time = self.cost.predict(size + 1)
        deadlines = [expires for item in group if (expires := item.expires_at) is not None]
        if deadlines:
            fire_by_deadline = min(deadlines) - run_time - DEADLINE_MARGIN
            if fire_by_deadline <= now:
                return "deadline", 0.0
            fire_by = min(fire_by, fire_by_deadline)
        if now >= fire_by:
            return "waited", 0.0
        fixed, _ = self.cost.coefficients()
        since_last = now - (self._last_arrival or now)
        expected_gap = max(self._gap if self._gap is not None else float("inf"), since_last)
        if size * expected_gap >= fixed:
            return "waited", 0.0
        # Check again when waiting stops paying (if no one arrives meanwhile: an arrival notifies).
        stop_paying = (self._last_arrival or now) + fixed / size
        return "", max(min(stop_paying, fire_by) - now, 0.0001)

    def _fire(self, batch: list[_Item], reason: str) -> None:
        started = time.monotonic()
        metrics.batch_fired(self.path, len(batch), started - batch[0].arrived, reason)
        for item in batch:
            if item.record is not None:
                item.record.batch_size = len(batch)
        self._bisect(batch)

    def _bisect(self, batch: list[_Item]) -> None:
        """Run ``batch``; if the call raises, run each half again, down to the request(s) at fault."""
        started = time.monotonic()
        try:
            entries = self.call([item.payload for item in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].pending.settle(Settled(error=error))
                return
            middle = len(batch) // 2
            self._bisect(batch[:middle])
            self._bisect(batch[middle:])
            return
        self.cost.observe(len(batch), time.monotonic() - started)
        if not isinstance(entries, (list, tuple)) or len(entries) != len(batch):
            got = f"{len(entries)} entries" if isinstance(entries, (list, tuple)) else type(entries).__name__
            logger.error("batched handler %s returned %s for a batch of %s", self.name, got, _requests(len(batch)))
            for item in batch:
                item.pending.settle(Settled(error=invalid_response(
                    f"the batched handler returned {got} for a batch of {_requests(len(batch))}")))
            return
        for item, entry in zip(batch, entries):
            if isinstance(entry, BaseException):
                item.pending.settle(Settled(error=entry))
                continue
            try:
                item.pending.settle(Settled(self.settle_entry(entry)))
            except Exception as error:
                item.pending.settle(Settled(error=error))


def _requests(count: int) -> str:
    return f"{count} request" if count == 1 else f"{count} requests"


def _expired(item: _Item, now: float) -> bool:
    expires = item.expires_at
    return expires is not None and now >= expires
