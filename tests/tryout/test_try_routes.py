"""The try-out page's routes in process: the endpoints' description, the headers, the setting that turns it off."""
from __future__ import annotations

from typing import Any

import pytest

from elg_decorators import FlaskService, Registry, text_service
from elg_decorators.model import ClassificationResponse, TextsResponse
from elg_decorators.registry.service import RegistryService
from elg_decorators.tryout import CONTENT_SECURITY_POLICY


def tagger_app(registry: Registry) -> Any:
    @text_service("/tag/<lang>/<int:n>", registry=registry)
    def tag(content: str, lang: str, n: int, top_k: int = 2, strict: bool = False, label: str | None = None,
            weights: list[float] | None = None) -> ClassificationResponse:
        return ClassificationResponse(classes=[])

    return RegistryService(registry).app


def test_the_description_comes_from_the_description_of_the_endpoints(registry: Registry) -> None:
    answer = tagger_app(registry).test_client().get("/try/endpoints.json")
    assert answer.status_code == 200 and answer.content_type == "application/json"
    (endpoint,) = answer.get_json()["endpoints"]
    assert endpoint["path"] == "/tag/<lang>/<int:n>"
    assert endpoint["urlVariables"] == [{"name": "lang", "converter": "default", "type": "string"},
                                        {"name": "n", "converter": "int", "type": "integer"}]
    (handler,) = endpoint["handlers"]
    assert (handler["requestType"], handler["name"], handler["responseType"], handler["streams"]) == (
        "text", "tagger_app.<locals>.tag", "classification", False)
    assert handler["parameters"] == [
        {"name": "top_k", "type": "integer", "required": False, "default": 2},
        {"name": "strict", "type": "boolean", "required": False, "default": False},
        {"name": "label", "type": "string", "required": False, "default": None},
        {"name": "weights", "type": "array", "required": False, "default": None},
    ]


@pytest.mark.parametrize("path", ["/try", "/try/try.js", "/try/try.css", "/try/endpoints.json"])
def test_every_answer_carries_a_strict_content_security_policy(registry: Registry, path: str) -> None:
    answer = tagger_app(registry).test_client().get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "connect-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_the_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere(registry: Registry) -> None:
    client = tagger_app(registry).test_client()
    html = client.get("/try").get_data(as_text=True)
    assert '<script src="/try/try.js" defer></script>' in html and "<style" not in html and " style=" not in html
    assert "http" not in html.replace("http-equiv", "")
    script = client.get("/try/try.js").get_data(as_text=True)
    assert "innerHTML" not in script and "eval(" not in script and "new Function" not in script
    assert "http://" not in script and "https://" not in script


def test_try_page_0_turns_it_off(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRY_PAGE", "0")
    client = tagger_app(registry).test_client()
    answer = client.get("/try")
    assert answer.status_code == 404 and "failure" in answer.get_json()
    assert client.get("/try/endpoints.json").status_code == 404


def test_a_classic_service_describes_its_process_methods() -> None:
    class Upper(FlaskService):
        def process_text(self, request: Any) -> TextsResponse:
            return TextsResponse(texts=[{"content": request.content.upper()}])

    description = Upper("upper", path="/up/<mode>").app.test_client().get("/try/endpoints.json").get_json()
    assert description["name"] == "upper"
    assert [(endpoint["path"], [handler["requestType"] for handler in endpoint["handlers"]])
            for endpoint in description["endpoints"]] == [("/up/<mode>", ["text"])]


def test_a_class_may_turn_it_off() -> None:
    class Quiet(FlaskService):
        try_page = False

        def process_text(self, request: Any) -> TextsResponse:
            return TextsResponse(texts=[])

    assert Quiet("quiet").app.test_client().get("/try").status_code == 404
