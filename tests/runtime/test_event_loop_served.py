"""One event loop per served process runs the async handlers, the async resources and their clean-up.

The service (``services/async_service.py``) has an ``async def`` resource and an async generator
resource, each a pool whose queries a task on the loop that made it answers (as an HTTP client
session or a database pool does); its async handlers use both across requests, and report the
loop they ran on. Under gunicorn's two worker classes and under werkzeug's threaded server (no
gunicorn), the answers are right and name the same loop every time, the one the resources' tasks
run on; the async generator resource's clean-up runs on that loop at exit (SIGTERM).
"""
from __future__ import annotations

import json
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from hardening.conftest import (
    Server,
    assert_elg_failure,
    assert_elg_response,
    build_request,
    free_port,
    get,
    post,
    start_server,
)

from .app_servers import SERVICES, serve, stop_gracefully, text, wait_for
from .conftest import SSE_HEADERS, events

ASYNC_SERVICE = SERVICES / "async_service.py"
STEPS = 3


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def query_features(port: int, content: str = "hi") -> dict[str, Any]:
    response = assert_elg_response(post(port, "/process", text(content)), "texts")
    assert response["texts"][0]["content"] == content.upper()
    features: dict[str, Any] = response["texts"][0]["features"]
    return features


def assert_one_loop_across_requests(server: Server, worker: int, *, concurrent: bool = False) -> int:
    """Several queries (and a stream) answered on one loop, the one the resources' tasks run on; that loop's id."""
    wait_for(lambda: get(server.port, "/health/ready").status == 200, "the resources")
    if concurrent:
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda n: query_features(server.port, f"text {n}"), range(12)))
    else:
        answers = [query_features(server.port, f"text {n}") for n in range(6)]
    (loop,) = {features["loop"] for features in answers}
    assert {(features["worker"], features["pool_loop"], features["journal_loop"]) for features in answers} == {
        (worker, loop, loop)}
    assert sorted(features["served"] for features in answers) == list(range(1, len(answers) + 1))

    streamed = events(post(server.port, "/stream", text("flow", steps=STEPS), headers=SSE_HEADERS))
    assert [list(event) for event in streamed] == [["progress"]] * STEPS + [["response"]]
    final = streamed[-1]["response"]["texts"][0]
    assert (final["content"], final["features"]) == (
        "FLOW", {"worker": worker, "loop": loop, "pool_loops": [loop] * STEPS})
    return loop


def assert_cleaned_up_on(cleanup: Path, worker: int, loop: int) -> None:
    """The async generator resource's clean-up ran in ``worker`` on ``loop``, where its pool still answered."""
    (record,) = records(cleanup)
    assert record["pid"] == worker
    assert (record["created_on"], record["cleaned_on"]) == (loop, loop)
    assert record["last"] == {"text": "BYE", "served": record["last"].get("served"), "loop": loop}


@pytest.mark.parametrize("worker_class", ["default", "sync"])
def test_async_handlers_use_async_resources_on_one_loop_and_their_clean_up_runs_there_at_exit(
        tmp_path: Path, worker_class: str) -> None:
    cleanup = tmp_path / "cleanup.jsonl"
    extra = ("--worker-class", "sync") if worker_class == "sync" else ()
    server = serve(tmp_path, f"async-{worker_class}", ASYNC_SERVICE, workers=1, extra=extra,
                   env={"LOOP_CLEANUP": str(cleanup)})
    try:
        (worker,) = server.wait_for_workers(1)
        loop = assert_one_loop_across_requests(server, worker)
        assert records(cleanup) == []
        assert stop_gracefully(server) == 0
        assert_cleaned_up_on(cleanup, worker, loop)
    finally:
        server.stop()


def test_a_client_gone_mid_stream_closes_the_async_generator_on_the_loop(tmp_path: Path) -> None:
    closed = tmp_path / "closed.jsonl"
    server = serve(tmp_path, "async-gone", ASYNC_SERVICE, workers=1, env={"STREAM_CLOSED": str(closed)})
    try:
        (worker,) = server.wait_for_workers(1)
        wait_for(lambda: get(server.port, "/health/ready").status == 200, "the resources")
        loop = query_features(server.port)["loop"]
        request = build_request("POST", "/stream", text("gone", steps=200, delay=0.02),
                                {"Content-Type": "application/json", **SSE_HEADERS}, port=server.port)
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(request)
            received = b""
            while b"data:" not in received:
                chunk = sock.recv(4096)
                assert chunk, received
                received += chunk
        wait_for(lambda: bool(records(closed)), "the stream's generator closed")
        (record,) = records(closed)
        assert (record["pid"], record["loop"]) == (worker, loop)
        assert 1 <= record["steps"] < 200
        assert query_features(server.port)["loop"] == loop  # and the loop serves on
    finally:
        server.stop()


WERKZEUG_RUNNER = """\
import signal, sys
from werkzeug.serving import make_server
from elg_decorators.wsgi import load_app

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
make_server("127.0.0.1", {port}, load_app({script!r}), threaded=True).serve_forever()
"""


def test_under_werkzeugs_threaded_server_the_same_single_loop_serves_every_thread(tmp_path: Path) -> None:
    cleanup = tmp_path / "cleanup.jsonl"
    port = free_port()
    runner = tmp_path / "run_werkzeug.py"
    runner.write_text(WERKZEUG_RUNNER.format(port=port, script=str(ASYNC_SERVICE)))
    server = start_server("async-werkzeug", [sys.executable, str(runner)], port, tmp_path,
                          env={"LOOP_CLEANUP": str(cleanup)}, drop_env=["PROMETHEUS_MULTIPROC_DIR"])
    try:
        loop = assert_one_loop_across_requests(server, server.pid, concurrent=True)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        assert_cleaned_up_on(cleanup, server.pid, loop)
    finally:
        server.stop()


def test_the_sync_worker_cancels_an_async_handler_past_its_deadline(tmp_path: Path) -> None:
    cancelled = tmp_path / "cancelled.jsonl"
    server = serve(tmp_path, "async-deadline", ASYNC_SERVICE, workers=1, extra=("--worker-class", "sync"),
                   env={"SLOW_CANCELLED": str(cancelled)})
    try:
        (worker,) = server.wait_for_workers(1)
        wait_for(lambda: get(server.port, "/health/ready").status == 200, "the resources")
        loop = query_features(server.port)["loop"]
        assert_elg_failure(post(server.port, "/slow", text()), 504, "elg.service.internalError")
        wait_for(lambda: bool(records(cancelled)), "the coroutine cancelled")
        assert records(cancelled) == [{"pid": worker, "loop": loop}]
        assert query_features(server.port)["loop"] == loop
    finally:
        server.stop()
