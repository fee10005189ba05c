"""What the runtime needs from the server process: gunicorn hooks and the steps before the fork."""
from __future__ import annotations

from typing import Any

from ..runtime import metrics
from ..runtime.service_runtime import runtime_of


def prepare_master(app: Any) -> None:
    """In the master, before workers are forked: create the service's shared resources.

    Nothing here may start a thread: threads do not survive the fork.
    """
    runtime = runtime_of(app)
    if runtime is not None:
        runtime.create_shared()


def application_started(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: in each new worker, start creating its resources."""
    runtime = runtime_of(getattr(worker, "wsgi", None))
    if runtime is not None:
        runtime.start()


def application_worker_exited(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit``: in the master, let the metrics forget the worker's live gauges and
    fold its counts into those of the workers gone before."""
    metrics.worker_exited(worker.pid, tuple(getattr(server, "WORKERS", ())))
