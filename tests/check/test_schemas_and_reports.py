"""The shipped JSON Schemas (fresh, right about known documents, read alike by jsonschema and check's
validator) and check's command line: exit statuses, focus options, JUnit and JSON reports."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from elg_decorators.check import json_schemas
from elg_decorators.check.registry import CASES, GROUPS
from elg_decorators.check.runner import selected
from elg_decorators.cli import main

from .conftest import REPOSITORY, failed, free_port, run_check

GOOD: list[tuple[str, Any]] = [
    ("request", {"type": "text", "content": "hello", "params": {"lang": "en"}}),
    ("request.text", {"type": "text", "content": "x", "annotations": {"P": [{"start": 0, "end": 1}]}}),
    ("request.structuredText", {"type": "structuredText", "texts": [{"content": "a"}, {"texts": [{"content": "b"}]}]}),
    ("request.audio", {"type": "audio", "format": "LINEAR16", "sampleRate": 16000}),
    ("request.image", {"type": "image", "format": "png"}),
    ("response", {"response": {"type": "annotations", "annotations": {"P": [{"start": 0, "end": 2.5}]}}}),
    ("response.classification", {"response": {"type": "classification", "classes": [{"class": "a", "score": 1}]}}),
    ("response.texts", {"response": {"type": "texts", "texts": [{"content": "a", "role": "sentence"}]}}),
    ("response.audio", {"response": {"type": "audio", "content": "UklGRg==", "format": "LINEAR16"}}),
    ("failure", {"failure": {"errors": [{"code": "elg.request.invalid", "text": "Invalid", "params": []}]}}),
    ("progress", {"progress": {"percent": 50.0}}),
]
BAD: list[tuple[str, Any]] = [
    ("request", {"content": "no type"}),
    ("request", {"type": "video"}),
    ("request.text", {"type": "text"}),
    ("response", {"response": {"annotations": {}}}),
    ("response", {"response": {"type": "annotations", "annotations": {"P": [{"start": "0", "end": 1}]}}}),
    ("response.classification", {"response": {"type": "classification", "classes": [{"class": 3}]}}),
    ("response.audio", {"response": {"type": "audio"}}),
    ("failure", {"failure": {"errors": []}}),
    ("failure", {"failure": {"errors": [{"text": "no code", "params": []}]}}),
    ("failure", {"failure": {"errors": [{"code": "x.y", "text": "t", "params": [1]}]}}),
    ("progress", {"progress": {"message": "no percent"}}),
    ("response", {"failure": {"errors": []}}),
]


def test_the_shipped_schemas_are_those_the_models_give() -> None:
    generated = json_schemas.generate()
    assert sorted(generated) == sorted(path.name for path in json_schemas.SCHEMA_DIR.glob("*.json"))
    for name, document in generated.items():
        assert (json_schemas.SCHEMA_DIR / name).read_text(encoding="utf-8") == json_schemas.render(document), (
            f"{name} is stale: run python -m elg_decorators.check.json_schemas")


@pytest.mark.parametrize(("name", "document"), GOOD)
def test_known_good_documents_validate(name: str, document: Any) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schemas.load(name))
    jsonschema.validate(document, json_schemas.load(name), cls=jsonschema.Draft202012Validator)
    assert json_schemas.validate(document, name) == []


@pytest.mark.parametrize(("name", "document"), BAD)
def test_known_bad_documents_do_not(name: str, document: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, json_schemas.load(name), cls=jsonschema.Draft202012Validator)
    assert json_schemas.validate(document, name)


def test_cases_have_stable_unique_identities() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert all(case.group in GROUPS and case.section and case.level.value in ("MUST", "SHOULD") for case in CASES)
    assert {case.group for case in CASES} == set(GROUPS)


def test_only_and_skip_focus_the_run() -> None:
    assert {case.group for case in selected(["invalid"], [])} == {"invalid"}
    assert "INVAL-SIZE-001" not in {case.id for case in selected(["invalid"], ["INVAL-SIZE-001"])}
    with pytest.raises(ValueError, match="no group or case"):
        selected(["nonsense"], [])


def test_usage_errors_and_unreachable_services_exit_2(tmp_path: Path) -> None:
    assert main(["check", f"http://127.0.0.1:{free_port()}/process"]) == 2
    assert main(["check", "http://127.0.0.1:1/process", "--only", "nonsense"]) == 2
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert main(["check", "http://127.0.0.1:1/process", "--param", "novalue"]) == 2


def test_junit_report_is_read_as_ci_systems_read_it(tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    status, document, summary = run_check(tmp_path, str(REPOSITORY / "examples" / "sentiment.py"),
                                          "--junit", str(junit), "--only", "valid", "--only", "invalid")
    assert status == 0 and not failed(document)
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and {suite.get("name") for suite in root} == {"valid", "invalid"}
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(document["cases"])
    skipped = [case for case in cases if case.find("skipped") is not None]
    assert skipped and all(case.find("skipped").get("message") for case in skipped)  # type: ignore[union-attr]
    assert "the endpoint takes no audio requests" in summary
