"""``--reload``: new workers for changed code, and the old ones serving while the new code does not load.

The master watches the Python files of the folders the service's own modules come from
(:class:`SourceWatcher`). When one changes it starts new workers, and stops the old ones
(gracefully) once a new one has loaded the code, as when a worker is recycled. A new worker
forgets the service's modules it inherited from the master and imports them afresh
(:func:`fresh_loader`). If the new code does not load (a syntax error, a failing import), the
worker says why in its shared state and exits quietly; the master logs that once, as one line
naming the file and line, keeps the old workers serving, and tries again at the next change.
"""
from __future__ import annotations

import os
import site
import sys
import sysconfig
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from ..errors import ServiceLoadError
from ..logger import logger
from .recycling import WorkerState, state_of

T = TypeVar("T")
#: Seconds between two looks at the service's files.
POLL_INTERVAL = 0.5
#: The attribute of a worker holding the generation of the code it was started for.
GENERATION = "elg_generation"

_FRAMEWORK = Path(__file__).resolve().parents[1]
_this_worker: WorkerState | None = None


def _library_folders() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    folders = {paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib") if name in paths}
    folders.update(getattr(site, "getsitepackages", list)())
    folders.add(site.getusersitepackages())
    return (_FRAMEWORK, *(Path(folder).resolve() for folder in folders))


_LIBRARIES = _library_folders()


def service_file(module: ModuleType) -> Path | None:
    """The source file of ``module`` if it is one of the service's own (not of Python, an installed
    package or the framework), else None."""
    name = getattr(module, "__file__", None)
    if not isinstance(name, str) or not name.endswith(".py"):
        return None
    path = Path(name).resolve()
    return None if any(path.is_relative_to(folder) for folder in _LIBRARIES) else path


def forget_service_modules() -> None:
    """Drop the service's own modules from ``sys.modules`` (not ``__main__``), so that they are imported afresh."""
    for name, module in list(sys.modules.items()):
        if name != "__main__" and module is not None and service_file(module) is not None:
            del sys.modules[name]


class SourceWatcher:
    """The Python files of some folders, and whether they changed since last asked."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = sorted(set(folders))
        self._seen = self._snapshot()
        self._last = self._seen
        self._next_look = 0.0

    @classmethod
    def of_service(cls) -> SourceWatcher:
        """A watcher of the folders the service's modules, loaded in this process, come from."""
        files = (service_file(module) for module in list(sys.modules.values()) if module is not None)
        return cls(path.parent for path in files if path is not None)

    def _snapshot(self) -> dict[str, tuple[int, int]]:
        found = {}
        for folder in self.folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py") and not entry.name.startswith("."):
                    try:
                        status = entry.stat()
                    except OSError:
                        continue
                    found[entry.path] = (status.st_mtime_ns, status.st_size)
        return found

    def changed(self) -> list[str]:
        """The files changed, added or removed since the last change reported, once they stopped changing."""
        now = time.monotonic()
        if now < self._next_look:
            return []
        self._next_look = now + POLL_INTERVAL
        current = self._snapshot()
        settled, self._last = current == self._last, current
        if current == self._seen or not settled:  # an editor may be writing in steps: wait for the last
            return []
        names = {name for name in current.keys() | self._seen.keys() if current.get(name) != self._seen.get(name)}
        self._seen = current
        return sorted(names)


def note_worker(worker: Any) -> None:
    """gunicorn's ``post_fork`` hook, in the new worker: the state through which it reports a load failure."""
    global _this_worker
    _this_worker = state_of(worker)


def fresh_loader(load: Callable[[], T]) -> Callable[[], T]:
    """``load`` run in a new worker after :func:`forget_service_modules`; if it raises, the worker reports
    why to the master (see :class:`Reloads`) and exits quietly."""

    def load_afresh() -> T:
        forget_service_modules()
        try:
            return load()
        except Exception as exc:
            if _this_worker is None:
                raise
            _this_worker.report_load_failure(describe_load_error(exc))
            raise SystemExit(0) from None

    return load_afresh


def describe_load_error(error: BaseException) -> str:
    """Why the service's code did not load, in one line: ``file, line N: SyntaxError: invalid syntax: code``."""
    cause = error.__context__ if isinstance(error, ServiceLoadError) and error.__context__ is not None else error
    if isinstance(cause, SyntaxError):
        code = (cause.text or "").strip()
        return f"{cause.filename}, line {cause.lineno}: {type(cause).__name__}: {cause.msg}" + (
            f": {code}" if code else "")
    message = (str(cause).strip().splitlines() or [""])[0]
    if cause is error and isinstance(error, ServiceLoadError):
        return message
    frames = [frame for frame in traceback.extract_tb(cause.__traceback__) if _is_service_path(frame.filename)]
    where = f"{frames[-1].filename}, line {frames[-1].lineno}: " if frames else ""
    return f"{where}{type(cause).__name__}: {message}" if message else f"{where}{type(cause).__name__}"


def _shown_path(name: str) -> str:
    """``name`` relative to the current folder if it is inside it, else as it is."""
    relative = os.path.relpath(name)
    return name if relative.startswith("..") else relative


def _is_service_path(name: str) -> bool:
    if not name.endswith(".py"):
        return False  # "<frozen importlib._bootstrap>" and the like
    path = Path(name).resolve()
    return not any(path.is_relative_to(folder) for folder in _LIBRARIES)


class Reloads:
    """The master's side of ``--reload`` (see the module's docstring); :class:`.arbiter.ServiceArbiter` calls it.

    Each change starts a new generation of the code; a worker belongs to the generation current
    when it was forked, and booted workers of an older one are replaced, unless the current
    code was found not to load.
    """

    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher
        self.generation = 0
        #: Why the current generation does not load (None: it does, or it was not tried yet).
        self.failure: str | None = None
        self._asked: set[int] = set()
        self._shown: str | None = None

    @property
    def may_spawn(self) -> bool:
        """Whether new workers may be started (not while the current code is known not to load)."""
        return self.failure is None

    def poll(self, workers: Mapping[int, Any]) -> None:
        """Look for changed files; have the booted workers of older code replaced."""
        changed = self.watcher.changed()
        if changed:
            self.generation += 1
            self.failure = None
            shown = ", ".join(_shown_path(name) for name in changed[:3]) + (", ..." if len(changed) > 3 else "")
            logger.info("%s changed: starting workers with the new code", shown)
        if self.failure is not None:
            return
        for pid, worker in workers.items():
            state = state_of(worker)
            if state is None or not state.booted or pid in self._asked:
                continue
            if getattr(worker, GENERATION, 0) < self.generation:
                state.ask_replacement()
                self._asked.add(pid)
            elif self._shown is not None:
                self._shown = None
                logger.info("the service's code loads again")

    def replacing(self, pid: int) -> bool:
        """Whether the worker ``pid`` was asked to make way for workers of newer code."""
        return pid in self._asked

    def doomed(self, worker: Any) -> bool:
        """Whether ``worker`` is still loading code already found not to load (it does not count as serving)."""
        state = state_of(worker)
        return (self.failure is not None and state is not None and not state.booted
                and getattr(worker, GENERATION, 0) == self.generation)

    def spawning(self, worker: Any) -> None:
        """gunicorn's ``pre_fork``: ``worker`` runs the current generation."""
        setattr(worker, GENERATION, self.generation)

    def exited(self, worker: Any, workers: Mapping[int, Any]) -> None:
        """gunicorn's ``child_exit``: a worker of the current code that could not load it stops the reload."""
        self._asked.discard(worker.pid)
        state = state_of(worker)
        failure = state.load_failure if state is not None else ""
        if not failure or getattr(worker, GENERATION, 0) != self.generation:
            return
        self.failure = failure
        kept = [state_of(workers[pid]) for pid in self._asked if pid in workers]
        for other in kept:
            if other is not None:
                other.keep()
        self._asked.clear()
        if failure != self._shown:
            self._shown = failure
            then = "still serving the code loaded before" if kept else "waiting for a change to load it again"
            logger.error("the changed code does not load (%s); %s", failure, then)
