"""QuartService with the elg package's API, served by elg_decorators' own WSGI stack."""
from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from elg_decorators import QuartService, Registry, create_app, text_service
from elg_decorators.model import Progress, TextsResponse
from elg_decorators.quart_service import ProcessingError
from hardening.conftest import free_port, get, post

from .conftest import launch


def test_setup_and_shutdown_run_once_per_worker_and_share_the_loop_with_requests(our_services, tmp_path):
    events = tmp_path / "events.txt"
    server = our_services.ours("quart_adapter.py", env={"ADAPTER_EVENTS": str(events)}, workers=2, threads=4)
    body = json.dumps({"type": "text", "content": "one two"}).encode()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: post(server.port, "/process", body), range(40)))
    assert {(answer.status, answer.body) for answer in answers} == {
        (200, b'{"response":{"type":"texts","texts":[{"role":"segment","content":"ONE"},'
              b'{"role":"segment","content":"TWO"}]}}')
    }
    workers = server.workers()
    server.stop()
    recorded = Counter(tuple(line.split()) for line in events.read_text().splitlines())
    setups = {pid for (event, pid) in recorded if event == "setup"}
    assert setups and setups <= {str(pid) for pid in workers}
    assert recorded == Counter({**{("setup", pid): 1 for pid in setups}, **{("shutdown", pid): 1 for pid in setups}})


def test_health_answers_as_the_reference_does(our_services):
    server = our_services.ours("quart_adapter.py")
    health = get(server.port, "/health")
    assert (health.status, health.json()) == (200, {"alive": True})


def test_the_app_runs_under_another_wsgi_server(tmp_path, our_services):
    # wsgiref's reference server from the standard library: one thread, no gunicorn.
    our_services._copy("quart_adapter.py", "ours")
    port = free_port()
    runner = tmp_path / "ours" / "run_wsgiref.py"
    runner.write_text(
        "from wsgiref.simple_server import make_server\n"
        "import quart_adapter\n"
        f"make_server('127.0.0.1', {port}, quart_adapter.app).serve_forever()\n"
    )
    server = launch("wsgiref", [sys.executable, str(runner)], port, tmp_path / "ours", tmp_path)
    try:
        answer = post(port, "/process", json.dumps({"type": "text", "content": "fail"}).encode())
        assert answer.status == 500
        assert answer.json()["failure"]["errors"][0]["params"] == ["Error calling API"]
        answer = post(port, "/process", json.dumps({"type": "text", "content": "x"}).encode())
        assert (answer.status, answer.json()) == (
            200, {"response": {"type": "texts", "texts": [{"role": "segment", "content": "X"}]}})
    finally:
        server.stop()


class Translator(QuartService):
    async def process_text(self, request):
        await asyncio.sleep(0)
        if request.content == "stream":
            return self.steps()
        return TextsResponse(texts=[{"content": f"{self.url_param('src')}>{self.url_param('tgt')}:{request.content}"}])

    async def steps(self):
        yield Progress(percent=50)
        await asyncio.sleep(0)
        yield TextsResponse(texts=[{"content": "done"}])


def test_url_params_and_async_streams_in_coroutines():
    client = Translator("t", path="/translate/<src>/<tgt>").app.test_client()
    answer = client.post("/translate/en/fi", json={"type": "text", "content": "cat"})
    assert answer.get_json() == {"response": {"type": "texts", "texts": [{"content": "en>fi:cat"}]}}
    events = client.post("/translate/en/fi", json={"type": "text", "content": "stream"},
                         headers={"Accept": "text/event-stream"})
    assert events.data == (b'data:{"progress":{"percent":50.0}}\r\n\r\n'
                           b'data:{"response":{"type":"texts","texts":[{"content":"done"}]}}\r\n\r\n')
    collapsed = client.post("/translate/en/fi", json={"type": "text", "content": "stream"})
    assert collapsed.get_json() == {"response": {"type": "texts", "texts": [{"content": "done"}]}}


def test_request_size_limit_and_unsupported_types():
    client = Translator("t", path="/p/<src>/<tgt>", request_size_limit=100).app.test_client()
    too_large = client.post("/p/a/b", json={"type": "text", "content": "x" * 200})
    assert too_large.status_code == 413
    assert too_large.get_json()["failure"]["errors"][0]["code"] == "elg.request.too.large"
    audio = client.post("/p/a/b", json={"type": "audio", "format": "MP3"})
    assert (audio.status_code, audio.get_json()["failure"]["errors"][0]["params"]) == (400, ["audio"])
    assert Translator.supported_request_types() == ["text"]


def test_processing_error_constructors_of_the_elg_package():
    assert ProcessingError.InternalError("boom").to_json()["failure"].errors[0].params == ["boom"]
    assert (ProcessingError.TooLarge().status_code, ProcessingError.InvalidRequest().status_code) == (413, 400)
    unsupported = ProcessingError.UnsupportedMime("text/x-foo", detail={"k": 1})
    assert (unsupported.standard_message.code, unsupported.standard_message.params) == (
        "elg.request.text.mimeType.unsupported", ["text/x-foo"])
    raised_as_in_quart = ProcessingError(503, ProcessingError.InternalError("down").standard_message)
    assert (raised_as_in_quart.status, raised_as_in_quart.message.code) == (503, "elg.service.internalError")


class LoopBound(QuartService):
    """Makes in ``setup`` what works only on the loop that made it: a task answering a queue."""

    async def setup(self):
        self.queries = asyncio.Queue()
        self.worker = asyncio.get_running_loop().create_task(self.answer_queries())

    async def answer_queries(self):
        while True:
            content, answer = await self.queries.get()
            answer.set_result((content.upper(), id(asyncio.get_running_loop())))

    async def process_text(self, request):
        answer = asyncio.get_running_loop().create_future()
        await self.queries.put((request.content, answer))
        content, task_loop = await asyncio.wait_for(answer, 5)
        if request.content == "stream":
            return self.steps(task_loop)
        return TextsResponse(texts=[{"content": content, "features": {
            "loop": id(asyncio.get_running_loop()), "task_loop": task_loop}}])

    async def steps(self, task_loop):
        yield Progress(percent=50)
        yield TextsResponse(texts=[{"content": "done", "features": {
            "loop": id(asyncio.get_running_loop()), "task_loop": task_loop}}])


def test_setup_requests_streams_and_async_handlers_run_on_the_one_loop_of_the_process():
    registry = Registry()

    @text_service(registry=registry)
    async def handler(content: str) -> TextsResponse:
        return TextsResponse(texts=[{"content": content, "features": {"loop": id(asyncio.get_running_loop())}}])

    handler_loop = create_app(registry).test_client().post(
        "/process", json={"type": "text", "content": "x"}).get_json()["response"]["texts"][0]["features"]["loop"]
    client = LoopBound("loop-bound").app.test_client()
    answers = [client.post("/process", json={"type": "text", "content": f"call {n}"}).get_json() for n in range(3)]
    assert [answer["response"]["texts"][0] for answer in answers] == [
        {"content": f"CALL {n}", "features": {"loop": handler_loop, "task_loop": handler_loop}} for n in range(3)]
    events = client.post("/process", json={"type": "text", "content": "stream"},
                         headers={"Accept": "text/event-stream"})
    assert events.data.split(b"\r\n\r\n")[1] == (
        b'data:{"response":{"type":"texts","texts":[{"content":"done","features":{"loop":%d,"task_loop":%d}}]}}'
        % (handler_loop, handler_loop))
