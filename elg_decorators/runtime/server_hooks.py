"""What the runtime needs from the server process: gunicorn hooks and the steps before the fork."""
from __future__ import annotations

from typing import Any, Callable, Dict

from . import metrics
from .health import runtime_of


def prepare_master(app: Any) -> None:
    """In the master, before workers are forked: create the service's shared resources.

    Nothing here may start a thread: threads do not survive the fork.
    """
    runtime = runtime_of(app)
    if runtime is not None:
        runtime.create_shared()


def gunicorn_hooks() -> Dict[str, Callable[..., Any]]:
    """The gunicorn server hooks of the runtime, by setting name."""
    return {"post_worker_init": _worker_started, "child_exit": _worker_exited}


def _worker_started(worker: Any) -> None:
    """In each new worker, once it loaded the app: start creating its resources, count restarts."""
    runtime = runtime_of(getattr(worker, "wsgi", None))
    if runtime is not None:
        runtime.start()
    metrics.worker_started(worker.age, worker.cfg.workers)


def _worker_exited(server: Any, worker: Any) -> None:
    """In the master, when a worker has exited."""
    metrics.worker_exited(worker.pid)
