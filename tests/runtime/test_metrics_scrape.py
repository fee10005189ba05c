"""``GET /metrics`` over ``serve`` with two gunicorn workers: after a known mix of requests, the counts
scraped are the ones sent, summed over both workers, and they survive a worker's death.

Each worker updates its metrics every FLUSH_SECONDS (a scrape updates its own worker's first), so the
scrapes are repeated until they settle, within a few seconds."""
from __future__ import annotations

import glob
import os
import signal
import threading
from collections import Counter
from pathlib import Path

from hardening.conftest import Server, assert_elg_failure, assert_elg_response, get, post, request
from prometheus_client.parser import text_string_to_metric_families

from .app_servers import ready_everywhere, serve, stop_gracefully, text, wait_for, worker_of

SSE = {"Accept": "text/event-stream"}
PROBES = {"/health", "/health/live", "/health/ready", "/metrics"}


def scrape(server: Server) -> dict[str, list[tuple[dict[str, str], float]]]:
    answer = get(server.port, "/metrics")
    assert answer.status == 200
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def requests_counted(samples: dict[str, list[tuple[dict[str, str], float]]]) -> Counter[tuple[str, str, str, str]]:
    return Counter({
        (labels["path"], labels["type"], labels["status"], labels["code"]): int(value)
        for labels, value in samples.get("elg_requests_total", []) if labels["path"] not in PROBES
    })


def value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    found = [sample_value for sample_labels, sample_value in samples.get(name, []) if sample_labels == labels]
    assert len(found) == 1, (name, labels, samples.get(name))
    return found[0]


def metrics_dirs(temporary: Path) -> set[str]:
    return set(glob.glob(os.path.join(temporary, "elg-metrics-*")))


def test_counts_after_a_known_mix_equal_what_was_sent_over_two_workers(tmp_path: Path) -> None:
    # The server's temporary directory is the test's own, so that the metrics folder serve() makes
    # there is this server's, whatever other servers run meanwhile.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = serve(tmp_path, "metrics", workers=2, env={"TMPDIR": str(temporary)})
    try:
        workers = server.wait_for_workers(2)
        wait_for(lambda: ready_everywhere(server), "both workers ready")
        (metrics_dir,) = metrics_dirs(temporary)
        sent: Counter[tuple[str, str, str, str]] = Counter()
        seen_workers = set()
        while seen_workers != set(workers) or sent[("/plain", "text", "200", "")] < 10:
            answer = post(server.port, "/plain", text())
            assert_elg_response(answer)
            seen_workers.add(worker_of(answer))
            sent[("/plain", "text", "200", "")] += 1
        for _ in range(3):
            assert_elg_failure(post(server.port, "/plain", b'{"type": "text", "content": '), 400)
            sent[("/plain", "-", "400", "elg.request.invalid")] += 1
        for index in range(2):
            assert_elg_failure(request(server.port, "GET", f"/nowhere/{index}"), 404)
            sent[("<unmatched>", "-", "404", "elg.service.not.found")] += 1
        assert_elg_failure(request(server.port, "GET", "/plain"), 405)
        sent[("/plain", "-", "405", "elg.request.invalid")] += 1
        for source, target in (("en", "de"), ("fr", "it"), ("es", "pt"), ("en", "de")):
            assert_elg_response(post(server.port, f"/translate/{source}/{target}", text()))
            sent[("/translate/<src>/<tgt>", "text", "200", "")] += 1
        for _ in range(2):
            assert_elg_response(post(server.port, "/process", text()))
            sent[("/process", "text", "200", "")] += 1
        assert_elg_failure(post(server.port, "/boom", text()), 500)
        sent[("/boom", "text", "500", "elg.service.internalError")] += 1
        assert post(server.port, "/stream", text(steps=3), headers=SSE).body.count(b"data:") == 4
        sent[("/stream", "text", "200", "")] += 1

        wait_for(lambda: requests_counted(scrape(server)) == sent, "the counts of both workers", timeout=10)
        # Nothing in progress but the scrape itself (a worker's gauge is as of its last update: it may have
        # counted an earlier scrape, hence the repetition).
        wait_for(lambda: value(scrape(server), "elg_requests_in_progress") == 1, "nothing but the scrape in progress")
        samples = scrape(server)
        assert requests_counted(samples) == sent
        for path, kind in {(path, kind) for path, kind, _, _ in sent}:
            expected = sum(count for key, count in sent.items() if key[:2] == (path, kind))
            assert value(samples, "elg_request_duration_seconds_count", path=path, type=kind) == expected
        assert value(samples, "elg_resource_creation_seconds_count", resource="slow_model") == 2  # once per worker
        assert value(samples, "elg_resource_creation_seconds_count", resource="shared_table") == 1  # in the master
        assert sum(count for _, count in samples.get("elg_worker_restarts_total", [])) == 0

        # A request in flight is counted in progress, then the way it ended.
        slow = threading.Thread(target=lambda: post(server.port, "/slow", text(seconds=2.0)))
        slow.start()
        wait_for(lambda: value(scrape(server), "elg_requests_in_progress") == 2, "the slow request in progress")
        slow.join()
        sent[("/slow", "text", "200", "")] += 1
        wait_for(lambda: requests_counted(scrape(server)) == sent, "the slow request counted", timeout=10)

        # A worker killed: its counts stay in the sums, its replacement is a restart that creates the resource again.
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        replaced = server.wait_for_replacement(workers)
        wait_for(lambda: ready_everywhere(server), "the replacement ready")
        wait_for(lambda: value(scrape(server), "elg_requests_in_progress") == 1, "the replacement's gauge")
        samples = scrape(server)
        assert requests_counted(samples) == sent
        assert value(samples, "elg_worker_restarts_total", reason="exited") == 1
        assert value(samples, "elg_resource_creation_seconds_count", resource="slow_model") == 3
        assert victim not in replaced

        assert stop_gracefully(server) == 0
        assert not os.path.exists(metrics_dir)  # the directory serve() made is removed with the master
    finally:
        server.stop()
