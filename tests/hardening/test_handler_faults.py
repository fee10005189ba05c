"""Handlers that fail: exceptions, broken streams, garbage results, hangs and dying workers.

Exceptions, broken streams and garbage run on the main server (2 gthread workers, via
``python -m elg_decorators serve``); the hang and the worker death run on plain
``gunicorn "elg_decorators.wsgi:load_app(...)"`` with 2 sync workers and ``--timeout 2``.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from elg_decorators.testing import event_messages

from .conftest import (
    HOSTILE_SERVICE,
    ConnectionClosed,
    RawResponse,
    Server,
    assert_elg_failure,
    assert_elg_response,
    assert_serving,
    free_port,
    post,
    serve_command,
    start_server,
)

SSE = {"Accept": "text/event-stream"}


def text(content: str = "abc", **params: Any) -> bytes:
    body: dict[str, Any] = {"type": "text", "content": content}
    if params:
        body["params"] = params
    return json.dumps(body).encode()


def events(response: RawResponse) -> list[dict[str, Any]]:
    """The JSON messages of a server-sent event stream, checking the wire format on the way."""
    assert response.status == 200, response.body[:300]
    assert response.content_type.startswith("text/event-stream"), response.content_type
    return event_messages(response.body)


def test_exception_is_a_500_internal_error(main_server: Server) -> None:
    failure = assert_elg_failure(post(main_server.port, "/boom", text("über")), 500, "elg.service.internalError")
    assert failure["errors"][0]["params"] == ["kaboom: über"]
    assert "Traceback" not in json.dumps(failure)
    assert_serving(main_server.port)


def test_hide_exception_text_keeps_the_exception_in_the_log_and_out_of_the_answers(tmp_path: Path) -> None:
    port = free_port()
    server = start_server("hidden", serve_command(HOSTILE_SERVICE, port, "--log-level", "INFO"), port, tmp_path,
                          env={"HIDE_EXCEPTION_TEXT": "1"})
    try:
        answered = post(port, "/boom", text("secret-token-42"))
        streamed = events(post(port, "/stream", text("x", steps=2, fail_at=1), headers=SSE))
        collapsed = post(port, "/stream", text("x", steps=2, fail_at=1))
    finally:
        server.stop()
    hidden = {"code": "elg.service.internalError", "params": ["the service's log has the details"],
              "text": "Internal error during processing: {0}", "detail": {}}
    assert assert_elg_failure(answered, 500, "elg.service.internalError")["errors"] == [hidden]
    assert streamed[-1] == {"failure": {"errors": [hidden]}}
    assert assert_elg_failure(collapsed, 500, "elg.service.internalError")["errors"] == [hidden]
    assert "secret-token-42" not in answered.body.decode()
    log = server.log()
    assert "RuntimeError: kaboom: secret-token-42" in log and "RuntimeError: stream broke at step 1" in log


def test_exception_mid_stream_with_sse_is_a_terminal_failure_event(main_server: Server) -> None:
    messages = events(post(main_server.port, "/stream", text(steps=4, fail_at=2), headers=SSE))
    assert [list(message) for message in messages] == [["progress"], ["progress"], ["failure"]]
    assert [message["progress"]["percent"] for message in messages[:2]] == [0.0, 25.0]
    error = messages[-1]["failure"]["errors"][0]
    assert error["code"] == "elg.service.internalError"
    assert error["params"] == ["stream broke at step 2"]
    assert_serving(main_server.port)


def test_exception_before_the_first_event_is_a_single_failure_event(main_server: Server) -> None:
    messages = events(post(main_server.port, "/stream", text(steps=3, fail_at=0), headers=SSE))
    assert [list(message) for message in messages] == [["failure"]]


def test_exception_mid_stream_without_sse_is_a_plain_json_500(main_server: Server) -> None:
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "text/event-stream;q=0"}):
        response = post(main_server.port, "/stream", text(steps=4, fail_at=2), headers=accept)
        failure = assert_elg_failure(response, 500, "elg.service.internalError")
        assert failure["errors"][0]["params"] == ["stream broke at step 2"]
    assert_serving(main_server.port)


def test_a_good_stream_ends_with_its_response(main_server: Server) -> None:
    messages = events(post(main_server.port, "/stream", text("abc", steps=2), headers=SSE))
    assert [list(message) for message in messages] == [["progress"], ["progress"], ["response"]]
    assert messages[-1]["response"] == {"type": "texts", "texts": [{"content": "ABC"}]}
    assert assert_elg_response(post(main_server.port, "/stream", text("abc")), "texts")["texts"] == [{"content": "ABC"}]


def test_garbage_return_value_is_a_500_response_invalid(main_server: Server) -> None:
    failure = assert_elg_failure(post(main_server.port, "/garbage", text()), 500, "elg.response.invalid")
    assert "object" in failure["errors"][0]["detail"]["reason"]
    assert_serving(main_server.port)


def test_hung_handler_worker_is_replaced(sync_server: Server) -> None:
    """A handler sleeping past ``--timeout 2`` gets its sync worker killed and replaced.

    Observed (gunicorn 27 sync worker): the arbiter sends SIGABRT, gunicorn's handler raises
    SystemExit inside the sleeping handler, the framework lets it through (it catches
    Exception only) and gunicorn's ``handle_error`` catches it as a BaseException and writes
    its own ``500 text/html`` "Internal Server Error" page to the hung request's client.
    The worker is replaced and later requests succeed; but that HTML page breaks the
    "no HTML error page ever leaves the service" rule, so the last assertion fails.
    """
    before = sync_server.wait_for_workers(2)
    started = time.monotonic()
    try:
        response = post(sync_server.port, "/hang", text(seconds=30), timeout=25)
    except ConnectionClosed:
        response = None
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"the hung request took {elapsed:.1f}s to end; the 2 s worker timeout did not act"
    after = sync_server.wait_for_replacement(before)
    assert len(set(before) - set(after)) == 1, (before, after)
    for _ in range(10):
        assert_serving(sync_server.port)
    if response is not None:  # a closed connection is acceptable; a response must be an ELG 5xx failure
        assert response.status >= 500, response.body[:300]
        assert_elg_failure(response, response.status, "elg.service.internalError")


def test_worker_that_dies_is_replaced_while_the_other_serves(sync_server: Server) -> None:
    """``os._exit(1)`` in a handler kills one worker; requests on the other keep succeeding."""
    before = sync_server.wait_for_workers(2)
    results: list[str] = []
    stop = threading.Event()

    def steady_client() -> None:
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline and len(results) < 200:
            try:
                response = post(sync_server.port, "/process", text("steady"), timeout=10)
                results.append("ok" if response.status == 200 and b'"response"' in response.body else
                               f"{response.status} {response.body[:100]!r}")
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and asserted on below
                results.append(f"error {type(exc).__name__}: {exc}")
            time.sleep(0.01)

    client = threading.Thread(target=steady_client)
    client.start()
    try:
        time.sleep(0.3)
        with pytest.raises(ConnectionClosed):
            post(sync_server.port, "/die", text(), timeout=10)
        after = sync_server.wait_for_replacement(before)
        time.sleep(0.5)
    finally:
        stop.set()
        client.join(timeout=30)
    assert not client.is_alive()
    assert len(set(before) - set(after)) == 1, (before, after)
    assert len(results) >= 10 and set(results) == {"ok"}, [r for r in results if r != "ok"][:5]
    for _ in range(10):
        assert_serving(sync_server.port)
