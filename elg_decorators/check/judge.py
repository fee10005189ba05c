"""Judging answers: the checks that cases share, each raising :class:`CaseFailed` with what was expected."""
from __future__ import annotations

import json
from typing import Any
from collections.abc import Iterable

from .case import CaseFailed, CaseSkipped, Probe
from .http import Exchange
from .json_schemas import validate
from .samples import multipart, png_1x1, wav_silence

#: The fixed sample bodies of the binary kinds: (JSON part, content type, content).
BINARY_SAMPLES: dict[str, tuple[dict[str, Any], str, bytes]] = {
    "audio": ({"type": "audio", "format": "LINEAR16", "sampleRate": 8000}, "audio/x-wav", wav_silence()),
    "image": ({"type": "image", "format": "png"}, "image/png", png_1x1()),
}


def message_of(exchange: Exchange) -> dict[str, Any] | None:
    """The answer as a JSON object, or None."""
    try:
        message = exchange.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return message if isinstance(message, dict) else None


def no_answer(exchange: Exchange) -> None:
    if exchange.status == 0:
        raise CaseFailed(f"the service did not answer: {exchange.error}", "an HTTP answer", exchange)


def _message(exchange: Exchange, key: str, expected: str) -> dict[str, Any]:
    """The answer's ELG message whose envelope is ``key`` (``response``, ``failure``), or CaseFailed."""
    no_answer(exchange)
    message = message_of(exchange)
    if message is None:
        kind = "an HTML page" if exchange.is_html() else "not a JSON object"
        raise CaseFailed(f"the answer is {kind}, not an ELG {key}", expected, exchange)
    if key not in message:
        other = "failure" if key == "response" else "response"
        found = f"a {other}" if other in message else f"an object with keys {sorted(message)}"
        raise CaseFailed(f"the answer is {found}, not a {key}", expected, exchange)
    return message


def expect_response(exchange: Exchange, expected: str) -> dict[str, Any]:
    """The answer is HTTP 200 with a schema-valid ``{"response": …}``; return the response."""
    message = _message(exchange, "response", expected)
    errors = validate(message, "response")
    if errors:
        raise CaseFailed("the response does not validate against response.json: " + "; ".join(errors[:3]),
                         expected, exchange)
    if exchange.status != 200:
        raise CaseFailed(f"a response came with HTTP {exchange.status}", expected, exchange)
    response: dict[str, Any] = message["response"]
    return response


def expect_failure(exchange: Exchange, expected: str) -> dict[str, Any]:
    """The answer is an ELG ``{"failure": …}`` JSON message (any status): not HTML, not a response."""
    failure: dict[str, Any] = _message(exchange, "failure", expected)["failure"]
    return failure


def codes_of(failure: Any) -> list[str]:
    errors = failure.get("errors") if isinstance(failure, dict) else None
    return [str(error.get("code")) for error in errors or () if isinstance(error, dict)]


def expect_status(exchange: Exchange, statuses: Iterable[int], codes: Iterable[str], expected: str) -> None:
    """The answer is a failure with one of ``statuses`` and, among its codes, one of ``codes``."""
    failure = expect_failure(exchange, expected)
    statuses, codes = tuple(statuses), tuple(codes)
    if exchange.status not in statuses:
        raise CaseFailed(f"the failure came with HTTP {exchange.status}", expected, exchange)
    if codes and not set(codes_of(failure)) & set(codes):
        raise CaseFailed(f"the failure's codes are {codes_of(failure)}", expected, exchange)


def valid_message(probe: Probe, kind: str, text: str | None = None) -> dict[str, Any]:
    """A valid request of ``kind`` (the JSON part for binary kinds), with the options' params."""
    text = probe.sample_text if text is None else text
    if kind == "text":
        message: dict[str, Any] = {"type": "text", "content": text}
    elif kind == "structuredText":
        first, _, rest = text.partition(". ")
        message = {"type": "structuredText", "texts": [{"content": first + "."}, {"content": rest or first}]}
    elif kind in BINARY_SAMPLES:
        message = dict(BINARY_SAMPLES[kind][0])
    else:
        raise CaseSkipped(f"the checker has no sample request of kind {kind!r}")
    if probe.params:
        message["params"] = dict(probe.params)
    return message


def send_valid(probe: Probe, kind: str, *, order: str = "request-first", text: str | None = None,
               key: str | None = None, headers: dict[str, str] | None = None) -> Exchange:
    """Send the valid request of ``kind`` (binary kinds: multipart in ``order``, or ``raw``), once per key."""
    message = valid_message(probe, kind, text)
    key = key or f"valid-{kind}-{order}"
    if kind not in BINARY_SAMPLES:
        content = message.get("content") if kind == "text" else None
        return probe.post_json(key, message, text=content, valid=True, headers=headers)
    _, media_type, content_bytes = BINARY_SAMPLES[kind]
    if order == "raw":
        query = "&".join(f"{name}={value}" for name, value in probe.params.items())
        return probe.request(key, content_bytes, {"Content-Type": media_type, **(headers or {})}, valid=True,
                             url=probe.url + ("?" + query if query else ""))
    parts = [("request", "application/json", json.dumps(message).encode("utf-8"), None),
             ("content", media_type, content_bytes, f"content.{media_type.rsplit('/', 1)[1]}")]
    body, content_type = multipart(parts if order == "request-first" else parts[::-1])
    return probe.request(key, body, {"Content-Type": content_type, **(headers or {})}, valid=True)


def first_kind(probe: Probe) -> str:
    if not probe.endpoint.kinds:
        raise CaseSkipped("the endpoint takes no request kind the checker knows")
    return probe.endpoint.kinds[0]


def placeholders_filled(message: dict[str, Any]) -> str | None:
    """Why a status message's text and params disagree, or None."""
    text, params = message.get("text", ""), message.get("params", [])
    if not isinstance(text, str) or not isinstance(params, list):
        return None
    try:
        text.format(*params)
    except (IndexError, KeyError, ValueError):
        return f"{json.dumps(message.get('code'))}: the text {json.dumps(text)} needs more params than {params}"
    return None
