"""Prometheus metrics of a service, summed over its gunicorn workers.

``GET /metrics`` answers in the Prometheus text format:

* ``elg_requests_total{path, type, status, code}``: requests answered; ``path`` is the route that
  matched (``/translate/<src>/<tgt>``, not the URL), ``<unmatched>`` for paths the service does
  not serve; ``type`` the ELG request type (``-`` when none was read); ``code`` the failure's
  first code, empty on success;
* ``elg_request_duration_seconds{path, type}``: a histogram of the time to answer (to the end of
  the stream for event streams);
* ``elg_requests_in_progress``: requests being answered now;
* ``elg_batch_size{path}``: a histogram of the sizes of the batches batched handlers ran;
* ``elg_batch_wait_seconds{path}``: a histogram of how long the oldest request of each batch waited;
* ``elg_batches_total{path, reason}``: batches fired, by why: ``full``, ``waited`` (waiting no longer
  paid, or ``max_batch_wait`` passed) or ``deadline`` (a queued request's deadline);
* ``elg_resource_creation_seconds{resource}``: a histogram of the time each resource took to create;
* ``elg_worker_restarts_total{reason}``: workers the master replaced, counted by the master (see
  :mod:`.restarts`).

A request costs the metrics two set operations and one append: its outcome waits in a queue
that a thread of the worker drains every :data:`FLUSH_SECONDS` into the metrics, counting
alike requests with one update; a scrape drains its own worker's queue first, so other workers'
last fraction of a second may be missing from it (and a worker killed outright loses that part).

Under ``serve()`` the counts are those of all workers together: prometheus-client's multiprocess
mode, with its files in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary directory unless set,
removed when the server exits); the master folds the files of workers that exited into one file
per kind (:mod:`.metric_files`), so a scrape costs the same after many replacements. Under another
server without that variable each worker counts for itself. prometheus-client decides its mode when
it is first imported, so it is imported here only when the first metric is needed, after
:func:`prepare_multiprocess_dir`.
"""
from __future__ import annotations

import atexit
import bisect
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from typing import TYPE_CHECKING, Any
from collections.abc import Collection

from . import metric_files, process
from .lifecycle import Outcome

