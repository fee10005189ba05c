"""``check`` against the reference elg 0.6.0 FlaskService: exactly its known deviations, under stable IDs."""
from __future__ import annotations

import json
from pathlib import Path

from elg_decorators.cli import main

from .conftest import Services

#: What the reference gets wrong, as check reports it (elg-api.md, section 5).
KNOWN_MUST = {
    "INVAL-JSON-001",  # malformed JSON: Flask's 400 HTML page
    "INVAL-JSON-003",  # JSON that is not an object: 500 HTML (AttributeError)
    "INVAL-TYPE-001",  # no type: 500 HTML (unbound request)
    "INVAL-TYPE-003",  # an unknown type: 500 HTML (unbound request)
    "RESP-HTML-001",   # those HTML pages, seen from the responses group
}
KNOWN_SHOULD = {
    "CONN-004",        # an unknown content type: 500 HTML rather than a 415 failure
    "CONN-005",        # GET: Flask's HTML 405
    "CONN-006",        # an unknown path: Flask's HTML 404
    "HEALTH-001",      # no /health
    "INVAL-JSON-002", "INVAL-JSON-004", "INVAL-TYPE-002", "INVAL-TYPE-004",  # not ELG failures at all
    "INVAL-KIND-002",  # a kind it does not take: HTTP 200 and elg.service.internalError
    "INVAL-SIZE-001", "INVAL-SIZE-002",  # no size limit
    "INVAL-CHARSET-001", "INVAL-CHARSET-002",  # an unknown charset
    "RESP-JSON-001",   # HTML pages are not application/json
}


def test_reference_flask_service_shows_its_known_deviations(services: Services, tmp_path: Path) -> None:
    server = services.reference("check_annotator.py")
    report = tmp_path / "report.json"
    status = main(["check", f"http://127.0.0.1:{server.port}/process", "--type", "text", "--json", str(report),
                   "--max-size", str(1024 * 1024)])
    document = json.loads(report.read_text())
    failed = {(case["id"], case["level"]) for case in document["cases"] if case["outcome"] == "failed"}
    assert status == 1
    assert {case_id for case_id, level in failed if level == "MUST"} == KNOWN_MUST, document
    assert {case_id for case_id, level in failed if level == "SHOULD"} == KNOWN_SHOULD, document
