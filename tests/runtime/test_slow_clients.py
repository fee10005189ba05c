"""Slow, idle and waiting clients get the same treatment from both worker classes.

A client that starts a request and stalls is answered 408 once ``READ_TIMEOUT`` passed, and the
worker goes on serving: the sync worker used to wait on it until the master killed the worker
for silence (``TIMEOUT``, shorter than the read timeout here) and to answer 500.
"""
from __future__ import annotations

import json

import pytest

from .conftest import WORKER_CLASSES, assert_answered, connect, read_response, text, timed

READ_TIMEOUT = 5
#: Shorter than the read timeout: a worker that waits on a client without a heartbeat is killed first.
TIMEOUT = 3

PARTIAL = {
    "half a head": b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Ty",
    "half a body": b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 100\r\n\r\n{\"type\"",
    "half a chunked body": b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n64\r\n{\"type\"",
}


@pytest.mark.parametrize("partial", list(PARTIAL))
@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_a_stalled_client_gets_408_and_the_worker_lives_on(server_factory, worker_class: str, partial: str) -> None:
    server = server_factory(f"stalled-{worker_class}", worker_class=worker_class,
                            env={"READ_TIMEOUT": str(READ_TIMEOUT), "TIMEOUT": str(TIMEOUT)})
    workers = server.wait_for_workers(1)
    with connect(server.port) as sock:
        sock.sendall(PARTIAL[partial])
        (head, body), took = timed(lambda: read_response(sock))
    assert head.startswith(b"HTTP/1.1 408 "), (head, body[:300])
    assert b"Connection: close" in head
    failure = json.loads(body)["failure"]["errors"][0]
    assert failure["code"] == "elg.request.invalid"
    assert failure["detail"] == {"reason": f"the request was not received within {READ_TIMEOUT} seconds",
                                 "timeout": READ_TIMEOUT}
    assert took >= READ_TIMEOUT - 0.5, took
    assert server.workers() == workers
    assert "WORKER TIMEOUT" not in server.log()
    assert_answered(server.port)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_an_idle_new_connection_is_closed_without_an_answer(server_factory, worker_class: str) -> None:
    server = server_factory(f"idle-{worker_class}", worker_class=worker_class, env={"READ_TIMEOUT": "1"})
    with connect(server.port) as sock:
        head, body = read_response(sock)
    assert head == b"" and body == b""
    assert_answered(server.port)


@pytest.mark.parametrize("worker_class", WORKER_CLASSES)
def test_expect_100_continue_is_answered_before_the_body(server_factory, worker_class: str) -> None:
    server = server_factory(f"continue-{worker_class}", worker_class=worker_class)
    body = text("sent after 100")
    with connect(server.port) as sock:
        sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        head, answer = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(answer)["response"]["features"]["length"] == len("sent after 100")
