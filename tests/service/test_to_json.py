"""JSON encoding of handler data inside a response: the default conversions and the to_json hook."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

import pytest
from pydantic import BaseModel, Field

from elg_decorators import FlaskService
from elg_decorators.model import Annotation, AnnotationsResponse, Progress

TEXT = {"type": "text", "content": "x"}
UTC = timezone(timedelta(0))
PLUS2 = timezone(timedelta(hours=2))


class Inner(BaseModel):
    some_value: int = Field(alias="someValue")
    missing: Optional[str] = None  # noqa: UP045 - pydantic evaluates it at runtime (Python 3.9)
    when: Optional[datetime] = None  # noqa: UP045


@dataclasses.dataclass
class Point:
    x: int
    label: str


class WithDunderJson:
    def __json__(self):
        return {"via": "__json__"}


class WithForJson:
    def for_json(self):
        return ["via", "for_json"]


def features_service(features, base=FlaskService, **attrs):
    """A service answering every text request with an annotations response carrying ``features``."""
    cls = type(
        "Features",
        (base,),
        {"process_text": lambda self, request: AnnotationsResponse(features=features), **attrs},
    )
    return cls("features")


def body_features(response):
    assert response.status_code == 200, response.data
    return json.loads(response.data)["response"]["features"]


DEFAULTS = [
    pytest.param(date(2024, 2, 29), "2024-02-29", id="date"),
    pytest.param(time(13, 5, 9), "13:05:09", id="time"),
    pytest.param(time(13, 5, 9, 250), "13:05:09.000250", id="time-micro"),
    pytest.param(datetime(2024, 2, 29, 13, 5, 9), "2024-02-29T13:05:09", id="datetime-naive"),
    pytest.param(
        datetime(2024, 2, 29, 13, 5, 9, tzinfo=PLUS2), "2024-02-29T13:05:09+02:00", id="datetime-plus2"
    ),
    pytest.param(datetime(2024, 2, 29, 13, 5, 9, tzinfo=UTC), "2024-02-29T13:05:09Z", id="datetime-utc"),
    pytest.param(
        uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678", id="uuid"
    ),
    pytest.param(Inner(someValue=3), {"someValue": 3}, id="pydantic-model-by-alias-without-none"),
    pytest.param(
        Annotation(start=0, end=3, source_start=1), {"start": 0, "end": 3, "sourceStart": 1}, id="elg-model"
    ),
    pytest.param({3}, [3], id="set"),
    pytest.param(frozenset(), [], id="frozenset"),
    pytest.param((1, "a"), [1, "a"], id="tuple"),
    pytest.param(Point(1, "p"), {"x": 1, "label": "p"}, id="dataclass"),
    pytest.param(WithDunderJson(), {"via": "__json__"}, id="__json__"),
    pytest.param(WithForJson(), ["via", "for_json"], id="for_json"),
]


class NeutralHook(FlaskService):
    def to_json(self, obj):
        return None


@pytest.mark.parametrize("base", [FlaskService, NeutralHook], ids=["no-hook", "hook-returning-None"])
@pytest.mark.parametrize("value, expected", DEFAULTS)
def test_default_conversions_inside_features(base, value, expected):
    response = (
        features_service({"value": value, "nested": [{"deeper": value}]}, base)
        .app.test_client()
        .post("/process", json=TEXT)
    )
    assert body_features(response) == {"value": expected, "nested": [{"deeper": expected}]}


@pytest.mark.parametrize("base", [FlaskService, NeutralHook], ids=["no-hook", "hook-returning-None"])
def test_generator_inside_features_becomes_a_list(base):
    response = (
        features_service({"squares": (n * n for n in range(4))}, base)
        .app.test_client()
        .post("/process", json=TEXT)
    )
    assert body_features(response) == {"squares": [0, 1, 4, 9]}


def test_hook_returning_none_changes_nothing_byte_for_byte():
    features = {
        "d": date(2020, 1, 1),
        "u": uuid.UUID(int=7),
        "m": Inner(someValue=1),
        "s": {"only"},
        "p": Point(2, "ü"),
        "j": WithDunderJson(),
        "f": WithForJson(),
        "t": "日本",
    }
    plain = features_service(features).app.test_client().post("/process", json=TEXT)
    hooked = features_service(features, NeutralHook).app.test_client().post("/process", json=TEXT)
    assert hooked.data == plain.data
    assert plain.data.startswith(b'{"response":{"type":"annotations","features":{"d":"2020-01-01"')


class Money:
    def __init__(self, cents: int, currency: str) -> None:
        self.cents, self.currency = cents, currency


class EpochService(FlaskService):
    """Datetimes as epoch seconds, Money as a string, everything else as usual."""

    def __init__(self, *args, **kwargs) -> None:
        self.seen = []
        super().__init__(*args, **kwargs)

    def to_json(self, obj):
        self.seen.append(type(obj).__name__)
        if isinstance(obj, datetime):
            return obj.timestamp()
        if isinstance(obj, Money):
            return f"{obj.cents / 100:.2f} {obj.currency}"
        return None

    def process_text(self, request):
        return AnnotationsResponse(
            features={
                "at": datetime(2021, 1, 1, tzinfo=UTC),
                "nested": {"list": [datetime(1970, 1, 2, tzinfo=UTC), {"price": Money(1999, "EUR")}]},
                "model": Inner(someValue=1, when=datetime(1970, 1, 1, 0, 1, tzinfo=UTC)),
                "point": Point(1, "p"),
                "day": date(2021, 1, 1),
                "ids": {uuid.UUID(int=1)},
            }
        )


def test_overridden_to_json_sees_nested_values():
    service = EpochService("epoch")
    response = service.app.test_client().post("/process", json=TEXT)
    assert body_features(response) == {
        "at": 1609459200.0,
        "nested": {"list": [86400.0, {"price": "19.99 EUR"}]},
        "model": {"someValue": 1, "when": 60.0},
        "point": {"x": 1, "label": "p"},
        "day": "2021-01-01",
        "ids": ["00000000-0000-0000-0000-000000000001"],
    }
    assert {"datetime", "Money", "date", "UUID"} <= set(service.seen)


def test_overridden_to_json_applies_to_sse_events_too():
    class Streaming(EpochService):
        def process_text(self, request):
            yield Progress(percent=1)
            yield AnnotationsResponse(features={"at": datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)})

    service = Streaming("s")
    response = service.app.test_client().post("/process", json=TEXT, headers={"Accept": "text/event-stream"})
    assert response.data == (
        b'data:{"progress":{"percent":1.0}}\r\n\r\n'
        b'data:{"response":{"type":"annotations","features":{"at":5.0}}}\r\n\r\n'
    )


def test_hook_output_is_compact_utf8_in_field_order():
    class Ordered(EpochService):
        def process_text(self, request):
            return AnnotationsResponse(
                annotations={"Ä": [Annotation(end=2, start=1)]}, features={"z": "ß", "a": 1}
            )

    response = Ordered("o").app.test_client().post("/process", json=TEXT)
    assert (
        response.data
        == (
            '{"response":{"type":"annotations","features":{"z":"ß","a":1},'
            '"annotations":{"Ä":[{"start":1,"end":2}]}}}'
        ).encode()
    )


def test_unserialisable_value_without_hook_is_a_500_elg_failure():
    response = features_service({"obj": Money(1, "EUR")}).app.test_client().post("/process", json=TEXT)
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json()["failure"]["errors"][0]["code"] in (
        "elg.response.invalid",
        "elg.service.internalError",
    )
