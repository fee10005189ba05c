"""gunicorn's master process, taught two things about a service's workers.

- A worker that exits with status 3 or 4 makes gunicorn's arbiter halt the whole server
  (it takes them for "worker failed to boot" and "app failed to load"). A handler may exit
  with any status (``os._exit(3)``): here that halts the server only if the worker never
  finished booting; otherwise the worker is replaced like any worker that died.
- A worker may ask to be replaced (:mod:`.recycling`): the master starts the new worker
  first and stops the old one gracefully once the new one has booted, so that capacity
  never drops to nothing.
- With ``--reload`` the master itself replaces the workers when the service's files change,
  and keeps the old ones while the new code does not load (:mod:`.reloading`).
"""
from __future__ import annotations

import signal
from typing import Any

from gunicorn.arbiter import Arbiter
from gunicorn.errors import HaltServer

from .recycling import WorkerState, state_of
from .reloading import Reloads
from .restarts import count_restart

_BOOT_FAILURES = (Arbiter.WORKER_BOOT_ERROR, Arbiter.APP_LOAD_ERROR)


class ServiceArbiter(Arbiter):  # type: ignore[misc]
    """The arbiter ``serve()`` runs."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._stopping_retired: set[int] = set()
        self.stopping = False
        #: Replacing the workers when the service's files change (``--reload``), or None.
        self.reloads: Reloads | None = None

    def stop(self, graceful: bool = True) -> None:
        self.stopping = True
        super().stop(graceful)

    def reap_workers(self) -> None:
        while True:
            before: dict[int, Any] = dict(self.WORKERS)
            try:
                super().reap_workers()
                return
            except HaltServer as halt:
                if halt.exit_status not in _BOOT_FAILURES:
                    raise
                gone = [worker for pid, worker in before.items() if pid not in self.WORKERS]
                if not gone or any(not _booted(worker) for worker in gone):
                    raise
                for worker in gone:
                    self._forget(worker, halt.exit_status)

    def _forget(self, worker: Any, status: int) -> None:
        """Clean up after a booted worker whose exit status gunicorn took for a boot failure."""
        if getattr(worker.tmp, "_tmp", None) is not None and worker.tmp._tmp.closed:
            return  # reaped normally before the one that raised
        self.log.error(
            "worker (pid:%s) exited with status %s while serving; starting a new one", worker.pid, status
        )
        worker.tmp.close()
        self.cfg.child_exit(self, worker)

    def manage_workers(self) -> None:
        if self.reloads is not None:
            self.reloads.poll(self.WORKERS)
        retiring = {pid for pid, worker in self.WORKERS.items() if _wants_replacement(worker)}
        # Workers loading code already found not to load do not count: they will not serve.
        reloads = self.reloads
        doomed = {pid for pid, worker in self.WORKERS.items() if reloads is not None and reloads.doomed(worker)}
        self._stopping_retired &= set(self.WORKERS)
        active = sorted(
            ((pid, worker) for pid, worker in self.WORKERS.items() if pid not in retiring and pid not in doomed),
            key=lambda item: item[1].age,
        )
        for _ in range(self.num_workers - len(active) if self.reloads is None or self.reloads.may_spawn else 0):
            self.spawn_worker()
        while len(active) > self.num_workers:
            pid, _ = active.pop(0)
            self.kill_worker(pid, signal.SIGTERM)
        for pid in retiring - self._stopping_retired:
            worker = self.WORKERS[pid]
            # A newer worker, unless a reload is replacing it too (it replaces every worker at once).
            newer = [other for other_pid, other in self.WORKERS.items()
                     if other.age > worker.age and not (reloads is not None and reloads.replacing(other_pid))]
            if any(_booted(other) for other in newer):
                self._stopping_retired.add(pid)
                self.kill_worker(pid, signal.SIGTERM)


def _booted(worker: Any) -> bool:
    state = state_of(worker)
    return state is not None and state.booted


def _wants_replacement(worker: Any) -> bool:
    state = state_of(worker)
    return state is not None and state.wants_replacement


def worker_exited(arbiter: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook: count the restart, unless the server is stopping; tell the reloads."""
    if not getattr(arbiter, "stopping", False):
        count_restart(worker)
    reloads = getattr(arbiter, "reloads", None)
    if reloads is not None:
        reloads.exited(worker, arbiter.WORKERS)


def give_state(arbiter: Any, worker: Any) -> None:
    """gunicorn's ``pre_fork`` hook: the shared state of the worker about to be forked (and its generation
    of the code, with ``--reload``)."""
    worker.elg_state = WorkerState()
    reloads = getattr(arbiter, "reloads", None)
    if reloads is not None:
        reloads.spawning(worker)


def mark_booted(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook: the worker loaded the application."""
    state = state_of(worker)
    if state is not None:
        state.mark_booted()
