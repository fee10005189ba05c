"""Overload, slow and idle clients: none of them costs a thread, and each gets a quick ELG answer."""
from __future__ import annotations

import http.client
import json
import threading
import time

from .conftest import (
    assert_answered,
    assert_elg_failure,
    connect,
    post,
    read_response,
    text,
    timed,
)
from hardening.conftest import get, rss_kib

#: The issue's "within one second", with a margin for a busy machine.
PROMPT = 1.0 + 0.5


def test_overload_is_refused_at_once_and_liveness_still_answers(server_factory) -> None:
    server = server_factory("overload", "--threads", "1", env={"MAX_QUEUE": "1", "REQUEST_TIMEOUT": "30"})
    slow = [threading.Thread(target=post, args=(server.port, "/sleep", text(seconds=3))) for _ in range(2)]
    for thread in slow:  # one runs, one waits in the queue
        thread.start()
        time.sleep(0.3)
    refused, took = timed(lambda: post(server.port, "/process", text()))
    failure = assert_elg_failure(refused, 503, "elg.service.internalError")
    assert refused.headers["retry-after"] == "1"
    assert failure["errors"][0]["detail"] == {"reason": "overloaded", "retryAfter": 1}
    assert took < PROMPT, took
    live, took = timed(lambda: get(server.port, "/health/live"))
    assert live.status == 200 and live.json() == {"alive": True}
    assert took < PROMPT, took
    for thread in slow:
        thread.join()
    assert_answered(server.port)


def test_idle_and_slow_connections_do_not_delay_a_valid_request(server_factory) -> None:
    server = server_factory("slow-clients", env={"READ_TIMEOUT": "30"})
    baseline, baseline_took = timed(lambda: post(server.port, "/process", text()))
    assert baseline.status == 200
    idle = [connect(server.port) for _ in range(12)]
    slow_head = [connect(server.port) for _ in range(10)]
    slow_body = [connect(server.port) for _ in range(10)]
    try:
        for sock in slow_head:
            sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\n")
        for sock in slow_body:
            sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"type\":")
        time.sleep(0.5)
        for _ in range(3):
            for sock in slow_head + slow_body:
                sock.sendall(b"X")
            answer, took = timed(lambda: post(server.port, "/process", text()))
            assert answer.status == 200
            assert took < PROMPT, (took, baseline_took)
    finally:
        for sock in idle + slow_head + slow_body:
            sock.close()
    assert_answered(server.port)


def test_a_client_too_slow_to_send_its_request_gets_408(server_factory) -> None:
    server = server_factory("read-timeout", env={"READ_TIMEOUT": "1"})
    for partial in (b"POST /process HTTP/1.1\r\nHost: x\r\n",
                    b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\""):
        with connect(server.port) as sock:
            sock.sendall(partial)
            (head, body), took = timed(lambda: read_response(sock))
        assert head.startswith(b"HTTP/1.1 408 "), head
        assert b"Connection: close" in head
        assert body.startswith(b'{"failure":{"errors":[{"code":"elg.request.invalid"'), body
        assert b"the request was not received within 1 seconds" in body
        assert 1.0 <= took < 1.0 + PROMPT, took
        assert_answered(server.port)


def test_an_idle_new_connection_is_closed_without_an_answer(server_factory) -> None:
    server = server_factory("idle-close", env={"READ_TIMEOUT": "1"})
    with connect(server.port) as sock:
        (head, body), took = timed(lambda: read_response(sock))
    assert head == b"" and body == b""
    assert took < 1.0 + PROMPT
    assert_answered(server.port)


def test_kept_alive_connections_serve_request_after_request(server_factory) -> None:
    server = server_factory("keepalive")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for index in range(20):
            connection.request("POST", "/process", text("x" * index), {"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            assert response.getheader("Connection") == "keep-alive"
            assert json.loads(response.read())["response"]["features"]["length"] == index
    finally:
        connection.close()


def test_pipelined_requests_are_answered_in_order(server_factory) -> None:
    server = server_factory("pipelined")
    request = b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
    bodies = [text("a" * n) for n in (1, 2, 3)]
    data = b"".join(request % (b"Connection: close\r\n" if n == 3 else b"", len(body), body)
                    for n, body in enumerate(bodies, 1))
    with connect(server.port) as sock:
        sock.sendall(data)
        head, rest = read_response(sock)
    everything = head + b"\r\n\r\n" + rest
    assert everything.count(b"HTTP/1.1 200 OK") == 3
    assert everything.index(b'"length":1') < everything.index(b'"length":2') < everything.index(b'"length":3')


def test_an_announced_body_costs_no_memory_until_it_arrives(server_factory) -> None:
    server = server_factory("announced", env={"READ_TIMEOUT": "30"})
    worker = server.wait_for_workers(1)[0]
    assert_answered(server.port)
    before = rss_kib(worker)
    sockets = [connect(server.port) for _ in range(20)]
    try:
        for sock in sockets:  # 20 x 50 MB announced, a few bytes sent
            sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 50000000\r\n\r\n{\"type\":")
        time.sleep(0.5)
        assert_answered(server.port)
        assert rss_kib(worker) - before < 20 * 1024, (before, rss_kib(worker))
    finally:
        for sock in sockets:
            sock.close()


def test_a_body_over_the_size_limit_is_refused_before_it_is_sent(server_factory) -> None:
    server = server_factory("too-large", env={"MAX_REQUEST_SIZE": "1000"})
    with connect(server.port) as sock:
        sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        (head, body), took = timed(lambda: read_response(sock))
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert json.loads(body)["failure"]["errors"][0]["code"] == "elg.request.too.large"
    assert took < PROMPT
    assert_answered(server.port)


def test_expect_100_continue_is_answered_before_the_body(server_factory) -> None:
    server = server_factory("continue")
    body = text("sent after 100")
    with connect(server.port) as sock:
        sock.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
        interim = sock.recv(4096)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        head, answer = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(answer)["response"]["features"]["length"] == len("sent after 100")
