"""Decorated services answer their fixed paths without Flask; the answers must not differ from Flask's."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator

import flask
import pytest

from elg_decorators import ProcessingError, create_app, text_service
from elg_decorators.model import AnnotationsResponse, Progress
from elg_decorators.service.direct import DirectDispatch

REQUESTS = [
    pytest.param({"json": {"type": "text", "content": "a b c"}}, id="valid"),
    pytest.param({"json": {"type": "text", "content": "a b", "params": {"boom": True}}}, id="handler error"),
    pytest.param({"data": b'{"type": "text", "content": "a', "content_type": "application/json"}, id="bad json"),
    pytest.param({"json": {"type": "bogus"}}, id="unknown type"),
    pytest.param({"data": b"x" * 2048, "content_type": "text/plain"}, id="too large"),
    pytest.param({"data": b"<x/>", "content_type": "application/xml"}, id="unsupported content type"),
    pytest.param({"data": b"hello there", "content_type": "text/plain", "query_string": "boom="}, id="raw text"),
    pytest.param({"data": b"hi", "content_type": "text/plain", "query_string": "e=%FF&e=2"}, id="odd query"),
    pytest.param({"json": {"type": "text", "content": "a", "params": {"odd_detail": True}}}, id="unencodable failure"),
    pytest.param(
        {"json": {"type": "text", "content": "a b", "params": {"stream": True}},
         "headers": {"Accept": "text/event-stream"}},
        id="event stream",
    ),
]


def make_app(registry, monkeypatch, *, through_flask: bool) -> flask.Flask:
    monkeypatch.setenv("MAX_REQUEST_SIZE", "1024")

    @text_service(registry=registry)
    def count(content: str, boom: bool = False, stream: bool = False, odd_detail: bool = False
              ) -> AnnotationsResponse | Iterator[Progress | AnnotationsResponse]:
        if boom:
            raise RuntimeError("kaput")
        if odd_detail:  # a failure whose detail JSON cannot represent
            raise ProcessingError("elg.request.invalid", detail={"thing": object()})
        response = AnnotationsResponse(features={"tokens": len(content.split())})
        if stream:
            return iter([Progress(percent=50), response])
        return response

    app = create_app(registry)
    if through_flask:
        app.before_request(lambda: None)  # a request hook sends every request through Flask
    return app


def test_fixed_paths_are_dispatched_directly(registry, monkeypatch):
    app = make_app(registry, monkeypatch, through_flask=False)

    assert isinstance(app.wsgi_app, DirectDispatch)
    assert app.wsgi_app.paths == frozenset({"/process"})


@pytest.mark.parametrize("request_options", REQUESTS)
def test_direct_and_flask_answers_are_identical(registry, monkeypatch, request_options):
    direct = make_app(registry, monkeypatch, through_flask=False).test_client().post("/process", **request_options)
    registry.clear()
    via_flask = make_app(registry, monkeypatch, through_flask=True).test_client().post("/process", **request_options)

    assert direct.status_code == via_flask.status_code
    assert direct.headers["Content-Type"] == via_flask.headers["Content-Type"]
    assert direct.get_data() == via_flask.get_data()
    assert direct.headers.get("Cache-Control") == via_flask.headers.get("Cache-Control")


def test_requests_the_direct_path_does_not_take_still_get_elg_answers(registry, monkeypatch):
    client = make_app(registry, monkeypatch, through_flask=False).test_client()

    assert client.get("/process").status_code == 405
    assert client.post("/process/").get_json()["failure"]["errors"][0]["code"] == "elg.service.not.found"
    assert client.get("/health").get_json()["endpoints"] == {"/process": ["text"]}


def test_unencodable_failure_is_an_internal_error(registry, monkeypatch):
    client = make_app(registry, monkeypatch, through_flask=False).test_client()

    response = client.post("/process", json={"type": "text", "content": "a", "params": {"odd_detail": True}})

    assert response.status_code == 500
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.service.internalError"


def test_body_shorter_than_its_content_length_is_refused(registry, monkeypatch):
    app = make_app(registry, monkeypatch, through_flask=False)
    body = b'{"type": "text", "content": "a"}'
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/process", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body) + 50),
        "wsgi.input": io.BytesIO(body),
    }
    started = []

    answer = b"".join(app(environ, lambda status, headers: started.append(status)))

    assert started == ["400 BAD REQUEST"]
    assert json.loads(answer)["failure"]["errors"][0]["code"] == "elg.request.invalid"


def test_handlers_can_use_the_application_context(registry):
    @text_service(registry=registry)
    def name_of_app(content: str) -> AnnotationsResponse:
        flask.g.seen = content
        return AnnotationsResponse(features={"app": flask.current_app.name, "seen": flask.g.seen})

    response = create_app(registry, name="context-test").test_client().post(
        "/process", json={"type": "text", "content": "x"}
    )

    features = {"app": "context-test", "seen": "x"}
    assert response.get_json() == {"response": {"type": "annotations", "features": features}}
