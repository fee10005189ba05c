"""Sustained load: 10,000 mixed requests at concurrency 32 against 2 gunicorn gthread workers.

Mix (by request number modulo 10): 5 valid text, 1 valid structuredText, 1 streaming (SSE)
request, 1 malformed JSON, 1 unknown type, 1 wrong field type. Each of 32 client threads keeps
one HTTP/1.1 keep-alive connection on 127.0.0.1. Every answer must be the expected ELG message,
no connection may fail, and each worker's RSS after the run must be at most 1.1x its RSS after
a 1,000-request warm-up (same workers throughout: none was restarted).
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from elg_decorators.testing import event_messages

from .conftest import (
    HOSTILE_SERVICE,
    Server,
    free_port,
    rss_kib,
    serve_command,
    start_server,
)

CONCURRENCY = 32
REQUESTS = 10_000
WARM_UP = 1_000
TIME_LIMIT = 75.0  # seconds for the measured run; the whole test stays under ~90 s

JSON = {"Content-Type": "application/json"}
SSE = {"Content-Type": "application/json", "Accept": "text/event-stream"}

# (path, headers, body, expected status, expected top-level key or "sse")
MIX: list[tuple[str, dict[str, str], bytes, int, str]] = [
    ("/process", JSON, json.dumps({"type": "text", "content": "load test " * 20}).encode(), 200, "response"),
    ("/process", JSON, json.dumps({"type": "text", "content": "ünïcode ✓", "params": {"repeat": 3}}).encode(), 200,
     "response"),
    ("/process", JSON, json.dumps({"type": "structuredText", "texts": [{"texts": [{"content": "a"}] * 20}]}).encode(),
     200, "response"),
    ("/process", JSON, json.dumps({"type": "text", "content": "x" * 2000}).encode(), 200, "response"),
    ("/process", JSON, b'{"type": "text", "content": "trunc', 400, "failure"),
    ("/stream", SSE, json.dumps({"type": "text", "content": "stream me", "params": {"steps": 3}}).encode(), 200, "sse"),
    ("/process", JSON, json.dumps({"type": "text", "content": "b", "annotations": {"P": [{"start": 0, "end": 1}]}})
     .encode(), 200, "response"),
    ("/process", JSON, json.dumps({"type": "video", "content": "a"}).encode(), 400, "failure"),
    ("/process", JSON, json.dumps({"type": "text", "content": ["not", "a", "string"]}).encode(), 400, "failure"),
    ("/stream", JSON, json.dumps({"type": "text", "content": "collapsed"}).encode(), 200, "response"),
]


def check(status: int, content_type: str, body: bytes, expected_status: int, kind: str) -> str | None:
    """None if the answer is the expected ELG message, else what was wrong."""
    if status != expected_status:
        return f"status {status}: {body[:120]!r}"
    if kind == "sse":
        if not content_type.startswith("text/event-stream"):
            return f"content type {content_type}"
        events = event_messages(body)
        if [next(iter(event)) for event in events] != ["progress"] * 3 + ["response"]:
            return f"events {body[:200]!r}"
        return None
    if content_type != "application/json":
        return f"content type {content_type}: {body[:120]!r}"
    message = json.loads(body)
    if list(message) != [kind]:
        return f"message {body[:120]!r}"
    return None


def run_load(port: int, total: int, deadline: float) -> tuple[Counter, list[str]]:
    """Send ``total`` requests from CONCURRENCY threads; return outcome counts and problems."""
    counter = iter(range(total))
    lock = threading.Lock()
    outcomes: Counter = Counter()
    problems: list[str] = []

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            while time.monotonic() < deadline:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                path, headers, body, expected_status, kind = MIX[number % len(MIX)]
                try:
                    connection.request("POST", path, body, headers)
                    response = connection.getresponse()
                    data = response.read()
                    problem = check(response.status, response.getheader("Content-Type", ""), data,
                                    expected_status, kind)
                except (OSError, http.client.HTTPException) as exc:
                    problem = f"connection error {type(exc).__name__}: {exc}"
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                with lock:
                    outcomes["problem" if problem else "ok"] += 1
                    if problem and len(problems) < 20:
                        problems.append(problem)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"load-{i}") for i in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 30))
    assert not any(thread.is_alive() for thread in threads), "a load thread did not finish"
    return outcomes, problems


@pytest.fixture(scope="module")
def load_server(server_tmp: Path) -> Iterator[Server]:
    """``python -m elg_decorators serve``: 2 gthread workers x 4 threads, default size limit."""
    port = free_port()
    server = start_server(
        "load", serve_command(HOSTILE_SERVICE, port, "--workers", "2", "--threads", "4", "--timeout", "30"),
        port, server_tmp, drop_env=["MAX_REQUEST_SIZE"],
    )
    yield server
    server.stop()


@pytest.mark.slow
def test_sustained_mixed_load_keeps_answers_clean_and_memory_flat(load_server: Server) -> None:
    workers = load_server.wait_for_workers(2)
    outcomes, problems = run_load(load_server.port, WARM_UP, time.monotonic() + 30)
    assert outcomes == Counter(ok=WARM_UP), problems
    time.sleep(0.5)
    warm = {pid: rss_kib(pid) for pid in workers}

    started = time.monotonic()
    outcomes, problems = run_load(load_server.port, REQUESTS, started + TIME_LIMIT)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    final = {pid: rss_kib(pid) for pid in workers}

    assert outcomes == Counter(ok=REQUESTS), (outcomes, problems, f"{elapsed:.1f}s")
    assert load_server.workers() == workers, "a worker was restarted during the run"
    for pid in workers:
        assert final[pid] <= 1.1 * warm[pid], f"worker {pid}: RSS {warm[pid]} KiB after warm-up, {final[pid]} KiB after"
    print(f"\n{REQUESTS} requests in {elapsed:.1f}s ({REQUESTS / elapsed:.0f}/s); RSS KiB warm {warm} final {final}")
