"""An invalid return value, over a real gunicorn worker: the client learns where, the log learns what.

A handler returned ``{"Person": [{"start": 0, "end": "db_password=..."}]}``; the 500 used to
echo the value and the pydantic version. Now the failure names the field location and the
error type only; the value goes to the service's log.
"""
from __future__ import annotations

import time

from .conftest import Server, assert_serving, post
from .services.payload_service import SECRET


def test_an_invalid_return_value_names_where_not_what(payload_server: Server) -> None:
    answer = post(payload_server.port, "/leaky", b'{"type":"text","content":"abc"}')

    assert answer.status == 500
    assert answer.json() == {"failure": {"errors": [{
        "code": "elg.response.invalid", "params": [], "text": "Invalid response message",
        "detail": {
            "reason": "the value returned is not a valid AnnotationsResponse",
            "errors": [
                {"location": "annotations.Person.0.end.int", "type": "int_type"},
                {"location": "annotations.Person.0.end.function-plain[_other_integer()]", "type": "value_error"},
                {"location": "annotations.Person.0.end.float", "type": "float_type"},
            ],
        },
    }]}}
    assert b"db_password" not in answer.body and b"pydantic" not in answer.body.lower()
    deadline = time.monotonic() + 5
    while SECRET not in payload_server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "handler leaky returned a value that is not a valid AnnotationsResponse" in payload_server.log()
    assert SECRET in payload_server.log()
    assert_serving(payload_server.port)
