"""The batch queue in-process: when a batch fires, and how a failing batch is bisected."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from elg_decorators.runtime.batching import Batcher, Settled, _Item
from elg_decorators.runtime.lifecycle import RequestRecord


def batcher(call: Any = lambda payloads: payloads, max_size: int = 8, max_wait: float | None = None) -> Batcher:
    return Batcher("handler", "/path", call, lambda entry: entry, max_size, max_wait)


def group(count: int, arrived: float, seconds: float = 0.0) -> deque[_Item]:
    return deque(_Item(index, RequestRecord(str(index), started=arrived, seconds=seconds), arrived)
                 for index in range(count))


def test_a_full_batch_fires_at_once() -> None:
    assert batcher(max_size=4)._decide(group(4, time.monotonic()), time.monotonic()) == ("full", 0.0)


def test_before_any_run_is_measured_nothing_waits() -> None:
    now = time.monotonic()
    assert batcher()._decide(group(1, now), now) == ("waited", 0.0)


def test_it_waits_while_waiting_pays_and_no_longer() -> None:
    queue = batcher()
    for size in (1, 4, 8):
        queue.cost.observe(size, 0.010 + 0.0005 * size)  # 10 ms fixed
    now = time.monotonic()
    queue._gap, queue._last_arrival = 0.0001, now  # requests arrive every 0.1 ms
    reason, wait = queue._decide(group(2, now), now)
    assert reason == "" and 0 < wait <= 0.010 / 2 + 1e-6
    # No arrival for 6 ms: two requests have waited more than the 10 ms a newcomer would save.
    assert queue._decide(group(2, now - 0.006), now + 0.006)[0] == "waited"
    # Arrivals as far apart as the fixed cost: a lone request does not wait for the next.
    queue._gap = 0.011
    assert queue._decide(group(1, now), now) == ("waited", 0.0)


def test_max_batch_wait_and_deadlines_bound_the_wait() -> None:
    queue = batcher(max_wait=0.005)
    queue.cost.observe(1, 0.010)
    queue.cost.observe(8, 0.0135)
    now = time.monotonic()
    queue._gap, queue._last_arrival = 0.0001, now
    assert queue._decide(group(1, now - 0.006), now)[0] == "waited"  # waited max_batch_wait
    unbounded = batcher()
    unbounded.cost, unbounded._gap, unbounded._last_arrival = queue.cost, 0.0001, now
    # A deadline 60 ms away leaves no room for the 10 ms run and the 50 ms margin: fire now.
    assert unbounded._decide(group(1, now - 0.94, seconds=1.0), now) == ("deadline", 0.0)


def test_bisection_finds_the_failing_requests_and_answers_the_others() -> None:
    calls: list[list[int]] = []

    def call(payloads: list[int]) -> list[Any]:
        calls.append(list(payloads))
        if 3 in payloads or 6 in payloads:
            raise ValueError("poisoned")
        return [payload * 10 for payload in payloads]

    queue = batcher(call)
    items = list(group(8, time.monotonic()))
    results: dict[int, Settled] = {}
    for item in items:
        item.payload = int(item.record.request_id)  # type: ignore[union-attr]
        item.pending.then(lambda outcome, key=item.payload: results.__setitem__(key, outcome))
    queue._fire(items, "full")
    assert {key: outcome.value for key, outcome in results.items() if outcome.error is None} == {
        0: 0, 1: 10, 2: 20, 4: 40, 5: 50, 7: 70}
    assert {key for key, outcome in results.items() if isinstance(outcome.error, ValueError)} == {3, 6}
    assert calls[0] == list(range(8)) and len(calls) < 16  # halves, not one call per request
    assert all(item.record.batch_size == 8 for item in items)  # type: ignore[union-attr]


def test_requests_queue_and_run_in_one_runner_thread() -> None:
    threads: set[int] = set()

    def call(payloads: list[int]) -> list[int]:
        threads.add(threading.get_ident())
        time.sleep(0.01)
        return payloads

    queue = batcher(call, max_size=16)
    pendings = [queue.submit((), index, None) for index in range(20)]
    done = threading.Event()
    results: list[Any] = []
    for pending in pendings:
        pending.then(lambda outcome: (results.append(outcome.value), len(results) == 20 and done.set()))
    assert done.wait(5)
    assert sorted(results) == list(range(20)) and len(threads) == 1