if TYPE_CHECKING:
    from .resources import Resource

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The ``path`` label of requests to paths no route matches (bounds the labels' cardinality).
UNMATCHED = "<unmatched>"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
CREATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
BATCH_WAIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
_DURATION_BOUNDS = DURATION_BUCKETS + (float("inf"),)
#: Seconds between two updates of the metrics from the requests that ended meanwhile.
FLUSH_SECONDS = 0.5

#: Paths without URL variables that some service of this process serves.
known_routes: set[str] = set()


class _Instruments:
    """The metric objects, created on first use (after the multiprocess mode is settled)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter("elg_requests", "Requests answered.", ["path", "type", "status", "code"])
        self.duration = Histogram("elg_request_duration_seconds", "Time to answer a request.",
                                  ["path", "type"], buckets=DURATION_BUCKETS)
        self.in_progress = Gauge("elg_requests_in_progress", "Requests being answered.",
                                 multiprocess_mode="livesum")
        self.resource_seconds = Histogram("elg_resource_creation_seconds", "Time taken to create a resource.",
                                          ["resource"], buckets=CREATION_BUCKETS)
        self.batch_size = Histogram("elg_batch_size", "Requests per batch of a batched handler.", ["path"],
                                    buckets=BATCH_SIZE_BUCKETS)
        self.batch_wait = Histogram("elg_batch_wait_seconds", "How long the oldest request of a batch waited.",
                                    ["path"], buckets=BATCH_WAIT_BUCKETS)
        self.batches = Counter("elg_batches", "Batches fired, by why.", ["path", "reason"])
        self.counters: dict[tuple[str, str, str, str], Any] = {}
        self.histograms: dict[tuple[str, str], Any] = {}


_instruments: _Instruments | None = None
_lock = threading.Lock()
_flush_lock = threading.Lock()
#: Outcomes not yet counted, and the requests being answered now (deque and set updates are atomic).
_pending: deque[Outcome] = deque()
#: The requests being answered now (records are added and removed by the application directly: a
#: function call for each would cost more than the set operation).
answering: set[object] = set()
_flusher_generation = -1


def _get() -> _Instruments:
    global _instruments
    if _instruments is None:
        with _lock:
            if _instruments is None:
                _instruments = _Instruments()
    return _instruments


def count_request(outcome: Outcome) -> None:
    """Lifecycle listener: count a finished request (in this worker's next flush)."""
    _pending.append(outcome)
    if _flusher_generation != process.generation:
        _start_flusher()


def flush() -> None:
    """Count the requests that ended since the last flush, and update the requests in progress."""
    with _flush_lock:
        instruments = _get()
        counts: Counter[tuple[str, str, str, str]] = Counter()
        durations: dict[tuple[str, str], list[float]] = {}
        while _pending:
            outcome = _pending.popleft()
            path = outcome.route or (outcome.path if outcome.path in known_routes else UNMATCHED)
            key = (path, outcome.request_type, str(outcome.status), outcome.code)
            counts[key] += 1
            durations.setdefault(key[:2], []).append(outcome.duration)
        for key, count in counts.items():
            counter = instruments.counters.get(key)
            if counter is None:
                counter = instruments.counters[key] = instruments.requests.labels(*key)
            counter.inc(count)
        for pair, observed in durations.items():
            histogram = instruments.histograms.get(pair)
            if histogram is None:
                histogram = instruments.histograms[pair] = instruments.duration.labels(*pair)
            _observe_all(histogram, observed)
        instruments.in_progress.set(len(answering))


def _observe_all(histogram: Any, durations: list[float]) -> None:
    """``histogram.observe`` of each duration, with one update per bucket rather than one per duration.

    prometheus-client has no call to observe many values; its histograms keep one value per bucket
    (``_buckets``, in the order of the bounds) and their sum (``_sum``), which this adds to directly.
    """
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    if buckets is None or total is None or len(buckets) != len(_DURATION_BOUNDS):
        for duration in durations:
            histogram.observe(duration)
        return
    counts = [0] * len(buckets)
    for duration in durations:
        counts[bisect.bisect_left(_DURATION_BOUNDS, duration)] += 1  # the first bound >= duration, as observe()
    for bucket, count in zip(buckets, counts):
        if count:
            bucket.inc(count)
    total.inc(sum(durations))


def _start_flusher() -> None:
    global _flusher_generation
    with _lock:
        if _flusher_generation == process.generation:
            return
        _flusher_generation = process.generation
    threading.Thread(target=_flush_every, args=(FLUSH_SECONDS,), name="elg-metrics", daemon=True).start()
    atexit.register(_flush_at_exit, process.generation)


def _flush_every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        flush()


def _flush_at_exit(generation: int) -> None:
    if generation == process.generation:  # not in a child that inherited the handler
        flush()


def batch_fired(path: str, size: int, waited: float, reason: str) -> None:
    """Count a batch of ``size`` requests fired for ``reason`` after its oldest waited ``waited`` seconds."""
    instruments = _get()
    instruments.batch_size.labels(path).observe(size)
    instruments.batch_wait.labels(path).observe(waited)
    instruments.batches.labels(path, reason).inc()


def resource_created(resource: Resource) -> None:
    """Observe the time a resource took to create (whether it succeeded or not)."""
    if resource.seconds is not None:
        _get().resource_seconds.labels(resource.name).observe(resource.seconds)


def render(accept: str | None) -> tuple[bytes, str]:
    """The metrics page in the format ``accept`` asks for (Prometheus text by default, or OpenMetrics).

    In multiprocess mode the counts are those of every worker process together.
    """
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.exposition import choose_encoder
    from prometheus_client.multiprocess import MultiProcessCollector

    flush()  # this worker's counts are current; the metrics exist, at zero, before anything was counted
    encode, content_type = choose_encoder(accept or "")
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)
        with metric_files.reading(folder):
            return encode(registry), content_type
    return encode(REGISTRY), content_type


def prepare_multiprocess_dir() -> str:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory (unless set) before workers start.

    Called by ``serve()`` in the master process before it loads the service. A directory it
    creates is removed when the master exits; one given in the environment is used as it is
    (empty it between runs, or old counts are added to the new ones).
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        metric_files.recover(given)
        path = given
    else:
        path = tempfile.mkdtemp(prefix="elg-metrics-")
        os.environ[MULTIPROC_ENV] = path
        atexit.register(_remove_in, os.getpid(), path)
    values = sys.modules.get("prometheus_client.values")
    if values is not None and _instruments is None:
        # prometheus-client was imported before the variable was set: let metrics made from now on use it.
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    return path


def _remove_in(owner: int, path: str) -> None:
    """Remove ``path`` if this is the process ``owner`` (workers inherit the master's exit handlers)."""
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


def worker_exited(pid: int, living: Collection[int] = ()) -> None:
    """Forget a dead worker's live gauges (requests in progress) and fold its counts into the archives
    (:mod:`.metric_files`); called by the master, with the pids of the workers still ``living``."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid, folder)
        metric_files.fold_dead_worker(folder, pid, living)
