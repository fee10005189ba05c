"""API fuzzing with schemathesis against the service's own ``GET /openapi.json`` (OpenAPI 3.1).

The WSGI app is driven in-process; every generated call (positive and negative data) must
get no 5xx, and every response must match the status, content type and schema the document
gives it.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from elg_decorators import create_app
from elg_decorators.discovery import load_registry
from elg_decorators.kinds import REQUEST_KINDS

from .conftest import SERVICES


@schemathesis.serializer(*(raw.media_type for raw in REQUEST_KINDS["audio"].raw_bodies))
def _binary_body(ctx: object, value: object) -> bytes:
    """Raw audio bodies: the document says ``type: string, format: binary``; send those bytes."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")


APP = create_app(load_registry(str(SERVICES / "fuzz_service.py")))
SCHEMA = schemathesis.openapi.from_wsgi("/openapi.json", APP)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def test_the_document_lists_every_endpoint() -> None:
    operations = sorted(result.ok().label for result in SCHEMA.get_all_operations())
    assert operations == ["POST /process", "POST /stream", "POST /translate/{src}/{n}"]


@SCHEMA.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
