"""Batched handlers served by real gunicorn processes: batches form under concurrency without
tying the worker's threads, group by ``batch_by``, isolate failing requests, respect deadlines and
the queue's bound, run async handlers on the event loop, fall back to batches of one under the sync
worker, and are counted in the metrics and the request log."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from hardening.conftest import (
    RawResponse,
    Server,
    assert_elg_failure,
    free_port,
    get,
    post,
    serve_command,
    start_server,
)

SERVICE = Path(__file__).resolve().parent / "services" / "batch_service.py"


def _start(tmp: Path, name: str, *args: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    return start_server(name, serve_command(SERVICE, port, *args), port, tmp, env=env or {},
                        drop_env=["REQUEST_TIMEOUT", "THREADS", "WORKERS", "MAX_QUEUE", "WORKER_CLASS"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = _start(tmp_path_factory.mktemp("batching"), "batching", "--threads", "4", "--workers", "1",
                     "--log-level", "INFO")
    yield started
    started.stop()


def text(content: str, **params: Any) -> bytes:
    message: dict[str, Any] = {"type": "text", "content": content}
    if params:
        message["params"] = params
    return json.dumps(message).encode()


def features(response: RawResponse) -> dict[str, Any]:
    assert response.status == 200, (response.status, response.body[:500])
    found: dict[str, Any] = response.json()["response"]["features"]
    return found


def concurrently(count: int, call: Any) -> list[Any]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_concurrent_requests_form_batches_in_order_without_tying_threads(server: Server) -> None:
    # A slow batch first, so that the 32 requests queue meanwhile, while one worker has 4 threads.
    warm = threading.Thread(target=lambda: post(server.port, "/batch", text("warm", seconds=0.5)))
    warm.start()
    time.sleep(0.1)
    answers: list[Any] = []
    others: list[RawResponse] = []

    def meanwhile() -> None:
        time.sleep(0.1)
        others.append(get(server.port, "/health/ready"))
        others.append(post(server.port, "/plain", text("unbatched")))

    side = threading.Thread(target=meanwhile)
    side.start()
    answers = concurrently(32, lambda i: post(server.port, "/batch", text(f"r{i}", seconds=0.0)))
    side.join()
    warm.join()
    found = [features(answer) for answer in answers]
    assert [entry["content"] for entry in found] == [f"r{i}" for i in range(32)]  # each its own entry
    assert max(entry["size"] for entry in found) >= 24, sorted(entry["size"] for entry in found)
    assert all(entry["overlaps"] == 0 for entry in found)  # one batch at a time
    assert [other.status for other in others] == [200, 200]  # answered while 32 requests waited


def test_one_client_after_another_never_waits(server: Server) -> None:
    sizes, durations = [], []
    for index in range(15):
        started = time.monotonic()
        sizes.append(features(post(server.port, "/batch", text(f"s{index}", seconds=0.0)))["size"])
        durations.append(time.monotonic() - started)
    assert sizes == [1] * 15
    assert sorted(durations)[7] < 0.02 + 0.015, durations  # the 20 ms of the handler, no wait


def test_batch_by_groups_requests_by_value(server: Server) -> None:
    answers = concurrently(24, lambda i: features(post(server.port, "/by-lang", text(f"r{i}", lang="en" if i % 2
                                                                                      else "de"))))
    by_batch: dict[int, set[str]] = {}
    for entry in answers:
        by_batch.setdefault(entry["batch"], set()).add(entry["lang"])
    assert all(len(langs) == 1 for langs in by_batch.values()), by_batch
    assert max(entry["size"] for entry in answers) > 1


@pytest.mark.parametrize("poisoned", [(5,), (3, 17)])
def test_bisection_isolates_poison_requests(server: Server, poisoned: tuple[int, ...]) -> None:
    answers = concurrently(24, lambda i: post(server.port, "/poison", text("poison" if i in poisoned else
                                                                            "bad" if i == 9 else f"r{i}")))
    for index, answer in enumerate(answers):
        if index in poisoned:
            assert_elg_failure(answer, 500, "elg.service.internalError")
            assert answer.json()["failure"]["errors"][0]["params"] == ["poisoned batch"]
        elif index == 9:
            assert_elg_failure(answer, 400, "elg.request.invalid")  # an exception entry fails it alone
        else:
            assert features(answer)["content"] == f"r{index}"
    assert "poisoned batch" in server.log()


def test_a_list_of_the_wrong_length_fails_the_batch(server: Server) -> None:
    answer = post(server.port, "/wrong-length", text("x"))
    assert_elg_failure(answer, 500, "elg.response.invalid")
    assert "batched handler wrong_length returned 0 entries for a batch of 1 request" in server.log()


def test_async_batched_handler_runs_on_the_event_loop(server: Server) -> None:
    answers = [features(answer) for answer in concurrently(16, lambda i: post(server.port, "/async-batch",
                                                                              text(f"a{i}")))]
    assert [entry["content"] for entry in answers] == [f"a{i}" for i in range(16)]
    assert len({entry["loop"] for entry in answers}) == 1
    assert max(entry["size"] for entry in answers) > 1


def test_metrics_and_request_log_carry_batches(server: Server) -> None:
    concurrently(8, lambda i: post(server.port, "/batch", text(f"m{i}", seconds=0.0)))
    time.sleep(0.6)
    page = get(server.port, "/metrics").body.decode()
    assert 'elg_batch_size_count{path="/batch"}' in page
    assert 'elg_batch_wait_seconds_bucket{le="0.0005",path="/batch"}' in page
    assert 'elg_batches_total{path="/batch",reason="waited"}' in page or \
        'elg_batches_total{path="/batch",reason="full"}' in page
    assert " batch=" in server.log()


def test_deadline_passing_while_queued_is_504_and_not_run(tmp_path: Path) -> None:
    server = _start(tmp_path, "batch-deadline", env={"REQUEST_TIMEOUT": "1"})
    try:
        # The first holds the runner 1.5 s; the ones queued behind it pass their 1 s deadline.
        first = threading.Thread(target=lambda: post(server.port, "/slow-batch", text("first", seconds=1.5)))
        first.start()
        time.sleep(0.2)
        started = time.monotonic()
        queued = concurrently(3, lambda i: post(server.port, "/slow-batch", text(f"q{i}", seconds=0.0)))
        first.join()
        for answer in queued:
            assert_elg_failure(answer, 504)
        assert time.monotonic() - started < 2.0
        assert post(server.port, "/plain", text("after")).status == 200
        time.sleep(1.0)
        assert server.log().count("POST /slow-batch text 200") <= 1  # the queued ones never ran
    finally:
        server.stop()


def test_past_max_queue_requests_are_refused_with_retry_after(tmp_path: Path) -> None:
    server = _start(tmp_path, "batch-overload", env={"MAX_QUEUE": "4"})
    try:
        first = threading.Thread(target=lambda: post(server.port, "/slow-batch", text("first", seconds=1.0)))
        first.start()
        time.sleep(0.2)
        answers = concurrently(12, lambda i: post(server.port, "/slow-batch", text(f"o{i}", seconds=0.0)))
        first.join()
        refused = [answer for answer in answers if answer.status == 503]
        assert refused and len(refused) <= 8, [answer.status for answer in answers]
        assert all(answer.headers.get("retry-after") == "1" for answer in refused), refused[0].headers
        assert sum(answer.status == 200 for answer in answers) >= 4
    finally:
        server.stop()


def test_the_sync_worker_runs_batches_of_one_and_says_so(tmp_path: Path) -> None:
    server = _start(tmp_path, "batch-sync", "--worker-class", "sync", "--log-level", "INFO")
    try:
        answers = concurrently(4, lambda i: features(post(server.port, "/batch", text(f"y{i}", seconds=0.0))))
        assert [entry["size"] for entry in answers] == [1, 1, 1, 1]
        assert [entry["content"] for entry in answers] == ["y0", "y1", "y2", "y3"]
        assert server.log().count("run with batches of one") == 1
    finally:
        server.stop()


def test_waiting_requests_tie_no_thread(server: Server) -> None:
    # 12 requests for a handler taking 4 at a time for 0.5 s: 8 of them wait while the 4 threads are free.
    waiting = threading.Thread(target=lambda: concurrently(12, lambda i: post(server.port, "/slow-batch",
                                                                              text(f"w{i}", seconds=0.5))))
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert [post(server.port, "/plain", text(f"p{i}")).status for i in range(4)] == [200] * 4
    assert get(server.port, "/health/ready").status == 200
    assert time.monotonic() - started < 0.4  # none waited for a batch to end
    waiting.join()
