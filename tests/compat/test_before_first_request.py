"""``app.before_first_request`` on the apps elg_decorators creates: once per worker, before its first request."""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from elg_decorators import FlaskService, text_service
from elg_decorators.model import TextsResponse
from elg_decorators.registry.registry import Registry
from elg_decorators.registry.service import create_app
from hardening.conftest import post


def test_runs_once_in_each_worker_before_its_first_request(our_services, tmp_path):
    loads = tmp_path / "loads.txt"
    server = our_services.ours("model_loader.py", env={"LOADER_EVENTS": str(loads)}, workers=2, threads=4)
    body = json.dumps({"type": "text", "content": "hi"}).encode()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: post(server.port, "/process", body), range(40)))
    assert {(answer.status, answer.body) for answer in answers} == {
        (200, b'{"response":{"type":"texts","texts":[{"content":"tiny:hi"}]}}')
    }
    pids = Counter(loads.read_text().split())
    assert pids and set(pids.values()) == {1}
    assert set(pids) <= {str(pid) for pid in server.workers()}


def test_a_failing_function_is_an_elg_failure_and_runs_again_on_the_next_request():
    class Echo(FlaskService):
        def process_text(self, request):
            return TextsResponse(texts=[{"content": request.content}])

    app = Echo("echo").app
    attempts = []

    @app.before_first_request
    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the model file is not there yet")

    client = app.test_client()
    first = client.post("/process", json={"type": "text", "content": "a"})
    assert (first.status_code, first.content_type) == (500, "application/json")
    assert first.get_json() == {"failure": {"errors": [{
        "code": "elg.service.internalError", "params": ["the model file is not there yet"],
        "text": "Internal error during processing: {0}", "detail": {}}]}}
    second = client.post("/process", json={"type": "text", "content": "b"})
    assert second.get_json() == {"response": {"type": "texts", "texts": [{"content": "b"}]}}
    client.post("/process", json={"type": "text", "content": "c"})
    assert len(attempts) == 2


def test_decorated_services_have_it_too():
    registry = Registry("decorated")

    @text_service(registry=registry)
    def echo(content: str) -> TextsResponse:
        return [content + state["suffix"]]

    state = {}
    app = create_app(registry)
    app.before_first_request(lambda: state.update(suffix="!"))
    answer = app.test_client().post("/process", json={"type": "text", "content": "x"})
    assert answer.get_json() == {"response": {"type": "texts", "texts": [{"content": "x!"}]}}
