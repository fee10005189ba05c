"""Resources under real gunicorn: created once per worker in the background, shared ones before the fork.

The service (``services/app_runtime_service.py``) has a per-worker resource ``slow_model`` that
waits for a gate file, and a shared resource ``shared_table``; ``tag`` on /process takes both,
``plain`` on /plain takes none.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from hardening.conftest import (
    assert_elg_failure,
    assert_elg_response,
    free_port,
    get,
    gunicorn_command,
    post,
    start_server,
)

from .app_servers import (
    APP_SERVICE,
    CLASSIC_SERVICE,
    ready_everywhere,
    serve,
    stop_gracefully,
    teardown_lines,
    text,
    wait_for,
    worker_of,
)


def test_workers_answer_while_their_resource_is_created_then_use_one_copy_each(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    teardowns = tmp_path / "teardowns"
    server = serve(tmp_path, "gated", env={"RESOURCE_GATE": str(gate), "TEARDOWN_LOG": str(teardowns)})
    try:
        workers = server.wait_for_workers(2)
        # While slow_model is being created: alive, not ready, /process refused with Retry-After, /plain served.
        for _ in range(6):
            assert get(server.port, "/health/live").status == 200
            not_ready = get(server.port, "/health/ready")
            failure = assert_elg_failure(not_ready, 503, "elg.service.unavailable")
            assert failure["errors"][0]["params"] == ["resource 'slow_model' is still being created"]
            assert failure["errors"][0]["detail"] == {"resources": {"shared_table": "ready", "slow_model": "creating"}}
            refused = post(server.port, "/process", text())
            assert_elg_failure(refused, 503, "elg.service.unavailable")
            assert refused.headers["retry-after"] == "5"
            assert assert_elg_response(post(server.port, "/plain", text("still served")))["texts"][0]["content"] \
                == "still served"
        assert get(server.port, "/health").status == 200

        gate.touch()
        wait_for(lambda: ready_everywhere(server), "both workers ready")
        assert get(server.port, "/health/ready").json() == {
            "status": "ready", "resources": {"shared_table": "ready", "slow_model": "ready"}}
        seen = {}
        for _ in range(40):
            answer = post(server.port, "/process", text())
            features = assert_elg_response(answer)["texts"][0]["features"]
            seen[features["worker"]] = features
        assert set(seen) <= set(workers)
        for worker, features in seen.items():
            assert features["model_pid"] == worker  # created in the worker itself
            assert features["table_pid"] == server.pid  # created once, in the master, before the fork
        assert server.workers() == workers  # nothing restarted

        assert stop_gracefully(server) == 0
        lines = teardown_lines(teardowns)
        assert sorted(lines) == sorted([(pid, "slow_model") for pid in workers] + [(server.pid, "shared_table")])
    finally:
        server.stop()


def test_a_resource_that_fails_keeps_the_worker_alive_and_not_ready_naming_the_error(tmp_path: Path) -> None:
    server = serve(tmp_path, "failing", env={"RESOURCE_FAIL": "1"})
    try:
        workers = server.wait_for_workers(2)
        wait_for(lambda: "could not be created" in get(server.port, "/health/ready").body.decode(), "the failure")
        for _ in range(6):
            failure = assert_elg_failure(get(server.port, "/health/ready"), 503, "elg.service.unavailable")
            reason = "resource 'slow_model' could not be created: RuntimeError: model file missing: tagger.bin"
            assert failure["errors"][0]["params"] == [reason]
            refused = post(server.port, "/process", text())
            assert assert_elg_failure(refused, 503, "elg.service.unavailable")["errors"][0]["params"] == [reason]
            assert "retry-after" not in refused.headers  # trying again will not help
            assert get(server.port, "/health/live").status == 200
        time.sleep(2)
        assert server.workers() == workers  # no crash loop
        assert server.process.poll() is None
        log = server.log()
        assert "resource 'slow_model' could not be created" in log
        assert "RuntimeError: model file missing: tagger.bin" in log
        assert log.count("could not be created (slow_model in ") == 2  # once per worker, naming the function
    finally:
        server.stop()


def test_classic_service_setup_runs_once_per_worker_before_ready_and_shutdown_at_exit(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    record = tmp_path / "record"
    server = serve(tmp_path, "classic", CLASSIC_SERVICE, env={"RESOURCE_GATE": str(gate), "TEARDOWN_LOG": str(record)})
    try:
        workers = server.wait_for_workers(2)
        failure = assert_elg_failure(get(server.port, "/health/ready"), 503, "elg.service.unavailable")
        assert failure["errors"][0]["params"] == ["resource 'Loaded.setup' is still being created"]
        refused = post(server.port, "/process", text())
        assert_elg_failure(refused, 503, "elg.service.unavailable")
        assert refused.headers["retry-after"] == "5"
        assert get(server.port, "/health/live").status == 200

        gate.touch()
        wait_for(lambda: ready_everywhere(server), "both workers ready")
        for _ in range(10):
            response = assert_elg_response(post(server.port, "/process", text()))
            assert response["texts"][0]["features"]["model_pid"] in workers
        assert stop_gracefully(server) == 0
        lines = teardown_lines(record)
        assert sorted(lines) == sorted([(pid, "setup") for pid in workers] + [(pid, "shutdown") for pid in workers])
        for pid in workers:
            assert lines.index((pid, "setup")) < lines.index((pid, "shutdown"))
    finally:
        server.stop()


@pytest.mark.parametrize("preload", [False, True], ids=["per-worker load", "--preload"])
def test_plain_gunicorn_sync_workers_start_their_resources_on_their_first_request(tmp_path: Path,
                                                                                  preload: bool) -> None:
    port = free_port()
    options = ["--workers", "1", "--worker-class", "sync"] + (["--preload"] if preload else [])
    server = start_server(
        "plain-gunicorn",
        gunicorn_command(f"elg_decorators.wsgi:load_app({str(APP_SERVICE)!r})", port, *options),
        port, tmp_path, drop_env=["PROMETHEUS_MULTIPROC_DIR", "RESOURCE_GATE", "RESOURCE_FAIL"],
    )
    try:
        wait_for(lambda: get(server.port, "/health/ready").status == 200, "ready")
        features = assert_elg_response(post(server.port, "/process", text()))["texts"][0]["features"]
        (worker,) = server.workers()
        assert features["model_pid"] == worker
        # With --preload the app (and the shared table) is made in the master; without, in each worker.
        assert features["table_pid"] == (server.pid if preload else worker)
        assert worker_of(post(server.port, "/plain", text())) == worker
    finally:
        server.stop()

