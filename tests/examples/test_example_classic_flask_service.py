"""examples/classic_flask_service.py: an elg-style FlaskService subclass, served unchanged."""
from __future__ import annotations

from media import example

from elg_decorators import FlaskService
from elg_decorators.discovery import load_service
from elg_decorators.model import Failure, StatusMessage, TextsResponse
from elg_decorators.testing import ServiceClient


def test_is_found_as_a_classic_service() -> None:
    loaded = load_service(example("classic_flask_service"))

    assert len(loaded.registry) == 0
    assert isinstance(loaded.flask_service, FlaskService)
    assert loaded.app() is loaded.module.app


def test_url_param_selects_the_mode() -> None:
    client = ServiceClient.for_module(example("classic_flask_service"))

    assert client.text("Hello World", path="/process/upper") == TextsResponse(texts=[{"content": "HELLO WORLD"}])
    assert client.text("Hello World", path="/process/lower") == TextsResponse(texts=[{"content": "hello world"}])


def test_returned_failure_gets_a_400() -> None:
    client = ServiceClient.for_module(example("classic_flask_service"))

    assert client.text("Hi", path="/process/title", with_status=True) == (400, Failure(errors=[StatusMessage(
        code="elg.request.parameter.invalid", params=["mode", "title"],
        text='Value "{1}" is not valid for parameter {0}', detail={},
    )]))


def test_exact_json_answer_and_health() -> None:
    http = load_service(example("classic_flask_service")).app().test_client()

    answer = http.post("/process/upper", json={"type": "text", "content": "ok"})

    assert answer.data == b'{"response":{"type":"texts","texts":[{"content":"OK"}]}}'
    assert http.get("/health").get_json() == {
        "status": "ok", "name": "case-changer", "endpoints": {"/process/<mode>": ["text"]},
    }


def test_docker_classmethods_resolve_against_the_script() -> None:
    service = load_service(example("classic_flask_service")).flask_service

    assert str(type(service).service_script()) == example("classic_flask_service")
