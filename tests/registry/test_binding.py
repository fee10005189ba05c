"""Filling handler arguments from the request, by name."""
from __future__ import annotations

import io
import json
from typing import Any, Optional

from pydantic import BaseModel

from elg_decorators import Registry, audio_service, image_service, structured_text_service, text_service
from elg_decorators.model import (
    Annotation,
    AnnotationsResponse,
    AudioRequest,
    Failure,
    StatusMessage,
    Text,
    TextRequest,
)
from elg_decorators.testing import ServiceClient


def test_request_is_the_typed_request_model(registry: Registry) -> None:
    seen = []

    @text_service(registry=registry)
    def handler(request: TextRequest) -> AnnotationsResponse:
        seen.append(request)
        return AnnotationsResponse(features={"ok": True})

    ServiceClient(registry).text("hello", params={"a": 1}, mime_type="text/html")

    assert seen == [TextRequest(content="hello", params={"a": 1}, mime_type="text/html")]


def test_text_fields_content_params_features_annotations(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, params: dict, features: dict | None, annotations: Any) -> AnnotationsResponse:
        return AnnotationsResponse(features={
            "content": content,
            "params": params,
            "features": features,
            "annotations": {name: [a.model_dump() for a in spans] for name, spans in annotations.items()},
        })

    response = ServiceClient(registry).text(
        "Ada", params={"lang": "en"}, features={"source": "test"},
        annotations={"Person": [{"start": 0, "end": 3}]},
    )

    assert response.features == {
        "content": "Ada",
        "params": {"lang": "en"},
        "features": {"source": "test"},
        "annotations": {"Person": [
            {"start": 0, "end": 3, "source_start": None, "source_end": None, "features": None}
        ]},
    }


def test_absent_optional_fields_are_none_and_params_an_empty_dict(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(params: dict, features: dict | None, annotations: dict | None) -> AnnotationsResponse:
        return AnnotationsResponse(features={"params": params, "features": features, "annotations": annotations})

    response = ServiceClient(registry).text("x")

    assert response.features == {"params": {}, "features": None, "annotations": None}


def test_structured_text_receives_its_texts(registry: Registry) -> None:
    @structured_text_service(registry=registry)
    def handler(texts: list[Text]) -> AnnotationsResponse:
        return AnnotationsResponse(features={"leaves": [node.content for node in texts]})

    response = ServiceClient(registry).structured_text(["one", "two"])

    assert response.features == {"leaves": ["one", "two"]}


def test_audio_receives_content_format_and_sample_rate(registry: Registry) -> None:
    @audio_service(registry=registry)
    def handler(content: bytes, format: str, sample_rate: int | None, features: Any) -> AnnotationsResponse:
        return AnnotationsResponse(features={
            "bytes": content.hex(), "format": format, "sample_rate": sample_rate, "features": features,
        })

    response = ServiceClient(registry).audio(
        b"\x01\x02", format="mp3", sample_rate=16000, features={"speaker": "a"}
    )

    assert response.features == {"bytes": "0102", "format": "MP3", "sample_rate": 16000, "features": {"speaker": "a"}}


def test_a_handler_with_a_default_content_receives_it_for_a_request_without_content(registry: Registry) -> None:
    @audio_service(registry=registry)
    def optional(content: Optional[bytes] = None, format: str = "LINEAR16") -> AnnotationsResponse:  # noqa: UP045
        return AnnotationsResponse(features={"content": repr(content), "format": format})

    @audio_service("/union", registry=registry)
    def union(content: bytes | None = b"silence") -> AnnotationsResponse:
        return AnnotationsResponse(features={"content": repr(content)})

    @audio_service("/required", registry=registry)
    def required(content: bytes | None) -> AnnotationsResponse:
        return AnnotationsResponse(features={"content": repr(content)})

    http = ServiceClient(registry).http
    as_json = http.post("/process", json={"type": "audio", "format": "MP3"})
    as_multipart = http.post("/union", content_type="multipart/form-data", data={
        "request": (io.BytesIO(json.dumps({"type": "audio"}).encode()), "r.json", "application/json"),
    })
    refused = http.post("/required", json={"type": "audio"})

    assert as_json.get_json() == {"response": {"type": "annotations", "features": {"content": "None", "format": "MP3"}}}
    assert as_multipart.get_json()["response"]["features"] == {"content": "b'silence'"}
    assert refused.status_code == 400
    assert refused.get_json()["failure"]["errors"][0]["detail"]["reason"] == (
        "audio requests carry their audio as the content part of a multipart body, or as a raw body"
    )
    assert ServiceClient(registry).audio(b"\x01", path="/required").features == {"content": "b'\\x01'"}


def test_image_receives_content_and_format(registry: Registry) -> None:
    @image_service(registry=registry)
    def handler(content: bytes, format: str) -> AnnotationsResponse:
        return AnnotationsResponse(features={"bytes": len(content), "format": format})

    response = ServiceClient(registry).image(b"\x89PNG", format="png")

    assert response.features == {"bytes": 4, "format": "png"}


def test_url_variables_are_arguments(registry: Registry) -> None:
    @text_service("/translate/<src>/<tgt>", registry=registry)
    def translate(content: str, src: str, tgt: str) -> AnnotationsResponse:
        return AnnotationsResponse(features={"src": src, "tgt": tgt})

    response = ServiceClient(registry).text("x", path="/translate/en/de")

    assert response.features == {"src": "en", "tgt": "de"}


def test_int_url_variable(registry: Registry) -> None:
    @text_service("/repeat/<int:times>", registry=registry)
    def repeat(content: str, times: int) -> AnnotationsResponse:
        return AnnotationsResponse(features={"text": content * times, "times_is_int": type(times) is int})

    client = ServiceClient(registry)

    assert client.text("ab", path="/repeat/3").features == {"text": "ababab", "times_is_int": True}
    status, failure = client.text("ab", path="/repeat/three", with_status=True)
    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        404, "elg.service.not.found", ["/repeat/three"],
    )


