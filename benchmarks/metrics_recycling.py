"""Time of a ``/metrics`` scrape after 1 and after 1,000 worker replacements, with and without folding.

Under ``serve()`` every worker writes prometheus-client multiprocess files, and a scrape reads all the
files in ``PROMETHEUS_MULTIPROC_DIR``. This benchmark simulates the replacements rather than running
a server through them: each "worker" is a fake pid whose metrics (the runtime's own: requests counted
by path, type, status and code, the duration histogram, the in-progress gauge) are written by
prometheus-client's real multiprocess value class into a temporary folder. When a worker "exits", the
master's steps run on its files, as in ``child_exit``:

* ``kept``: ``mark_process_dead`` only (what the master did before folding);
* ``folded``: ``mark_process_dead``, then ``metric_files.fold_dead_worker`` (what it does now).

One live worker remains at the end. A scrape is what ``render`` does: every file read by
``MultiProcessCollector`` and encoded in the Prometheus text format (the median of ``--repeats``). Both
folders must give the same samples, which is checked (sums of durations to 12 significant digits: they
are added in another order).

    python benchmarks/metrics_recycling.py [--replacements 1,1000] [--requests 50] [--repeats 7]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from elg_decorators.runtime import metric_files  # noqa: E402
from elg_decorators.runtime.metrics import DURATION_BUCKETS, MULTIPROC_ENV  # noqa: E402

ROUTES = [("/process", "text", "200", ""), ("/process", "-", "400", "elg.request.invalid"),
          ("/translate/<src>/<tgt>", "text", "200", ""), ("<unmatched>", "-", "404", "elg.service.not.found")]
FIRST_PID = 100_000


def run_worker(folder: str, pid: int, requests: int) -> None:
    """The metrics a worker with ``pid`` writes while it answers ``requests`` requests."""
    os.environ[MULTIPROC_ENV] = folder
    value_class = values.MultiProcessValue(lambda: pid)
    values.ValueClass = value_class  # type: ignore[misc]
    counted = Counter("elg_requests", "Requests answered.", ["path", "type", "status", "code"], registry=None)
    duration = Histogram("elg_request_duration_seconds", "Time to answer a request.", ["path", "type"],
                         buckets=DURATION_BUCKETS, registry=None)
    in_progress = Gauge("elg_requests_in_progress", "Requests being answered.", multiprocess_mode="livesum",
                        registry=None)
    for index in range(requests):
        labels = ROUTES[(index + pid) % len(ROUTES)]
        counted.labels(*labels).inc()
        duration.labels(*labels[:2]).observe(0.001 * (index % 300))
    in_progress.set(0)
    value_class.close_all_files()  # type: ignore[attr-defined]


def simulate(folder: str, replacements: int, requests: int, fold: bool) -> float:
    """``replacements`` workers that ran and exited, then one that runs; the seconds spent folding."""
    folding = 0.0
    for pid in range(FIRST_PID, FIRST_PID + replacements):
        run_worker(folder, pid, requests)
        mark_process_dead(pid, folder)
        if fold:
            started = time.perf_counter()
            metric_files.fold_dead_worker(folder, pid)
            folding += time.perf_counter() - started
    run_worker(folder, FIRST_PID + replacements, requests)
    return folding


def scrape(folder: str) -> bytes:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    with metric_files.reading(folder):
        return generate_latest(registry)


def samples(page: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(page.decode()) for sample in family.samples}


def same_samples(one: dict[tuple[str, tuple[tuple[str, str], ...]], float],
                 other: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> bool:
    """The same samples with the same values; sums of durations may differ in the last digits, having
    been added in another order."""
    return one.keys() == other.keys() and all(
        one[key] == other[key] if key[0] != "elg_request_duration_seconds_sum"
        else math.isclose(one[key], other[key], rel_tol=1e-12) for key in one)


def median_seconds(call: Callable[[], object], repeats: int) -> float:
    times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replacements", default="1,1000", help="comma-separated counts of replaced workers")
    parser.add_argument("--requests", type=int, default=50, help="requests each worker answered")
    parser.add_argument("--repeats", type=int, default=7, help="scrapes timed per cell (the median is shown)")
    options = parser.parse_args()
    print(f"{'replacements':>12} {'files kept':>10} {'scrape kept':>12} {'files folded':>12} "
          f"{'scrape folded':>13} {'fold per worker':>15}")
    for replacements in (int(count) for count in options.replacements.split(",")):
        with tempfile.TemporaryDirectory() as kept, tempfile.TemporaryDirectory() as folded:
            simulate(kept, replacements, options.requests, fold=False)
            folding = simulate(folded, replacements, options.requests, fold=True)
            if not same_samples(samples(scrape(kept)), samples(scrape(folded))):
                raise SystemExit(f"the folded files do not give the same samples after {replacements} replacements")
            kept_seconds = median_seconds(lambda: scrape(kept), options.repeats)
            folded_seconds = median_seconds(lambda: scrape(folded), options.repeats)
            files = [len([name for name in os.listdir(folder) if name.endswith(".db")]) for folder in (kept, folded)]
            print(f"{replacements:>12} {files[0]:>10} {kept_seconds * 1000:>10.1f}ms {files[1]:>12} "
                  f"{folded_seconds * 1000:>11.1f}ms {folding / replacements * 1000:>13.2f}ms")


if __name__ == "__main__":
    main()
