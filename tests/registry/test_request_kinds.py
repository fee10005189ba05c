"""The table of request kinds is the one place a kind is described.

A made-up fifth kind, ``video``, is added to a private copy of the table and served end to
end (decorator, parsing of JSON, multipart and bare bodies, binding, dispatch, OpenAPI, the
test client, a classic FlaskService, and deploy's files) with no other change to the framework.
``tests/deploy/test_deploy_kinds.py`` deploys it from a script and validates the ELG-SHARE record.
"""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field

from elg_decorators import FlaskService, Registry, create_app
from elg_decorators.deploy.description import Endpoint, RecordDetails, ServiceDescription
from elg_decorators.deploy.files import METADATA_FILE, render_files, write_files
from elg_decorators.deploy.metadata import derived_resources
from elg_decorators.kinds import REQUEST_KINDS, RawBody, RequestKind
from elg_decorators.model import TextsResponse
from elg_decorators.model.request import Request
from elg_decorators.registry.decorators import service_decorator
from elg_decorators.testing import ServiceClient


class VideoRequest(Request):
    """A made-up request kind: a video, whose bytes travel beside the JSON."""

    type: Literal["video"] = "video"
    content: bytes | None = Field(None, exclude=True)
    format: str = "mp4"
    fps: int | None = None


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
    def describe(content: bytes, format: str, fps: int | None = None, speed: float = 1.0) -> TextsResponse:
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


def test_deploy_writes_the_files_of_a_fifth_kind(video_registry: Registry, tmp_path: Path) -> None:
    (served,) = video_registry.describe_endpoints()
    description = ServiceDescription(
        name="videos", image="registry.example.org/videos:1.0", image_repository="registry.example.org/videos",
        version="1.0", record=RecordDetails("Videos", "Describes videos."),
        endpoints=(Endpoint(served.path, served.path, served.request_kinds, served.response_kinds),),
    )
    written = write_files(tmp_path, render_files(description))
    assert len(written) == 4
    assert derived_resources(description) == ["'video' requests (as file1, mediaType video)"]
    namespace = "{http://w3id.org/meta-share/meta-share/}"
    (resource,) = ET.parse(tmp_path / METADATA_FILE).getroot().iter(namespace + "inputContentResource")
    assert [(child.tag.replace(namespace, ""), child.text) for child in resource] == [
        ("processingResourceType", "http://w3id.org/meta-share/meta-share/file1"),
        ("mediaType", "http://w3id.org/meta-share/meta-share/video"),
    ]
