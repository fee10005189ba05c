"""Liveness and readiness probes over real gunicorn, and readiness while the process drains."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from hardening.conftest import REPO, assert_elg_failure, get, request

from elg_decorators.settings import HEALTH_PATH, LIVE_PATH, READY_PATH

from .app_servers import serve

EXAMPLE = REPO / "examples" / "dictionary_ner.py"


def test_a_service_without_resources_is_live_and_ready_and_keeps_its_health_answer(tmp_path: Path) -> None:
    server = serve(tmp_path, "probes", EXAMPLE, workers=1)
    try:
        live = get(server.port, LIVE_PATH)
        # The same body the service worker's event loop answers with while every thread is busy.
        assert (live.status, live.content_type, live.json()) == (200, "application/json", {"alive": True})
        ready = get(server.port, READY_PATH)
        assert (ready.status, ready.json()) == (200, {"status": "ready", "resources": {}})
        health = get(server.port, HEALTH_PATH)
        assert health.status == 200
        assert health.json()["status"] == "ok"
        for path in (LIVE_PATH, READY_PATH):
            refused = request(server.port, "POST", path, b"{}", {"Content-Type": "application/json"})
            assert_elg_failure(refused, 405, "elg.request.invalid")
            assert sorted(refused.headers["allow"].split(", ")) == ["GET", "HEAD"]
    finally:
        server.stop()


DRAINING = textwrap.dedent("""
    import json
    from elg_decorators import create_app, Registry, text_service
    from elg_decorators.model import TextsResponse
    from elg_decorators.runtime.lifecycle import lifecycle

    registry = Registry()

    @text_service(registry=registry)
    def echo(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content}])

    http = create_app(registry).test_client()
    seen = [http.get("/health/ready").status_code]
    lifecycle.begin_draining()
    ready = http.get("/health/ready")
    seen += [ready.status_code, json.loads(ready.data), "Retry-After" in ready.headers]
    seen.append(http.get("/health/live").status_code)
    seen.append(http.post("/process", json={"type": "text", "content": "in flight"}).status_code)
    print(json.dumps(seen))
""")


def test_readiness_turns_503_once_the_process_drains_while_liveness_and_requests_go_on() -> None:
    # The worker sets draining when it is told to stop; here the application's half alone, in a process of
    # its own because the draining state belongs to the whole process.
    result = subprocess.run([sys.executable, "-c", DRAINING], capture_output=True, text=True, timeout=60,
                            cwd=str(REPO), env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"})
    assert result.returncode == 0, result.stderr
    before, after, failure, retry, live, post = json.loads(result.stdout)
    assert (before, after, retry, live, post) == (200, 503, False, 200, 200)
    assert failure["failure"]["errors"][0]["code"] == "elg.service.unavailable"
    assert failure["failure"]["errors"][0]["params"] == ["the service is shutting down"]
