"""Schemathesis against every example's own ``GET /openapi.json``: the document matches what the server accepts.

For each example the WSGI app is driven in-process with schema-valid (positive) and
schema-violating (negative) requests, a bounded and reproducible number of each
(``derandomize``), and every answer is checked:

(Raw audio and image bodies are serialised by ``conftest``.)

* no 5xx; status, content type, headers and body as the document says;
* a schema-violating request is refused (schemathesis's ``negative_data_rejection``);
* a schema-valid request is never refused by the framework: the body is parsed by the
  protocol layer on its way in (a WSGI wrapper records the outcome) and must parse. The
  handler itself may still refuse what it cannot process (a WAV file that is not one, a
  language pair it does not translate): the document cannot know that, so schemathesis's
  ``positive_data_acceptance``, which would demand a 2xx there, is replaced by this check.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from elg_decorators.errors import ProcessingError
from elg_decorators.kinds import REQUEST_KINDS
from elg_decorators.protocol.parsing import parse_request
from elg_decorators.wsgi import load_app
from elg_decorators.runtime.service_runtime import runtime_of

from .conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.py"))
#: Generated requests per operation and generation mode.
MAX_EXAMPLES = 25


class ParsedOnTheWayIn:
    """WSGI wrapper: parses each POST body with the protocol layer, records the failure if any, then calls the app."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.refusal: ProcessingError | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.refusal = None
        if environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                parse_request(environ.get("CONTENT_TYPE"), io.BytesIO(body),
                              lambda: parse_qs(environ.get("QUERY_STRING", "")))
            except ProcessingError as refusal:
                self.refusal = refusal
        return self.app(environ, start_response)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]


def run_schemathesis(example: Path) -> dict[str, str]:
    """Every distinct mismatch schemathesis finds against ``example``: a short label -> one instance of it."""
    flask_app = load_app(str(example))
    runtime = runtime_of(flask_app)
    if runtime is not None:  # a model trained at resource creation: fuzz the service, not its start-up
        runtime.start()
        runtime.wait()
    app = ParsedOnTheWayIn(flask_app)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    mismatches: dict[str, str] = {}
    for result in schema.get_all_operations():
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            exercise(app, result.ok(), mode, mismatches)
    return mismatches


def exercise(app: ParsedOnTheWayIn, operation: Any, mode: schemathesis.GenerationMode,
             mismatches: dict[str, str]) -> None:
    """Send MAX_EXAMPLES requests of ``mode`` to ``operation``; add what does not match to ``mismatches``."""
    positive = mode is schemathesis.GenerationMode.POSITIVE

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def one_request(case: schemathesis.Case) -> None:
        if not positive and case.media_type in REQUEST_KINDS["text"].raw_media_types:
            # Any bytes are text: a non-string value "violating" a text body is still valid text on the wire.
            assume(isinstance(case.body, str))
        try:
            response = case.call_and_validate(checks=CHECKS)
        except Exception as failure:  # schemathesis reports a group of failed checks
            label = f"{operation.label} {mode.value} {case.media_type}: {type(failure).__name__}"
            mismatches.setdefault(label, f"{case.body!r:.300}\n{failure}"[:2000])
            return
        if positive and app.refusal is not None:
            label = f"{operation.label} positive {case.media_type}: refused by the framework"
            mismatches.setdefault(label, f"{case.body!r:.300}\n{response.status_code} {response.text:.500}")

    one_request()


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.stem for example in EXAMPLES])
def test_schemathesis_finds_no_mismatch(example: Path) -> None:
    mismatches = run_schemathesis(example)
    assert not mismatches, "\n\n".join(f"{label}\n{instance}" for label, instance in mismatches.items())


def test_the_parse_check_can_fail() -> None:
    """The wrapper sees a refusal the document would have to explain: a text request without ``type``."""
    app = ParsedOnTheWayIn(load_app(str(REPO / "examples" / "dictionary_ner.py")))
    body = b'{"content": "Ada Lovelace"}'
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/process", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "QUERY_STRING": ""}
    statuses: list[str] = []
    b"".join(app(environ, lambda status, headers, *rest: statuses.append(status)))
    assert statuses == ["400 BAD REQUEST"]
    assert app.refusal is not None and app.refusal.failure.errors[0].code == "elg.request.invalid"
