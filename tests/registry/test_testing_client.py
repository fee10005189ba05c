"""ServiceClient, the test client users get: parsed models, and (status, message) on request."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

from elg_decorators import Registry, audio_service, create_app, image_service, service_class, text_service
from elg_decorators import ProcessingError, structured_text_service
from elg_decorators.model import (
    AnnotationsResponse,
    Failure,
    Progress,
    StatusMessage,
    StructuredTextRequest,
    TextsResponse,
)
from elg_decorators.testing import ServiceClient, ServiceFailure


def describe_everything(registry: Registry) -> None:
    """One handler per request type, each describing what it received."""

    @text_service(registry=registry)
    def text(content: str, params: dict) -> AnnotationsResponse:
        return {"features": {"content": content, "params": params}}

    @structured_text_service(registry=registry)
    def structured(texts: Any) -> AnnotationsResponse:
        return {"features": {"contents": [node.content for node in texts]}}

    @audio_service(registry=registry)
    def audio(content: bytes, format: str) -> AnnotationsResponse:
        return {"features": {"bytes": len(content), "format": format}}

    @image_service(registry=registry)
    def image(content: bytes, format: str) -> AnnotationsResponse:
        return {"features": {"bytes": len(content), "format": format}}


def test_each_method_returns_the_parsed_response(registry: Registry) -> None:
    describe_everything(registry)
    client = ServiceClient(registry)

    assert client.text("hi", params={"n": 1}) == AnnotationsResponse(features={"content": "hi", "params": {"n": 1}})
    assert client.structured_text(["a", {"content": "b"}]) == AnnotationsResponse(features={"contents": ["a", "b"]})
    assert client.audio(b"1234") == AnnotationsResponse(features={"bytes": 4, "format": "LINEAR16"})
    assert client.image(b"12", format="jpeg") == AnnotationsResponse(features={"bytes": 2, "format": "jpeg"})
    assert client.send(StructuredTextRequest(texts=[{"content": "c"}])) == AnnotationsResponse(
        features={"contents": ["c"]}
    )


def test_files_are_read_and_their_suffix_gives_the_format(registry: Registry, tmp_path: Path) -> None:
    describe_everything(registry)
    (tmp_path / "clip.mp3").write_bytes(b"ID3")
    (tmp_path / "page.gif").write_bytes(b"GIF89a")
    client = ServiceClient(registry)

    assert client.audio(tmp_path / "clip.mp3") == AnnotationsResponse(features={"bytes": 3, "format": "MP3"})
    assert client.image(str(tmp_path / "page.gif")) == AnnotationsResponse(features={"bytes": 6, "format": "gif"})


def test_with_status_returns_the_http_status_and_the_message(registry: Registry) -> None:
    describe_everything(registry)
    client = ServiceClient(registry)

    assert client.text("hi", with_status=True) == (
        200, AnnotationsResponse(features={"content": "hi", "params": {}}),
    )
    assert client.text("hi", path="/elsewhere", with_status=True) == (404, Failure(errors=[StatusMessage(
        code="elg.service.not.found", params=["/elsewhere"], text="Service {0} not found", detail={},
    )]))


def test_failures_are_returned_not_raised(registry: Registry) -> None:
    @text_service(registry=registry)
    def needs_lang(content: str, lang: str) -> TextsResponse:
        return content

    failure = ServiceClient(registry).text("hi")

    assert isinstance(failure, Failure)
    assert failure.errors[0].render() == "Required parameter lang missing from request"


def test_raise_for_failure_raises_a_service_failure_naming_status_code_and_text(registry: Registry) -> None:
    @text_service(registry=registry)
    def needs_lang(content: str, lang: str) -> TextsResponse:
        return content

    client = ServiceClient(registry, raise_for_failure=True)

    with pytest.raises(ServiceFailure) as raised:
        client.text("hi")
    assert str(raised.value) == (
        "POST /process answered 400 elg.request.parameter.missing: Required parameter lang missing from request"
    )
    assert (raised.value.status, raised.value.code) == (400, "elg.request.parameter.missing")
    assert raised.value.failure.errors[0].params == ["lang"]
    assert isinstance(raised.value, AssertionError)  # a test meeting one fails rather than errs
    assert client.text("hi", params={"lang": "en"}) == TextsResponse(texts=[{"content": "hi"}])
    assert isinstance(client.text("hi", raise_for_failure=False), Failure)  # a call overrides its client


def test_a_call_may_ask_to_raise_and_the_message_shows_the_detail(registry: Registry) -> None:
    @text_service(registry=registry)
    def picky(content: str) -> TextsResponse:
        raise ProcessingError("elg.request.text.mimeType.unsupported", params=["text/x-tex"], detail={"hint": "é"})

    client = ServiceClient(registry)

    with pytest.raises(ServiceFailure) as raised:
        client.text("x", raise_for_failure=True)
    assert str(raised.value) == (
        "POST /process answered 400 elg.request.text.mimeType.unsupported: MIME type text/x-tex not supported "
        'by this service (detail: {"hint": "é"})'
    )
    with pytest.raises(ServiceFailure, match="answered 404 elg.service.not.found: Service /nowhere not found"):
        client.send(StructuredTextRequest(texts=[{"content": "c"}]), path="/nowhere", raise_for_failure=True)


def test_a_stream_ending_in_a_failure_raises_after_its_progress(registry: Registry) -> None:
    @text_service(registry=registry)
    def gives_up(content: str) -> Iterator[Progress | TextsResponse]:
        yield Progress(percent=10.0)
        raise RuntimeError("out of patience")

    messages = ServiceClient(registry, raise_for_failure=True).stream("x")

    assert next(messages) == Progress(percent=10.0)
    with pytest.raises(ServiceFailure) as raised:
        next(messages)
    assert raised.value.status == 200  # the stream had begun: the failure is its last event
    assert raised.value.code == "elg.service.internalError"
    assert "out of patience" in str(raised.value)


def test_stream_yields_progress_then_the_result(registry: Registry) -> None:
    @text_service(registry=registry)
    def slow(content: str) -> Iterator[Progress | TextsResponse]:
        yield Progress(percent=50.0, message=StatusMessage(code="x.half", text="half", params=[]))
        yield content

    assert list(ServiceClient(registry).stream("done")) == [
        Progress(percent=50.0, message=StatusMessage(code="x.half", text="half", params=[])),
        TextsResponse(texts=[{"content": "done"}]),
    ]


def test_stream_of_a_plain_handler_yields_its_single_answer(registry: Registry) -> None:
    describe_everything(registry)

    assert list(ServiceClient(registry).stream("hi")) == [
        AnnotationsResponse(features={"content": "hi", "params": {}})
    ]


def test_client_accepts_a_flask_app_a_flask_service_or_a_registry(registry: Registry) -> None:
    describe_everything(registry)
    expected = AnnotationsResponse(features={"content": "x", "params": {}})

    assert ServiceClient(create_app(registry)).text("x") == expected
    assert ServiceClient(service_class(registry)()).text("x") == expected
    assert ServiceClient(registry).text("x") == expected


def test_for_module_loads_a_script_afresh(tmp_path: Path) -> None:
    script = tmp_path / "reverser.py"
    script.write_text(
        "from elg_decorators import text_service\n"
        "from elg_decorators.model import TextsResponse\n\n\n"
        "@text_service('/reverse')\n"
        "def reverse(content: str) -> TextsResponse:\n"
        "    return content[::-1]\n"
    )

    client = ServiceClient.for_module(str(script), path="/reverse", raise_for_failure=True)

    assert client.text("abc") == TextsResponse(texts=[{"content": "cba"}])
    with pytest.raises(ServiceFailure, match="elg.request.type.unsupported"):
        client.structured_text(["abc"])
