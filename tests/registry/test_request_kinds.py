"""The table of request kinds is the one place a kind is described.

A made-up fifth kind, ``video``, is added to a private copy of the table and served end to
end (decorator, parsing of JSON, multipart and bare bodies, binding, dispatch, OpenAPI, the
test client, and a classic FlaskService) with no other change to the framework.
"""
from __future__ import annotations

import io
import json
from typing import Any, Literal, Optional

import pytest
from pydantic import Field

from elg_decorators import FlaskService, Registry, create_app
from elg_decorators.kinds import REQUEST_KINDS, RawBody, RequestKind
from elg_decorators.model import TextsResponse
from elg_decorators.model.request import Request
from elg_decorators.registry.decorators import service_decorator
from elg_decorators.testing import ServiceClient


class VideoRequest(Request):
    """A made-up request kind: a video, whose bytes travel beside the JSON."""

    type: Literal["video"] = "video"
    content: Optional[bytes] = Field(None, exclude=True)
    format: str = "mp4"
    fps: Optional[int] = None


VIDEO = RequestKind(
    "video", VideoRequest, "process_video", "video_service", binary=True,
    raw_bodies=(RawBody("video/*", subtype_field="format"),),
)
KINDS = REQUEST_KINDS.with_kind(VIDEO)
video_service = service_decorator(VIDEO)


@pytest.fixture
def video_registry() -> Registry:
    registry = Registry("videos", kinds=KINDS)

    @video_service(registry=registry)
    def describe(content: bytes, format: str, fps: Optional[int] = None, speed: float = 1.0) -> TextsResponse:
        return TextsResponse(texts=[{"content": f"{len(content)} bytes of {format} at {fps} fps, x{speed}"}])

    return registry


def test_the_table_is_not_changed_by_a_private_copy() -> None:
    assert REQUEST_KINDS.types == ("text", "structuredText", "audio", "image")
    assert KINDS.types == ("text", "structuredText", "audio", "image", "video")


def test_the_decorator_is_named_and_documented_from_the_table() -> None:
    assert video_service.__name__ == "video_service"
    assert "video requests" in (video_service.__doc__ or "")
    assert "``fps``" in (video_service.__doc__ or "")


def test_a_fifth_kind_is_served_from_multipart_bytes(video_registry: Registry) -> None:
    http = create_app(video_registry).test_client()
    meta = json.dumps({"type": "video", "format": "webm", "fps": 25, "params": {"speed": "2"}})
    response = http.post("/process", content_type="multipart/form-data", data={
        "request": (io.BytesIO(meta.encode()), "request.json", "application/json"),
        "content": (io.BytesIO(b"\x00" * 10), "clip", "application/octet-stream"),
    })
    assert response.status_code == 200
    assert response.get_json() == {
        "response": {"type": "texts", "texts": [{"content": "10 bytes of webm at 25 fps, x2.0"}]}
    }


def test_a_fifth_kind_is_served_from_a_bare_body_of_its_media_type(video_registry: Registry) -> None:
    http = create_app(video_registry).test_client()
    response = http.post("/process?fps=30", data=b"\x01\x02\x03", content_type="video/ogg")
    assert response.status_code == 200
    assert response.get_json()["response"]["texts"][0]["content"] == "3 bytes of ogg at None fps, x1.0"


def test_a_fifth_kind_without_its_content_is_a_400(video_registry: Registry) -> None:
    http = create_app(video_registry).test_client()
    response = http.post("/process", json={"type": "video"})
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.invalid"


def test_other_kinds_are_unsupported_by_a_video_only_service(video_registry: Registry) -> None:
    http = create_app(video_registry).test_client()
    response = http.post("/process", json={"type": "text", "content": "hello"})
    assert response.status_code == 400
    assert response.get_json()["failure"]["errors"][0]["code"] == "elg.request.type.unsupported"


def test_a_fifth_kind_is_in_the_openapi_document(video_registry: Registry) -> None:
    document = create_app(video_registry).test_client().get("/openapi.json").get_json()
    body = document["paths"]["/process"]["post"]["requestBody"]["content"]
    assert body["multipart/form-data"]["schema"]["properties"]["request"] == {"allOf": [
        {"$ref": "#/components/schemas/VideoRequest"},
        {"properties": {"params": {
            "type": ["object", "null"], "properties": {"speed": {"type": "number", "default": 1.0}},
        }}},
    ]}
    assert set(body) == {"multipart/form-data", "video/*"}  # binary kinds never travel inside JSON
    assert "content" not in document["components"]["schemas"]["VideoRequest"]["properties"]


def test_the_test_client_sends_a_fifth_kind(video_registry: Registry) -> None:
    client = ServiceClient(video_registry)
    assert client.call("video", b"\x00" * 4, format="avi", params={"speed": 3}) == TextsResponse(
        texts=[{"content": "4 bytes of avi at None fps, x3.0"}]
    )


def test_a_classic_service_takes_a_fifth_kind_through_its_process_method() -> None:
    class Videos(FlaskService):
        kinds = KINDS

        def process_video(self, request: Any) -> TextsResponse:
            return TextsResponse(texts=[{"content": f"{request.format}: {len(request.content)}"}])

    service = Videos("videos")
    assert Videos.supported_request_types() == ["video"]
    response = service.app.test_client().post("/process", data=b"abc", content_type="video/mp4")
    assert response.get_json() == {"response": {"type": "texts", "texts": [{"content": "mp4: 3"}]}}