def test_url_variables_are_converted_to_their_annotation(registry: Registry) -> None:
    @text_service("/double/<n>", registry=registry)
    def double(content: str, n: int) -> AnnotationsResponse:
        return AnnotationsResponse(features={"n": n * 2})

    client = ServiceClient(registry)

    assert client.text("x", path="/double/4").features == {"n": 8}
    status, failure = client.text("x", path="/double/four", with_status=True)
    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.parameter.invalid", ["n", "four"],
    )


def test_other_names_come_from_params_converted_to_their_annotation(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, limit: int, ratio: float, strict: bool, tags: list[str]) -> AnnotationsResponse:
        return AnnotationsResponse(features={
            "limit": [limit, type(limit).__name__],
            "ratio": [ratio, type(ratio).__name__],
            "strict": [strict, type(strict).__name__],
            "tags": tags,
        })

    response = ServiceClient(registry).text(
        "x", params={"limit": "3", "ratio": "0.5", "strict": "true", "tags": ["a", "b"]}
    )

    assert response.features == {
        "limit": [3, "int"], "ratio": [0.5, "float"], "strict": [True, "bool"], "tags": ["a", "b"],
    }


def test_params_from_a_query_string_are_converted(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, limit: int, tags: list[str]) -> AnnotationsResponse:
        return AnnotationsResponse(features={"content": content, "limit": limit, "tags": tags})

    http = ServiceClient(registry).http
    answer = http.post("/process?limit=7&tags=a&tags=b", data="hello", content_type="text/plain")

    assert answer.status_code == 200
    assert answer.get_json() == {
        "response": {"type": "annotations", "features": {"content": "hello", "limit": 7, "tags": ["a", "b"]}}
    }


class Options(BaseModel):
    upper: bool = False
    limit: int = 10


def test_a_pydantic_model_param(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, options: Options) -> AnnotationsResponse:
        return AnnotationsResponse(features={"options": options.model_dump(), "is_model": isinstance(options, Options)})

    response = ServiceClient(registry).text("x", params={"options": {"upper": True, "limit": "2"}})

    assert response.features == {"options": {"upper": True, "limit": 2}, "is_model": True}


