"""Every request type over HTTP, valid and invalid, as the handler receives it."""

from __future__ import annotations

import hashlib

import pytest

from elg_decorators import FlaskService
from elg_decorators.model import AnnotationsResponse


class Echo(FlaskService):
    """Answers with the request it received (its wire form, plus the binary's size and hash)."""

    def echo(self, request):
        features = {"class": type(request).__name__, "request": request.dict()}
        if getattr(request, "content", None) is not None and isinstance(request.content, bytes):
            features["size"] = len(request.content)
            features["sha256"] = hashlib.sha256(request.content).hexdigest()
        return AnnotationsResponse(features=features)

    process_text = process_structured_text = process_audio = process_image = echo


@pytest.fixture
def client():
    return Echo("echo").app.test_client()


def failure(code, params, text, detail):
    return {"failure": {"errors": [{"code": code, "params": params, "text": text, "detail": detail}]}}


def nested_json(levels: int) -> str:
    """A structuredText request whose leaf sits ``levels`` lists deep, as JSON text."""
    return (
        '{"type":"structuredText","texts":['
        + '{"texts":[' * (levels - 1)
        + '{"content":"leaf"}'
        + "]}" * (levels - 1)
        + "]}"
    )


def test_text_request(client):
    response = client.post(
        "/process",
        json={
            "type": "text",
            "content": "Grüße aus Köln",
            "mimeType": "text/html",
            "params": {"lang": "de"},
            "features": {"f": 1},
            "annotations": {"Token": [{"start": 0, "end": 5, "sourceStart": 0, "sourceEnd": 5}]},
        },
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "response": {
            "type": "annotations",
            "features": {
                "class": "TextRequest",
                "request": {
                    "type": "text",
                    "params": {"lang": "de"},
                    "content": "Grüße aus Köln",
                    "mimeType": "text/html",
                    "features": {"f": 1},
                    "annotations": {"Token": [{"start": 0, "end": 5, "sourceStart": 0, "sourceEnd": 5}]},
                },
            },
        }
    }


def test_structured_text_request(client):
    response = client.post(
        "/process",
        json={
            "type": "structuredText",
            "texts": [
                {"content": "a", "mimeType": "text/html"},
                {"texts": [{"content": "b", "features": {"n": 2}}]},
            ],
        },
    )
    assert response.status_code == 200
    assert response.get_json()["response"]["features"] == {
        "class": "StructuredTextRequest",
        "request": {
            "type": "structuredText",
            "texts": [
                {"content": "a", "mimeType": "text/html"},
                {
                    "mimeType": "text/plain",
                    "texts": [{"content": "b", "mimeType": "text/plain", "features": {"n": 2}}],
                },
            ],
        },
    }


