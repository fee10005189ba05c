"""``check`` against real services over HTTP: the examples, a correct plain Flask service, and the same
service with one defect planted per group."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPOSITORY, failed, run_check
from .services.plain_flask import MAX_SIZE

EXAMPLE_ARGS = {
    "translate.py": ["--var", "src=en", "--var", "tgt=de"],
    "classic_flask_service.py": ["--var", "mode=upper"],
}
EXAMPLES = sorted(path.name for path in (REPOSITORY / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_passes_every_must(example: str, tmp_path: Path) -> None:
    status, document, summary = run_check(tmp_path, str(REPOSITORY / "examples" / example),
                                          *EXAMPLE_ARGS.get(example, []))
    assert status == 0, summary
    assert not failed(document, "MUST"), summary
    assert document["counts"]["passed"] >= 25, summary


def test_a_full_run_against_an_example_is_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    status, document, summary = run_check(tmp_path, str(REPOSITORY / "examples" / "dictionary_ner.py"))
    assert status == 0, summary
    assert time.monotonic() - started < 10, summary
    assert not failed(document), summary  # not even a SHOULD


def test_a_correct_plain_flask_service_passes_everything(plain_flask: Any, tmp_path: Path) -> None:
    server = plain_flask("none")
    status, document, summary = run_check(tmp_path, server.url, "--type", "text", "--max-size", str(MAX_SIZE),
                                          "--strict")
    assert status == 0, summary
    assert not failed(document), summary


#: Each planted defect and the case that must catch it (with its level).
DEFECTS = {
    "failure-without-code": ("RESP-FAIL-001", "MUST"),
    "annotation-past-end": ("RESP-OFFS-001", "MUST"),
    "utf16-offsets": ("RESP-OFFS-002", "MUST"),
    "html-404": ("CONN-006", "SHOULD"),
    "bad-stream": ("PROG-001", "MUST"),
    "wrong-kind-200": ("INVAL-KIND-002", "SHOULD"),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_planted_defect_is_caught(defect: str, plain_flask: Any, tmp_path: Path) -> None:
    case_id, level = DEFECTS[defect]
    server = plain_flask(defect)
    status, document, summary = run_check(tmp_path, server.url, "--type", "text", "--max-size", str(MAX_SIZE))
    assert case_id in failed(document, level), summary
    assert status == (1 if level == "MUST" else 0), summary
    strict_status, _, _ = run_check(tmp_path, server.url, "--type", "text", "--max-size", str(MAX_SIZE), "--strict")
    assert strict_status == 1
    found = next(case for case in document["cases"] if case["id"] == case_id and case["outcome"] == "failed")
    # Every failure says why, what was expected (with the section), what was sent and how to repeat it.
    assert found["why"] and found["section"] in found["expected"]
    if "curl" in found:
        assert found["curl"].split(" | ")[-1].startswith("curl ") and server.url.rsplit("/", 1)[0] in found["curl"]
        assert found["answer"]["status"] > 0
