"""``deploy`` reads the kinds and the service's description of its endpoints.

A made-up fifth request kind is deployed from a script (its decorator teaches the loading
registry the kind): the record derives what ELG-SHARE says about it and a note says so.
Two paths declaring different responses each get their own output resource.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from deploy_helpers import MS, record_rule_problems

IMAGE = "registry.example.org/me/video:1.0"

VIDEO_SCRIPT = '''\
"""Counts the bytes of a video."""
from typing import Literal, Optional

from pydantic import Field

from elg_decorators.kinds import RawBody, RequestKind
from elg_decorators.model import TextsResponse
from elg_decorators.model.request import Request
from elg_decorators.registry.decorators import service_decorator


class VideoRequest(Request):
    type: Literal["video"] = "video"
    content: Optional[bytes] = Field(None, exclude=True)
    format: str = "mp4"


video_service = service_decorator(RequestKind(
    "video", VideoRequest, "process_video", "video_service", binary=True,
    raw_bodies=(RawBody("video/*", subtype_field="format"),),
))


@video_service
def count(content: bytes) -> TextsResponse:
    return TextsResponse(texts=[{"content": str(len(content))}])
'''

TWO_RESPONSES_SCRIPT = '''\
"""Finds names, and translates."""
from elg_decorators import text_service
from elg_decorators.model import AnnotationsResponse, TextsResponse


@text_service("/ner")
def ner(content: str) -> AnnotationsResponse:
    return AnnotationsResponse(annotations={})


@text_service("/translate")
def translate(content: str) -> TextsResponse:
    return TextsResponse(texts=[{"content": content}])
'''


def deploy(script: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "elg_decorators", "deploy", str(script), "--image", IMAGE, "--language", "en",
         "--output", str(script.parent / "out"), *arguments],
        cwd=script.parent, capture_output=True, text=True, timeout=120,
    )


def resources(record: bytes, name: str) -> list[list[str]]:
    """Each ``name`` resource of the record: its processing type, media type, data formats and encoding
    (the last part of each vocabulary URI)."""
    tool = ET.fromstring(record).find("ms:DescribedEntity/ms:LanguageResource/ms:LRSubclass/ms:ToolService", MS)
    assert tool is not None
    return [
        [(child.text or "").rsplit("/", 1)[-1] for child in resource
         if child.tag.split("}")[1] in ("processingResourceType", "mediaType", "dataFormat", "characterEncoding")]
        for resource in tool.findall(f"ms:{name}", MS)
    ]


def test_a_fifth_request_kind_deploys_with_a_note(tmp_path: Path, elg_share_schema: object) -> None:
    script = tmp_path / "video.py"
    script.write_text(VIDEO_SCRIPT, encoding="utf-8")
    result = deploy(script)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "elg-deployment.yaml", "elg-metadata.xml", "knative-service.yaml", "kubernetes.yaml"]
    assert ("note: elg-metadata.xml describes 'video' requests (as file1, mediaType video) from the kind alone, "
            "which gives no ELG-SHARE facts; give the kind elg_share=ShareResource(...) to state them"
            ) in result.stderr.splitlines()
    record = (tmp_path / "out" / "elg-metadata.xml").read_bytes()
    assert list(elg_share_schema.iter_errors(record.decode())) == []  # type: ignore[attr-defined]
    assert record_rule_problems(record, image=IMAGE, port=8000, served_paths=["/process"], languages=["en"]) == []
    assert resources(record, "inputContentResource") == [["file1", "video"]]
    assert resources(record, "outputResource") == [["outputText", "text", "Json", "UTF-8"]]


def test_each_path_has_the_response_its_handler_declares(tmp_path: Path, elg_share_schema: object) -> None:
    script = tmp_path / "two.py"
    script.write_text(TWO_RESPONSES_SCRIPT, encoding="utf-8")
    result = deploy(script)
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if "output" in line or "kind alone" in line]
    record = (tmp_path / "out" / "elg-metadata.xml").read_bytes()
    assert list(elg_share_schema.iter_errors(record.decode())) == []  # type: ignore[attr-defined]
    assert resources(record, "inputContentResource") == [["userInputText", "text", "Text", "UTF-8"]]
    assert resources(record, "outputResource") == [
        ["file1", "text", "Json", "UTF-8"],  # annotations
        ["outputText", "text", "Json", "UTF-8"],  # texts
    ]


def test_a_classic_service_of_a_fifth_kind_deploys(tmp_path: Path, elg_share_schema: object) -> None:
    script = tmp_path / "classic_video.py"
    script.write_text(textwrap.dedent('''\
        from typing import Literal, Optional

        from pydantic import Field

        from elg_decorators import FlaskService
        from elg_decorators.kinds import REQUEST_KINDS, RequestKind
        from elg_decorators.model import TextsResponse
        from elg_decorators.model.request import Request


        class VideoRequest(Request):
            type: Literal["video"] = "video"
            content: Optional[bytes] = Field(None, exclude=True)


        class Videos(FlaskService):
            kinds = REQUEST_KINDS.with_kind(RequestKind("video", VideoRequest, "process_video", "video_service",
                                                        binary=True))

            def process_video(self, request) -> TextsResponse:
                return TextsResponse(texts=[{"content": str(len(request.content))}])
    '''), encoding="utf-8")
    result = deploy(script)
    assert result.returncode == 0, result.stderr
    assert ("note: elg-metadata.xml describes 'video' requests (as file1, mediaType video) from the kind alone, "
            "which gives no ELG-SHARE facts; give the kind elg_share=ShareResource(...) to state them"
            ) in result.stderr.splitlines()
    record = (tmp_path / "out" / "elg-metadata.xml").read_bytes()
    assert list(elg_share_schema.iter_errors(record.decode())) == []  # type: ignore[attr-defined]
    assert resources(record, "inputContentResource") == [["file1", "video"]]
    assert resources(record, "outputResource") == [["outputText", "text", "Json", "UTF-8"]]
