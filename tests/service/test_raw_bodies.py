"""Raw audio, image and text bodies (as the public ELG API sends them), params from the query string."""

from __future__ import annotations

import hashlib
import os

import pytest

from elg_decorators import FlaskService
from elg_decorators.model import AnnotationsResponse


class Raw(FlaskService):
    def binary(self, request):
        return AnnotationsResponse(
            features={
                "class": type(request).__name__,
                "format": request.format,
                "params": request.params,
                "size": len(request.content),
                "sha256": hashlib.sha256(request.content).hexdigest(),
            }
        )

    process_audio = process_image = binary

    def process_text(self, request):
        return AnnotationsResponse(
            features={"content": request.content, "mimeType": request.mime_type, "params": request.params}
        )


@pytest.fixture
def client():
    return Raw("raw").app.test_client()


@pytest.mark.parametrize(
    "content_type, request_class, expected_format",
    [
        ("audio/wav", "AudioRequest", "LINEAR16"),
        ("audio/x-wav", "AudioRequest", "LINEAR16"),
        ("audio/mpeg", "AudioRequest", "MP3"),
        ("image/png", "ImageRequest", "png"),
        ("image/jpeg", "ImageRequest", "jpeg"),
    ],
)
def test_raw_binary_body_with_params_from_the_query_string(
    client, content_type, request_class, expected_format
):
    data = os.urandom(300_000)
    response = client.post("/process?lang=en&tag=a&tag=b", data=data, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json() == {
        "response": {
            "type": "annotations",
            "features": {
                "class": request_class,
                "format": expected_format,
                "params": {"lang": "en", "tag": ["a", "b"]},
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        }
    }


def test_raw_body_without_query_has_no_params(client):
    response = client.post("/process", data=b"ID3\x03", content_type="audio/mpeg")
    assert response.get_json()["response"]["features"]["params"] is None


@pytest.mark.parametrize(
    "content_type, mime_type, body",
    [
        ("text/plain", "text/plain", "Grüße, 世界".encode()),
        ("text/plain; charset=utf-8", "text/plain", "Grüße, 世界".encode()),
        ("text/plain; charset=iso-8859-1", "text/plain", "Grüße".encode("latin-1")),
        ("text/html", "text/html", "<p>Grüße</p>".encode()),
    ],
)
def test_raw_text_body(client, content_type, mime_type, body):
    text = body.decode("latin-1" if "8859" in content_type else "utf-8")
    response = client.post("/process?lang=de", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json() == {
        "response": {
            "type": "annotations",
            "features": {"content": text, "mimeType": mime_type, "params": {"lang": "de"}},
        }
    }


def test_raw_text_that_is_not_valid_utf8_is_400(client):
    response = client.post("/process", data=b"\xff\xfe\xfa", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.invalid"


@pytest.mark.parametrize("content_type, bad_format", [("image/jpg", "jpg"), ("image/svg+xml", "svg+xml")])
def test_raw_image_of_an_unsupported_format_is_400(client, content_type, bad_format):
    response = client.post("/process", data=b"\x00" * 10, content_type=content_type)
    assert response.status_code == 400
    [error] = response.get_json()["failure"]["errors"]
    assert (error["code"], error["params"]) == ("elg.request.image.format.unsupported", [bad_format])


@pytest.mark.parametrize("content_type", ["audio/wav", "image/png", "text/plain", "application/json"])
def test_empty_body_is_elg_request_missing(client, content_type):
    response = client.post("/process", data=b"", content_type=content_type)
    assert response.status_code == 400
    assert response.get_json() == {
        "failure": {
            "errors": [
                {
                    "code": "elg.request.missing",
                    "params": [],
                    "text": "No request provided in message",
                    "detail": {},
                }
            ]
        }
    }
