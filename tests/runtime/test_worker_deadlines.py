"""Deadlines (REQUEST_TIMEOUT) in both documented worker classes, streams included."""
from __future__ import annotations

import time

import pytest

from .conftest import (
    SSE_HEADERS,
    WORKER_CLASSES,
    assert_answered,
    assert_elg_failure,
    connect,
    events,
    post,
    text,
    timed,
)

DEADLINE = 2
#: The issue's bound (an answer within one second of the deadline), with a margin for a busy machine.
LATE = 1.0 + 1.0


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
@pytest.mark.parametrize("path", ["/sleep", "/spin"])
def test_request_past_its_deadline_gets_504_naming_it(server_factory, worker_class: str, path: str) -> None:
    server = server_factory(f"deadline-{worker_class}", env={"REQUEST_TIMEOUT": str(DEADLINE)},
                            worker_class=worker_class)
    response, took = timed(lambda: post(server.port, path, text(seconds=20)))
    failure = assert_elg_failure(response, 504, "elg.service.internalError")
    assert failure["errors"][0]["params"] == [f"no answer within the request's deadline of {DEADLINE} seconds"]
    assert failure["errors"][0]["detail"] == {"reason": "deadline passed", "deadline": DEADLINE}
    assert response.closed
    assert DEADLINE <= took < DEADLINE + LATE, took
    assert_answered(server.port)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_stream_past_its_deadline_ends_with_one_failure_event(server_factory, worker_class: str) -> None:
    server = server_factory(f"stream-deadline-{worker_class}", env={"REQUEST_TIMEOUT": str(DEADLINE)},
                            worker_class=worker_class)
    response, took = timed(lambda: post(server.port, "/stream", text(steps=100, interval=0.1),
                                        headers=SSE_HEADERS))
    assert response.status == 200
    messages = events(response)
    assert len(messages) > 5
    assert all(list(message) == ["progress"] for message in messages[:-1]), messages[-3:]
    final = messages[-1]
    assert list(final) == ["failure"], final
    assert final["failure"]["errors"][0]["detail"] == {"reason": "deadline passed", "deadline": DEADLINE}
    assert DEADLINE <= took < DEADLINE + LATE, took
    assert_answered(server.port)


def test_requests_within_the_deadline_are_answered_whole(server_factory) -> None:
    server = server_factory("deadline-ok", env={"REQUEST_TIMEOUT": str(DEADLINE)})
    response = post(server.port, "/sleep", text(seconds=0.5))
    assert response.status == 200 and response.json()["response"]["texts"][0]["content"] == "slept 0.5"
    messages = events(post(server.port, "/stream", text(steps=3, interval=0.1), headers=SSE_HEADERS))
    assert [list(message) for message in messages] == [["progress"]] * 3 + [["response"]]


def test_stuck_threads_are_replaced_and_then_the_worker(server_factory) -> None:
    """Two threads, both left stuck in handlers that ignore their deadline: each time a thread takes
    the stuck one's place at once, and once both are stuck the worker is replaced; every valid
    request meanwhile is answered."""
    server = server_factory("stuck", "--threads", "2", env={"REQUEST_TIMEOUT": "1"})
    first = server.wait_for_workers(1)
    for _ in range(2):
        assert_elg_failure(post(server.port, "/sleep", text(seconds=60)), 504)
        for _ in range(3):
            assert_answered(server.port)
    replaced = server.wait_for_replacement(first)
    assert replaced != first
    for _ in range(5):
        assert assert_answered(server.port)["features"]["pid"] == replaced[0]
    assert "threads are stuck in handlers past their deadline" in server.log()


def test_a_stream_whose_client_went_away_is_closed_at_its_next_event(server_factory, tmp_path) -> None:
    """The generator learns at its next write that nobody reads: it is closed there (its ``finally``
    runs), and its thread serves the next request; nothing interrupts it in between."""
    server = server_factory("gone", "--threads", "1", env={"REQUEST_TIMEOUT": "60"})
    marker = tmp_path / "closed"
    body = text(marker=str(marker), seconds=30, every=0.3)
    with connect(server.port) as sock:
        sock.sendall(b"POST /busy-stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Accept: text/event-stream\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        received = b""
        while b"data:" not in received:
            received += sock.recv(4096)
    _wait_for(marker, 10.0)
    assert marker.exists(), "the generator was not closed"
    assert_answered(server.port)  # the only thread is free again
    assert "Traceback" not in server.log()


def _wait_for(path, timeout: float) -> None:
    until = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < until:
        time.sleep(0.05)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_a_request_may_outlast_the_worker_timeout_within_its_deadline(server_factory, worker_class: str) -> None:
    """TIMEOUT is how long a worker may go silent, not how long a request may take."""
    server = server_factory(f"long-{worker_class}", "--timeout", "2", env={"REQUEST_TIMEOUT": "20"},
                            worker_class=worker_class)
    workers = server.wait_for_workers(1)
    response = post(server.port, "/spin", text(seconds=4))
    assert response.status == 200, response.body[:300]
    assert server.workers() == workers
    assert_answered(server.port)