def test_audio_request_multipart(client, multipart):
    audio = bytes(range(256)) * 10
    body, content_type = multipart(
        [
            (
                "request",
                "application/json",
                b'{"type":"audio","format":"mp3","sampleRate":44100,"params":{"a":"b"}}',
                None,
            ),
            ("content", "audio/mpeg", audio, "clip.mp3"),
        ]
    )
    response = client.post("/process", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json()["response"]["features"] == {
        "class": "AudioRequest",
        "request": {"type": "audio", "params": {"a": "b"}, "format": "MP3", "sampleRate": 44100},
        "size": len(audio),
        "sha256": hashlib.sha256(audio).hexdigest(),
    }


def test_image_request_multipart(client, multipart):
    image = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"image","format":"PNG"}', None),
            ("content", "image/png", image, "x.png"),
        ]
    )
    response = client.post("/process", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json()["response"]["features"] == {
        "class": "ImageRequest",
        "request": {"type": "image", "format": "PNG"},
        "size": len(image),
        "sha256": hashlib.sha256(image).hexdigest(),
    }


def test_json_charset_parameter_is_honoured(client):
    body = '{"type":"text","content":"Grüße"}'.encode("latin-1")
    response = client.post("/process", data=body, content_type="application/json; charset=iso-8859-1")
    assert response.status_code == 200
    assert response.get_json()["response"]["features"]["request"]["content"] == "Grüße"


INVALID_JSON_REQUESTS = [
    pytest.param({"type": "text"}, "text.content", "missing", id="text-without-content"),
    pytest.param({"type": "text", "content": 5}, "text.content", "string_type", id="text-content-not-string"),
    pytest.param(
        {"type": "text", "content": "x", "annotations": {"A": [{"start": 0}]}},
        "text.annotations.A.0.end",
        "missing",
        id="annotation-without-end",
    ),
    pytest.param(
        {"type": "structuredText"}, "structuredText.texts", "missing", id="structured-without-texts"
    ),
    pytest.param(
        {"type": "structuredText", "texts": [{"mimeType": "text/plain"}]},
        "structuredText.texts.0",
        "value_error",
        id="structured-node-without-content-or-texts",
    ),
    pytest.param(
        {"type": "audio", "sampleRate": "fast"}, "audio.sampleRate", "int_parsing", id="audio-bad-rate"
    ),
    pytest.param(
        {"type": "image", "features": []}, "image.features", "dict_type", id="image-features-not-object"
    ),
]


@pytest.mark.parametrize("body, location, kind", INVALID_JSON_REQUESTS)
def test_invalid_request_is_400_with_the_errors_in_detail(client, body, location, kind):
    response = client.post("/process", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    [error] = response.get_json()["failure"]["errors"]
    assert (error["code"], error["params"], error["text"]) == (
        "elg.request.invalid",
        [],
        "Invalid request message",
    )
    assert error["detail"]["reason"] == "the request body is not a valid ELG request"
    assert [(e["location"], e["type"]) for e in error["detail"]["errors"]] == [(location, kind)]


def test_invalid_request_detail_is_exact_for_a_missing_field(client):
    response = client.post("/process", json={"type": "text"})
    assert response.get_json() == failure(
        "elg.request.invalid",
        [],
        "Invalid request message",
        {
            "reason": "the request body is not a valid ELG request",
            "errors": [{"location": "text.content", "message": "Field required", "type": "missing"}],
        },
    )


@pytest.mark.parametrize(
    "request_type, bad, code, text",
    [
        (
            "audio",
            "wav",
            "elg.request.audio.format.unsupported",
            "Audio format {0} not supported by this service",
        ),
        (
            "image",
            "jpg",
            "elg.request.image.format.unsupported",
            "Image format {0} not supported by this service",
        ),
    ],
)
def test_unsupported_binary_format_has_its_own_code(client, multipart, request_type, bad, code, text):
    body, content_type = multipart(
        [
            ("request", "application/json", f'{{"type":"{request_type}","format":"{bad}"}}'.encode(), None),
            ("content", "application/octet-stream", b"\x00\x01", "blob"),
        ]
    )
    response = client.post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    [error] = response.get_json()["failure"]["errors"]
    assert (error["code"], error["params"], error["text"]) == (code, [bad], text)


def test_structured_text_at_the_100_level_limit_is_accepted(client):
    response = client.post("/process", data=nested_json(100), content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["response"]["features"]["class"] == "StructuredTextRequest"


@pytest.mark.parametrize("levels", [101, 150, 5000, 200_000])
def test_structured_text_nested_too_deep_is_400(client, levels):
    response = client.post("/process", data=nested_json(levels), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.invalid"


@pytest.mark.parametrize("levels", [101, 50_000])
def test_structured_text_nested_too_deep_in_a_multipart_request_is_400(client, multipart, levels):
    body, content_type = multipart([("request", "application/json", nested_json(levels).encode(), None)])
    response = client.post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.invalid"


@pytest.mark.parametrize("request_type", ["audio", "image"])
def test_binary_request_as_plain_json_without_content_reaches_the_classic_service(client, request_type):
    # As in the elg package: process_audio/process_image get content None and decide.
    response = client.post("/process", json={"type": request_type})

    assert response.status_code == 200
    features = response.get_json()["response"]["features"]
    assert features["class"] == f"{request_type.capitalize()}Request" and "size" not in features


@pytest.mark.parametrize("request_type", ["audio", "image"])
def test_binary_request_as_plain_json_without_content_is_400_when_content_is_required(request_type):
    class Strict(Echo):
        content_required = True

    response = Strict("strict").app.test_client().post("/process", json={"type": request_type})

    assert response.status_code == 400
    assert response.get_json() == failure(
        "elg.request.invalid",
        [],
        "Invalid request message",
        {
            "reason": f"{request_type} requests carry their {request_type} as the content part of a "
            "multipart body, or as a raw body"
        },
    )
