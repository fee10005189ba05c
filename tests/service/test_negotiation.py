"""Which clients get an event stream: only those naming text/event-stream explicitly with q > 0."""

from __future__ import annotations

import pytest

from elg_decorators import FlaskService
from elg_decorators.model import AnnotationsResponse, Progress
from elg_decorators.protocol.negotiation import wants_event_stream

TEXT = {"type": "text", "content": "hello"}
FINAL_JSON = b'{"response":{"type":"annotations","features":{"done":true}}}'


class Steps(FlaskService):
    """A streaming handler that records how far it ran and whether it was closed."""

    def process_text(self, request):
        self.steps.append("started")
        try:
            yield Progress(percent=50)
            yield AnnotationsResponse(features={"done": True})
        finally:
            self.steps.append("closed")


@pytest.fixture
def service():
    service = Steps("steps")
    service.steps = []
    return service


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/*",
        "application/json",
        "text/event-stream;q=0",
        "text/event-stream; q=0.0",
        "application/json, text/event-stream;q=0",
        "text/event-streams",
        "text/plain",
    ],
)
def test_clients_not_asking_for_events_get_plain_json_of_the_final_response(service, accept):
    headers = {"Accept": accept} if accept is not None else {}
    response = service.app.test_client().post("/process", json=TEXT, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.data == FINAL_JSON
    assert service.steps == ["started", "closed"]


@pytest.mark.parametrize(
    "accept",
    [
        "text/event-stream",
        "TEXT/Event-Stream",
        "text/event-stream;q=0.5",
        "application/json, text/event-stream",
        "text/event-stream; charset=utf-8",
        "*/*;q=0.1, text/event-stream",
    ],
)
def test_clients_naming_event_stream_get_events(service, accept):
    response = service.app.test_client().post("/process", json=TEXT, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.data == b'data:{"progress":{"percent":50.0}}\r\n\r\ndata:' + FINAL_JSON + b"\r\n\r\n"
    assert service.steps == ["started", "closed"]


def test_non_streaming_handler_answers_json_even_to_an_event_stream_client():
    class Plain(FlaskService):
        def process_text(self, request):
            return AnnotationsResponse(features={"done": True})

    response = (
        Plain("p").app.test_client().post("/process", json=TEXT, headers={"Accept": "text/event-stream"})
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.data == FINAL_JSON


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("text/*", False),
        ("text/event-stream", True),
        ("text/event-stream;q=0", False),
        ("text/event-stream;q=0.001", True),
        ("text/event-stream;q=bogus", False),
        ("text/html, text/event-stream;q=0.9", True),
        ("TEXT/EVENT-STREAM", True),
    ],
)
def test_wants_event_stream(accept, expected):
    assert wants_event_stream(accept) is expected
