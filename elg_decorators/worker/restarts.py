"""The master's count of worker restarts, as the Prometheus counter ``elg_worker_restarts_total``.

In prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set) every process writes
its metrics to files in that folder and ``/metrics`` adds them up; the master writes this counter
there, labelled with why the worker went: ``recycled`` (it asked to be replaced: MAX_REQUESTS,
MAX_WORKER_MEMORY, stuck threads), ``timeout`` (the master killed it for silence) or ``exited``
(it died: a crash, ``os._exit``, the out-of-memory killer). Without that folder nothing is counted.
"""
from __future__ import annotations

import os
from typing import Any

from .recycling import state_of

METRIC = "elg_worker_restarts"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

_counter: Any | None = None


def reason_of(worker: Any) -> str:
    """Why ``worker`` exited, as the counter's ``reason`` label."""
    state = state_of(worker)
    if state is not None and state.wants_replacement:
        return "recycled"
    if getattr(worker, "aborted", False):
        return "timeout"
    return "exited"


def count_restart(worker: Any) -> None:
    """Count the exit of ``worker`` (which the master is about to replace)."""
    global _counter
    if not os.environ.get(MULTIPROCESS_ENV):
        return
    if _counter is None:
        try:
            from prometheus_client import Counter
        except ImportError:
            return
        # In no registry: the workers this master forks inherit its registries, where the
        # application registers its own metrics; the multiprocess files are what /metrics reads.
        _counter = Counter(METRIC, "Workers replaced, by reason", ["reason"], registry=None)
    _counter.labels(reason=reason_of(worker)).inc()