def test_defaults_fill_missing_params(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, lang: str = "en", limit: int = 5) -> AnnotationsResponse:
        return AnnotationsResponse(features={"lang": lang, "limit": limit})

    client = ServiceClient(registry)

    assert client.text("x").features == {"lang": "en", "limit": 5}
    assert client.text("x", params={"lang": "de"}).features == {"lang": "de", "limit": 5}


def test_unannotated_params_are_passed_as_sent(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content, anything) -> AnnotationsResponse:
        return AnnotationsResponse(features={"anything": anything})

    response = ServiceClient(registry).text("x", params={"anything": {"nested": [1, "2"]}})

    assert response.features == {"anything": {"nested": [1, "2"]}}


def test_missing_required_param_is_a_400_naming_it(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, lang: str) -> AnnotationsResponse:
        return AnnotationsResponse(features={"lang": lang})

    status, failure = ServiceClient(registry).text("x", params={"other": 1}, with_status=True)

    assert status == 400
    assert failure == Failure(errors=[StatusMessage(
        code="elg.request.parameter.missing", params=["lang"],
        text="Required parameter {0} missing from request", detail={},
    )])


def test_missing_param_when_the_request_has_no_params(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, threshold: float) -> AnnotationsResponse:
        return AnnotationsResponse(features={})

    status, failure = ServiceClient(registry).text("x", with_status=True)

    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.parameter.missing", ["threshold"],
    )


def test_unconvertible_param_is_a_400_with_name_and_value(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, limit: int) -> AnnotationsResponse:
        return AnnotationsResponse(features={"limit": limit})

    status, failure = ServiceClient(registry).text("x", params={"limit": "many"}, with_status=True)

    assert status == 400
    assert failure == Failure(errors=[StatusMessage(
        code="elg.request.parameter.invalid", params=["limit", "many"],
        text='Value "{1}" is not valid for parameter {0}',
        detail={"reason": "Input should be a valid integer, unable to parse string as an integer"},
    )])
    assert failure.errors[0].render() == 'Value "many" is not valid for parameter limit'


def test_unconvertible_non_string_value_is_shown_as_its_repr(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, tags: list[str]) -> AnnotationsResponse:
        return AnnotationsResponse(features={"tags": tags})

    status, failure = ServiceClient(registry).text("x", params={"tags": [1, 2]}, with_status=True)

    assert (status, failure.errors[0].code, failure.errors[0].params) == (
        400, "elg.request.parameter.invalid", ["tags", "[1, 2]"],
    )


def test_kwargs_receive_the_remaining_params(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(content: str, lang: str = "en", **options: Any) -> AnnotationsResponse:
        return AnnotationsResponse(features={"lang": lang, "options": options})

    response = ServiceClient(registry).text("x", params={"lang": "de", "case": "upper", "n": 2})

    assert response.features == {"lang": "de", "options": {"case": "upper", "n": 2}}


def test_kwargs_alone_receive_every_param(registry: Registry) -> None:
    @text_service(registry=registry)
    def handler(**params: Any) -> AnnotationsResponse:
        return AnnotationsResponse(features={"params": params})

    assert ServiceClient(registry).text("x", params={"a": 1}).features == {"params": {"a": 1}}
    assert ServiceClient(registry).text("x").features == {"params": {}}


def test_request_and_fields_together(registry: Registry) -> None:
    @audio_service(registry=registry)
    def handler(request: AudioRequest, content: bytes, annotations: Any) -> AnnotationsResponse:
        spans: dict[str, list[Annotation]] = annotations
        return AnnotationsResponse(annotations=spans, features={"same": request.content == content})

    response = ServiceClient(registry).audio(b"abc", annotations={"Word": [{"start": 0.5, "end": 1.25}]})

    assert response == AnnotationsResponse(annotations={"Word": [{"start": 0.5, "end": 1.25}]}, features={"same": True})
