"""multipart/form-data audio and image requests: large parts arrive intact, malformed bodies are 400."""

from __future__ import annotations

import gc
import hashlib
import os

import pytest

from elg_decorators import FlaskService
from elg_decorators.model import AnnotationsResponse

AUDIO = os.urandom(20 * 1024 * 1024)
AUDIO_SHA256 = hashlib.sha256(AUDIO).hexdigest()


class Receiver(FlaskService):
    """Keeps what the handler received, answers with its size, hash and format."""

    received: list

    def process_audio(self, request):
        self.received.append(request)
        return AnnotationsResponse(
            features={
                "size": len(request.content),
                "sha256": hashlib.sha256(request.content).hexdigest(),
                "format": request.format,
                "sampleRate": request.sample_rate,
            }
        )

    def process_image(self, request):
        self.received.append(request)
        return AnnotationsResponse(features={"size": len(request.content), "format": request.format})


@pytest.fixture(autouse=True)
def collect_garbage():
    """Collect after each test, so a file a test leaves open is reported against that test."""
    yield
    gc.collect()


@pytest.fixture
def service():
    service = Receiver("receiver")
    service.received = []
    return service


def failure_of(response):
    assert response.mimetype == "application/json"
    [error] = response.get_json()["failure"]["errors"]
    return error


@pytest.mark.parametrize("request_first", [True, False], ids=["request-first", "content-first"])
@pytest.mark.parametrize("filename", ["speech.mp3", None], ids=["with-filename", "without-filename"])
def test_20mb_audio_part_arrives_byte_for_byte(service, multipart, request_first, filename):
    request_part = ("request", "application/json", b'{"type":"audio","sampleRate":16000}', None)
    content_part = ("content", "audio/mpeg", AUDIO, filename)
    parts = [request_part, content_part] if request_first else [content_part, request_part]
    body, content_type = multipart(parts)

    response = service.app.test_client().post("/process", data=body, content_type=content_type)

    assert response.status_code == 200
    # no "format" in the JSON: inferred from the part's audio/mpeg type
    assert response.get_json() == {
        "response": {
            "type": "annotations",
            "features": {"size": len(AUDIO), "sha256": AUDIO_SHA256, "format": "MP3", "sampleRate": 16000},
        }
    }
    [received] = service.received
    assert len(received.content) == len(AUDIO) and received.content == AUDIO


@pytest.mark.parametrize(
    "part_type, declared, expected",
    [
        ("audio/x-wav", None, "LINEAR16"),
        ("audio/wav", None, "LINEAR16"),
        ("audio/mpeg", None, "MP3"),
        ("application/octet-stream", None, "LINEAR16"),
        ("audio/mpeg", "LINEAR16", "LINEAR16"),  # the JSON's format wins over the part type
    ],
)
def test_audio_format_from_json_or_part_type(service, multipart, part_type, declared, expected):
    request_json = (
        b'{"type":"audio"}' if declared is None else f'{{"type":"audio","format":"{declared}"}}'.encode()
    )
    body, content_type = multipart(
        [("request", "application/json", request_json, None), ("content", part_type, b"RIFF....", "a")]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json()["response"]["features"]["format"] == expected


def test_image_format_inferred_from_the_part_type(service, multipart):
    body, content_type = multipart(
        [
            ("content", "image/gif", b"GIF89a", "x.gif"),
            ("request", "application/json", b'{"type":"image"}', None),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json() == {
        "response": {"type": "annotations", "features": {"size": 6, "format": "gif"}}
    }


def test_parts_of_other_names_are_400_naming_the_part(service, multipart):
    body, content_type = multipart(
        [
            ("meta", "application/json; charset=utf-8", b'{"type":"audio"}', None),
            ("file", "audio/mpeg", b"ID3", "a.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    [error] = response.get_json()["failure"]["errors"]
    assert error["code"] == "elg.request.invalid"
    assert error["detail"]["reason"] == (
        "the multipart body has a part named 'meta': an ELG request has a \"request\" part (the JSON request) "
        "and a \"content\" part (the audio or image)"
    )


def test_request_part_without_content_type_is_read_by_name(service, multipart):
    body, content_type = multipart(
        [("request", None, b'{"type":"audio","format":"MP3"}', None), ("content", None, b"ID3", None)]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.get_json()["response"]["features"]["size"] == 3


def test_no_request_part_is_400(service, multipart):
    body, content_type = multipart([("content", "audio/mpeg", b"ID3" * 10, "a.mp3")])
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"
    assert service.received == []


@pytest.mark.parametrize("size", [100, 3 * 1024 * 1024], ids=["small", "spooled-to-disk"])
def test_two_content_parts_is_400(service, multipart, size):
    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"audio"}', None),
            ("content", "audio/mpeg", b"a" * size, "a.mp3"),
            ("content", "audio/mpeg", b"b" * size, "b.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"
    assert service.received == []


def test_two_request_parts_is_400(service, multipart):
    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"audio"}', None),
            ("request", "application/json", b'{"type":"audio"}', None),
            ("content", "audio/mpeg", b"ID3", "a.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"


def test_audio_request_without_content_part_reaches_the_service_with_content_none(service, multipart):
    # As in the elg package: the service's own check answers (here it fails on len(None)).
    body, content_type = multipart([("request", "application/json", b'{"type":"audio"}', None)])
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 500
    assert failure_of(response)["params"] == ["object of type 'NoneType' has no len()"]
    assert service.received[-1].content is None and service.received[-1].format == "LINEAR16"


def test_missing_boundary_is_400(service, multipart):
    body, _ = multipart(
        [
            ("request", "application/json", b'{"type":"audio"}', None),
            ("content", "audio/mpeg", b"ID3", "a.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type="multipart/form-data")
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"


@pytest.mark.parametrize("keep", [0.5, 0.99], ids=["half", "all-but-closing-boundary"])
@pytest.mark.parametrize("size", [1000, 3 * 1024 * 1024], ids=["small", "spooled-to-disk"])
def test_truncated_body_is_400(service, multipart, keep, size):
    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"audio"}', None),
            ("content", "audio/mpeg", b"x" * size, "a.mp3"),
        ]
    )
    truncated = body[: int(len(body) * keep)] if keep < 0.99 else body[:-20]
    response = service.app.test_client().post("/process", data=truncated, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"
    assert service.received == []


def test_request_part_that_is_not_json_is_400(service, multipart):
    body, content_type = multipart(
        [("request", "application/json", b'{"type":', None), ("content", "audio/mpeg", b"ID3", "a.mp3")]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"


def test_request_part_that_is_a_json_list_is_400(service, multipart):
    body, content_type = multipart(
        [
            ("request", "application/json", b'[{"type":"audio"}]', None),
            ("content", "audio/mpeg", b"ID3", "a.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"


def test_oversized_request_part_is_400(service, multipart):
    body, content_type = multipart(
        [
            ("request", "application/json", b'{"type":"audio","x":"' + b"y" * 2_000_000 + b'"}', None),
            ("content", "audio/mpeg", b"ID3", "a.mp3"),
        ]
    )
    response = service.app.test_client().post("/process", data=body, content_type=content_type)
    assert response.status_code == 400
    assert failure_of(response)["code"] == "elg.request.invalid"
