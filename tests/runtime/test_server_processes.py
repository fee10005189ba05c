"""The master and its workers: a handler's exit takes down only its worker, SIGTERM drains,
and workers are recycled after MAX_REQUESTS or above MAX_WORKER_MEMORY without losing a request."""
from __future__ import annotations

import signal
import threading
import time
from typing import Any

import pytest

from hardening.conftest import build_request, rss_kib

from .conftest import (
    SSE_HEADERS,
    WORKER_CLASSES,
    assert_answered,
    assert_elg_response,
    connect,
    events,
    post,
    read_response,
    text,
)


@pytest.mark.parametrize("status", [3, 4, 1])
@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_a_handler_exiting_takes_down_only_its_worker(server_factory, worker_class: str, status: int) -> None:
    server = server_factory(f"exit-{status}-{worker_class}", "--workers", "2", worker_class=worker_class)
    before = server.wait_for_workers(2)
    assert _no_answer(server.port, "/exit", text(status=status))
    after = server.wait_for_replacement(before)
    assert len(set(after) & set(before)) == 1, (before, after)  # the other worker still runs
    assert server.process.poll() is None, server.log()[-2000:]
    for _ in range(4):
        assert_answered(server.port)


def _no_answer(port: int, path: str, body: bytes) -> bool:
    """The connection closes without a byte of answer (the worker died)."""
    with connect(port) as sock:
        sock.sendall(build_request("POST", path, body, {"Content-Type": "application/json"}, port=port))
        head, rest = read_response(sock)
    return head == b"" and rest == b""


def _in_background(call: Any) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    return thread, result


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_sigterm_lets_requests_in_flight_finish_and_exits_0(server_factory, worker_class: str) -> None:
    server = server_factory(f"drain-{worker_class}", env={"GRACEFUL_TIMEOUT": "10"}, worker_class=worker_class)
    thread, result = _in_background(lambda: post(server.port, "/sleep", text(seconds=2)))
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    thread.join(timeout=15)
    assert result and result[0].status == 200, result
    assert result[0].json()["response"]["texts"][0]["content"] == "slept 2.0"
    assert server.process.wait(timeout=15) == 0


def test_a_stream_cut_at_the_graceful_timeout_ends_with_one_failure_event(server_factory) -> None:
    server = server_factory("drain-stream", env={"GRACEFUL_TIMEOUT": "3"})
    thread, result = _in_background(
        lambda: post(server.port, "/stream", text(steps=200, interval=0.1), headers=SSE_HEADERS))
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    thread.join(timeout=15)
    messages = events(result[0])
    assert all(list(message) == ["progress"] for message in messages[:-1])
    final = messages[-1]["failure"]["errors"][0]
    assert final["detail"] == {"reason": "shutting down", "gracefulTimeout": 3.0}, final
    assert server.process.wait(timeout=15) == 0


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_max_requests_recycles_the_worker_without_losing_a_request(server_factory, worker_class: str) -> None:
    server = server_factory(f"max-requests-{worker_class}", env={"MAX_REQUESTS": "20"}, worker_class=worker_class)
    first = server.wait_for_workers(1)
    pids: list[int] = []
    until = time.monotonic() + 20
    while time.monotonic() < until and len(set(pids)) < 2:  # every request answered, by either worker
        pids.append(assert_answered(server.port)["features"]["pid"])
    assert set(pids) - {first[0]}, "the worker was not replaced"
    # It served about MAX_REQUESTS (20 plus a jitter of up to 2, less the start-up probe it also answered),
    # then took no new connection: the requests after it waited for its successor, none was lost.
    assert 18 <= pids.count(first[0]) <= 23, pids.count(first[0])
    server.wait_for_replacement(first)
    assert_answered(server.port)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_a_worker_over_its_memory_limit_is_recycled(server_factory, worker_class: str) -> None:
    server = server_factory(f"memory-{worker_class}", env={"MAX_WORKER_MEMORY": "120"}, worker_class=worker_class)
    first = server.wait_for_workers(1)
    assert rss_kib(first[0]) < 100 * 1024
    held = assert_elg_response(post(server.port, "/hold", text(megabytes=100)))
    assert held["texts"][0]["content"] == "holding 100 MB"
    replaced = server.wait_for_replacement(first)
    assert rss_kib(replaced[0]) < 100 * 1024
    assert "is over MAX_WORKER_MEMORY" in server.log()
    assert_answered(server.port)


def test_worker_restarts_are_counted_for_prometheus(server_factory, tmp_path) -> None:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    server = server_factory("restarts", "--workers", "2", env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
                                                               "MAX_REQUESTS": "10"})
    before = server.wait_for_workers(2)
    assert _no_answer(server.port, "/exit", text(status=3))
    before = server.wait_for_replacement(before)
    until = time.monotonic() + 20
    while set(before) <= set(server.workers()) and time.monotonic() < until:  # until MAX_REQUESTS recycles one
        assert_answered(server.port)
    server.wait_for_replacement(before)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    scraped = generate_latest(registry).decode()
    counts = {line.split('"')[1]: float(line.rsplit(" ", 1)[1])
              for line in scraped.splitlines() if line.startswith("elg_worker_restarts_total{")}
    assert counts["exited"] == 1.0, scraped
    assert counts["recycled"] >= 1.0, scraped  # both workers answer requests: one or more may have been recycled
    assert "timeout" not in counts, scraped
