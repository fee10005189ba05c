"""The multiprocess metric files of dead workers, folded into one archive file per kind.

In prometheus-client's multiprocess mode every process writes its values to files of its own in
``PROMETHEUS_MULTIPROC_DIR`` (``counter_<pid>.db``, ``histogram_<pid>.db``, ``gauge_<mode>_<pid>.db``…)
and a scrape reads every file there, so each replaced worker would make every later scrape slower.
When a worker has exited, the master folds its files into ``<kind>_archive.db`` (one per kind, in the
same folder and the same format, so a scrape reads it like any other) and deletes them: a scrape
then reads the live processes' files and a few archives, however many workers came and went.

How values fold is how a scrape combines processes: counters, histograms, summaries and ``sum``
gauges add up; ``min`` and ``max`` gauges keep the smaller or larger value; ``mostrecent`` gauges
keep the later one. ``live*`` gauges of dead processes are deleted by ``mark_process_dead``, and
``all`` gauges are left as they are: that mode shows one series per process, dead ones included.

Two rules keep the counts exact:

* A fold is a transaction that survives the master being killed at any point: the new archive is
  written in full under a temporary name, then renamed to ``<kind>_archive.<pid>.commit`` (the
  commit), then the worker's file is deleted and the commit renamed over the archive. A commit
  left behind is finished by the next fold (or by :func:`recover` when a server starts on the
  folder); a temporary file left behind is deleted, the worker's file being still in place.
* Scrapes read the folder under a shared lock (:func:`reading`) and folds hold it exclusively, so
  no scrape sees a worker's values twice (its file and the archive) or not at all.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Collection, Iterator

from ..logger import logger

ARCHIVE = "archive"
LOCK_FILE = "folding.lock"
_COMMIT = ".commit"
_TEMPORARY = ".folding"
#: How long a fold waits for scrapes to finish reading before it is put off to the next worker's exit.
LOCK_WAIT_SECONDS = 0.25

Entry = tuple[float, float]  # (value, timestamp), as prometheus-client stores them


def _add(kept: Entry, new: Entry) -> Entry:
    return kept[0] + new[0], max(kept[1], new[1])


def _smaller(kept: Entry, new: Entry) -> Entry:
    return new if new[0] < kept[0] else kept


def _larger(kept: Entry, new: Entry) -> Entry:
    return new if new[0] > kept[0] else kept


def _later(kept: Entry, new: Entry) -> Entry:
    return new if new[1] > kept[1] else kept


#: File name prefixes of the kinds folded, and how two processes' values of one sample combine.
FOLDS: dict[str, Callable[[Entry, Entry], Entry]] = {
    "counter": _add,
    "histogram": _add,
    "summary": _add,
    "gauge_sum": _add,
    "gauge_min": _smaller,
    "gauge_max": _larger,
    "gauge_mostrecent": _later,
}

#: Pids whose files could not be folded yet (scrapes held the lock, or the folder failed).
_put_off: set[int] = set()


def fold_dead_worker(folder: str, pid: int, living: Collection[int] = ()) -> None:
    """Fold the files of worker ``pid``, which has exited, into the archives of ``folder``.

    Called by the master, with the pids of the workers still ``living``. Workers put off earlier are
    folded too (unless their pid now names a living worker, whose files they are). A failure is
    logged, never raised: the files stay where they are, and scrapes still count them.
    """
    _put_off.add(pid)
    _put_off.difference_update(living)
    try:
        with _locked(folder, exclusive=True, wait=LOCK_WAIT_SECONDS) as locked:
            if not locked:
                return
            _recover_in(folder)
            for dead in sorted(_put_off):
                try:
                    for kind in FOLDS:
                        _fold(folder, kind, dead)
                except (RuntimeError, ValueError) as exc:  # a damaged file (scrapes fail on it too): not retried
                    logger.warning("could not fold the metric files of worker %s in %s: %s", dead, folder, exc)
                _put_off.discard(dead)
    except OSError as exc:  # the folder failed: retried at the next worker's exit
        logger.warning("could not fold the metric files of worker %s in %s: %s", pid, folder, exc)


def recover(folder: str) -> None:
    """Finish the folds a killed master left half done in ``folder`` (before workers start)."""
    with _locked(folder, exclusive=True, wait=None):
        _recover_in(folder)


@contextlib.contextmanager
def reading(folder: str) -> Iterator[None]:
    """Hold ``folder`` still for a scrape: no fold moves values between files meanwhile."""
    with _locked(folder, exclusive=False, wait=None):
        yield


def _fold(folder: str, kind: str, pid: int) -> None:
    dead = os.path.join(folder, f"{kind}_{pid}.db")
    if not os.path.exists(dead):
        return
    archive = os.path.join(folder, f"{kind}_{ARCHIVE}.db")
    combine = FOLDS[kind]
    entries = _read(archive) if os.path.exists(archive) else {}
    for key, entry in _read(dead).items():
        kept = entries.get(key)
        entries[key] = entry if kept is None else combine(kept, entry)
    temporary = os.path.join(folder, f"{kind}_{ARCHIVE}{_TEMPORARY}")
    _write(temporary, entries)
    commit = os.path.join(folder, f"{kind}_{ARCHIVE}.{pid}{_COMMIT}")
    os.replace(temporary, commit)
    _finish(folder, kind, pid, commit)


def _finish(folder: str, kind: str, pid: int, commit: str) -> None:
    """Second half of a fold, safe to repeat: the archive in ``commit`` already holds ``pid``'s values."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(folder, f"{kind}_{pid}.db"))
    os.replace(commit, os.path.join(folder, f"{kind}_{ARCHIVE}.db"))


def _recover_in(folder: str) -> None:
    for name in os.listdir(folder):
        if name.endswith(_TEMPORARY):
            os.unlink(os.path.join(folder, name))
            continue
        if not name.endswith(_COMMIT):
            continue
        stem, _, pid = name[: -len(_COMMIT)].rpartition(".")
        kind, _, archive = stem.rpartition("_")
        if kind in FOLDS and archive == ARCHIVE and pid.isdigit():
            _finish(folder, kind, int(pid), os.path.join(folder, name))


def _read(path: str) -> dict[str, Entry]:
    from prometheus_client.mmap_dict import MmapedDict

    return {key: (value, timestamp)
            for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(path)}


def _write(path: str, entries: dict[str, Entry]) -> None:
    from prometheus_client.mmap_dict import MmapedDict

    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # MmapedDict appends to a file that exists
    written = MmapedDict(path)
    try:
        for key, (value, timestamp) in entries.items():
            written.write_value(key, value, timestamp)
    finally:
        written.close()


@contextlib.contextmanager
def _locked(folder: str, *, exclusive: bool, wait: float | None) -> Iterator[bool]:
    """``folder``'s lock, shared or exclusive; yields whether it was taken within ``wait`` seconds
    (``None``: however long it takes). Where there is no ``flock`` (Windows, where no master folds) it
    yields True at once."""
    try:
        import fcntl
    except ImportError:
        yield True
        return
    descriptor = os.open(os.path.join(folder, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if wait is None:
            fcntl.flock(descriptor, mode)
        elif not _try_lock(descriptor, mode, wait):
            yield False
            return
        yield True
    finally:
        os.close(descriptor)  # releases the lock


def _try_lock(descriptor: int, mode: int, wait: float) -> bool:
    import fcntl

    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
