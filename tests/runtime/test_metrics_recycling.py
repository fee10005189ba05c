"""Workers replaced again and again (``MAX_REQUESTS``) under ``serve`` with ``PROMETHEUS_MULTIPROC_DIR``:
the master folds the metric files of the workers gone into archives, so the folder holds the files of
the living processes and the archives only, and ``/metrics`` still counts every request answered."""
from __future__ import annotations

import re
import time
from pathlib import Path

from .app_servers import wait_for
from .conftest import assert_answered
from .test_metrics_scrape import scrape, value

REPLACEMENTS = 21
FILE_OWNER = re.compile(r"_(?P<owner>\d+|archive)\.db$")


def owners(folder: Path) -> set[str]:
    """Whose files are in ``folder``: pids, and ``archive``."""
    found = set()
    for name in (path.name for path in folder.glob("*.db")):
        matched = FILE_OWNER.search(name)
        assert matched, name
        found.add(matched["owner"])
    return found


def test_files_of_replaced_workers_are_folded_and_every_request_stays_counted(server_factory, tmp_path) -> None:
    folder = tmp_path / "metrics"
    server = server_factory("metrics-recycling", env={"PROMETHEUS_MULTIPROC_DIR": str(folder), "MAX_REQUESTS": "3"})
    answered_by: list[int] = []
    give_up = time.monotonic() + 180  # a guard against a server that stops replacing workers, not a measure
    while len(set(answered_by)) <= REPLACEMENTS and time.monotonic() < give_up:
        answered_by.append(assert_answered(server.port)["features"]["pid"])
    assert len(set(answered_by)) > REPLACEMENTS, f"{len(set(answered_by))} workers answered"

    def nothing_but_the_living_and_archives() -> bool:
        living = {str(pid) for pid in [server.pid, *server.workers()]}
        return owners(folder) <= living | {"archive"}

    wait_for(nothing_but_the_living_and_archives, "the files of the replaced workers folded")
    assert "archive" in owners(folder)
    # Per process (the master included) a counter, a histogram and a gauge file at most, and the archives.
    assert len(list(folder.glob("*.db"))) <= 3 * (len(server.workers()) + 1) + 2, sorted(folder.iterdir())

    sent = len(answered_by)
    process = {"path": "/process", "type": "text", "status": "200", "code": ""}
    wait_for(lambda: value(scrape(server), "elg_requests_total", **process) == sent, f"{sent} requests counted")
    samples = scrape(server)
    assert value(samples, "elg_requests_total", **process) == sent
    assert value(samples, "elg_request_duration_seconds_count", path="/process", type="text") == sent
    # The last worker replaced may still be finishing when the new one answers: its exit counts a little later.
    wait_for(lambda: value(scrape(server), "elg_worker_restarts_total", reason="recycled") >= REPLACEMENTS,
             f"{REPLACEMENTS} restarts counted")


def write_counts(path: Path, count: float) -> None:
    """A multiprocess counter file, as prometheus-client writes it, with ``count`` requests to /process."""
    from prometheus_client.mmap_dict import MmapedDict, mmap_key

    counts = MmapedDict(str(path))
    try:
        key = mmap_key("elg_requests", "elg_requests_total", ["path", "type", "status", "code"],
                       ["/process", "text", "200", ""], "Requests answered.")
        counts.write_value(key, count, 0.0)
    finally:
        counts.close()


def test_a_fold_the_master_left_half_done_is_finished_when_a_server_starts_on_the_folder(
        server_factory, tmp_path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    # A master killed between deleting the files of worker 999999 and renaming the new archive into place:
    # the archive holds 7 requests, its successor 7 + the worker's 5; and a successor being written.
    write_counts(folder / "counter_archive.db", 7)
    write_counts(folder / "counter_archive.999999.commit", 12)
    write_counts(folder / "counter_archive.folding", 40)
    server = server_factory("metrics-recovery", env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    for _ in range(2):
        assert_answered(server.port)
    process = {"path": "/process", "type": "text", "status": "200", "code": ""}
    wait_for(lambda: value(scrape(server), "elg_requests_total", **process) == 14, "12 + 2 requests counted")
    assert sorted(path.name for path in folder.iterdir() if not path.name.endswith(".db")) == ["folding.lock"]
