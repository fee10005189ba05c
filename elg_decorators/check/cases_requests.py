"""Cases of the groups connection, health, valid and invalid: what the service does with each request."""
from __future__ import annotations

import json

from collections.abc import Callable

from .case import CaseFailed, CaseSkipped, Level, Probe, Sent
from .http import Exchange, send, send_large
from .judge import (
    BINARY_SAMPLES,
    expect_failure,
    expect_response,
    expect_status,
    first_kind,
    message_of,
    no_answer,
    send_valid,
    valid_message,
)
from .registry import case
from .samples import ASTRAL_PREFIX, multipart

MUST, SHOULD = Level.MUST, Level.SHOULD
JSON_KINDS = ("text", "structuredText")
CALLER = (400, 404, 405, 413, 415, 422)


@case("CONN-001", MUST, "connection", "1.3 Response bodies", "a valid request is answered as application/json")
def _json_answer(probe: Probe) -> None:
    exchange = send_valid(probe, first_kind(probe))
    no_answer(exchange)
    if exchange.media_type != "application/json":
        raise CaseFailed(f"the answer's Content-Type is {exchange.content_type or '(none)'}",
                         "Content-Type: application/json", exchange)


@case("CONN-002", MUST, "connection", "1.3 Response bodies",
      'the answer is one UTF-8 JSON object with "response" or "failure" at its top')
def _one_message(probe: Probe) -> None:
    exchange = send_valid(probe, first_kind(probe))
    no_answer(exchange)
    expected = 'a UTF-8 JSON object with exactly one of "response" or "failure"'
    message = message_of(exchange)
    if message is None:
        raise CaseFailed("the body is not a UTF-8 JSON object", expected, exchange)
    if len({"response", "failure"} & set(message)) != 1:
        raise CaseFailed(f"the object's keys are {sorted(message)}", expected, exchange)


@case("CONN-003", SHOULD, "connection", "1.2 Request bodies",
      "a JSON request with Content-Type application/json; charset=utf-8 is taken", kinds=JSON_KINDS)
def _json_charset(probe: Probe) -> None:
    kind = "text" if probe.takes("text") else "structuredText"
    headers = {"Content-Type": "application/json; charset=utf-8"}
    exchange = send_valid(probe, kind, key=f"charset-{kind}", headers=headers)
    expect_response(exchange, "HTTP 200 and a response, as for application/json")


@case("CONN-004", SHOULD, "connection", "1.2 Request bodies; 4.4 Standard codes",
      "a content type it cannot read is a 415 (or 400) ELG failure")
def _unknown_content_type(probe: Probe) -> None:
    exchange = probe.request("xml-body", b"<request><type>text</type></request>", {"Content-Type": "application/xml"})
    expect_status(exchange, (415, 400), (), "HTTP 415 (or 400) with an ELG failure")


@case("CONN-005", SHOULD, "connection", "1.1 Endpoint and method", "GET on the endpoint is a 405 ELG failure")
def _wrong_method(probe: Probe) -> None:
    exchange = probe.request("get-endpoint", b"", {}, method="GET")
    expect_status(exchange, (405, 404), (), "HTTP 405 with an ELG failure, not an HTML page")


@case("CONN-006", SHOULD, "connection", "1.1 Endpoint and method", "an unknown path is a 404 ELG failure")
def _unknown_path(probe: Probe) -> None:
    message = valid_message(probe, first_kind(probe))
    exchange = probe.request("unknown-path", json.dumps(message).encode(), {"Content-Type": "application/json"},
                             url=probe.url_for("/elg-check-no-such-path"))
    expect_status(exchange, (404, 405), (), "HTTP 404 with an ELG failure, not an HTML page")


@case("HEALTH-001", SHOULD, "health", "1.7 Health / readiness", "GET /health answers 200 with JSON")
def _health(probe: Probe) -> None:
    exchange = send("GET", probe.url_for("/health"), timeout=probe.timeout)
    no_answer(exchange)
    if exchange.status != 200 or message_of(exchange) is None:
        raise CaseFailed("the answer is not 200 with a JSON object", "HTTP 200 and a JSON object", exchange)


def _valid_case(id: str, level: Level, section: str, title: str, kind: str,  # noqa: A002
                order: str = "request-first") -> None:
    def check(probe: Probe) -> None:
        expect_response(send_valid(probe, kind, order=order), f"HTTP 200 and a valid {kind} response")

    case(id, level, "valid", section, title, kinds=(kind,))(check)


_valid_case("VALID-TEXT-001", MUST, "2.1 text", "a text request is answered with a response", "text")


@case("VALID-TEXT-002", MUST, "valid", "2.1 text; 2.5 Annotation object",
      "a text with characters outside the Basic Multilingual Plane is answered", kinds=("text",))
def _astral(probe: Probe) -> None:
    text = ASTRAL_PREFIX + probe.sample_text
    exchange = send_valid(probe, "text", text=text, key="valid-text-astral")
    expect_response(exchange, "HTTP 200 and a response")


@case("VALID-TEXT-003", SHOULD, "valid", "2 Requests (unknown properties are ignored)",
      "a text request with features, annotations, mimeType and an unknown property is answered", kinds=("text",))
def _full_text(probe: Probe) -> None:
    message = valid_message(probe, "text")
    message.update(mimeType="text/plain", features={"source": "elg-check"}, annotations={"Checked": [
        {"start": 0, "end": 1}]}, elgCheckUnknownProperty=True)
    exchange = probe.post_json("valid-text-full", message, text=message["content"], valid=True)
    expect_response(exchange, "HTTP 200 and a response; unknown properties are ignored")


_valid_case("VALID-STRUCT-001", MUST, "2.2 structuredText", "a structuredText request is answered",
            "structuredText")
_valid_case("VALID-AUDIO-001", MUST, "1.2 Request bodies; 2.3 audio",
            "an audio request as multipart (request part, then content) is answered", "audio")
_valid_case("VALID-AUDIO-002", SHOULD, "1.2 Request bodies; 2.3 audio",
            "an audio request as multipart with the content part first is answered", "audio", "content-first")
_valid_case("VALID-AUDIO-003", SHOULD, "1.2 Request bodies; 2.3 audio",
            "a raw audio/x-wav body is answered as a LINEAR16 audio request", "audio", "raw")
_valid_case("VALID-IMAGE-001", MUST, "1.2 Request bodies; 2.4 image",
            "an image request as multipart (request part, then content) is answered", "image")
_valid_case("VALID-IMAGE-002", SHOULD, "1.2 Request bodies; 2.4 image",
            "an image request as multipart with the content part first is answered", "image", "content-first")
_valid_case("VALID-IMAGE-003", SHOULD, "1.2 Request bodies; 2.4 image",
            "a raw image/png body is answered as a png image request", "image", "raw")


Sender = Callable[[Probe], Exchange]


def _invalid_pair(number: int, prefix: str, title: str, section: str, sender: Sender,
                  statuses: tuple[int, ...], codes: tuple[str, ...], kinds: tuple[str, ...] = (),
                  level: Level = MUST) -> None:
    """Two cases on one exchange: answer with an ELG failure (MUST, or ``level``); with the standard status
    and code (SHOULD)."""
    def failure(probe: Probe) -> None:
        expect_failure(sender(probe), "an ELG failure message (JSON), never an HTML page or a response")

    def status(probe: Probe) -> None:
        wanted = f"HTTP {' or '.join(map(str, statuses))}" + (f" with code {' or '.join(codes)}" if codes else "")
        expect_status(sender(probe), statuses, codes, wanted)

    case(f"INVAL-{prefix}-{number:03d}", level, "invalid", section, f"{title}: an ELG failure", kinds)(failure)
    case(f"INVAL-{prefix}-{number + 1:03d}", SHOULD, "invalid", "4.4 Standard codes",
         f"{title}: the standard status and code", kinds)(status)


def _raw_json(key: str, body: bytes, content_type: str = "application/json") -> Sender:
    return lambda probe: probe.request(key, body, {"Content-Type": content_type})


_invalid_pair(1, "JSON", "malformed JSON", "1.2 Request bodies",
              _raw_json("bad-json", b'{"type": "text", "content": '), (400,), ("elg.request.invalid",))
_invalid_pair(3, "JSON", "JSON that is not an object", "1.2 Request bodies",
              _raw_json("json-list", b'["text", "hello"]'), (400,), ("elg.request.invalid",))
_invalid_pair(1, "TYPE", "a request without type", "2 Requests",
              _raw_json("no-type", b'{"content": "hello"}'), (400,),
              ("elg.request.invalid", "elg.request.missing", "elg.request.type.unsupported"))
_invalid_pair(3, "TYPE", "an unknown request type", "2 Requests",
              _raw_json("unknown-type", b'{"type": "elgCheckVideo", "content": "hello"}'), (400,),
              ("elg.request.type.unsupported", "elg.request.invalid"))


def _wrong_kind(probe: Probe) -> Exchange:
    others = [kind for kind in ("text", "structuredText") if kind not in probe.endpoint.kinds]
    if not others:
        raise CaseSkipped("the endpoint takes every JSON request kind (text and structuredText)")
    return probe.post_json("wrong-kind", valid_message(probe, others[0]))


_invalid_pair(1, "KIND", "a request of a kind the endpoint does not take", "2 Requests; 4.4 Standard codes",
              _wrong_kind, (400,), ("elg.request.type.unsupported",))


def _part_sender(missing_content: bool) -> Sender:
    def send_parts(probe: Probe) -> Exchange:
        kind = "audio" if probe.takes("audio") else "image"
        json_part, media_type, content = BINARY_SAMPLES[kind]
        request_part = ("request", "application/json", json.dumps(json_part).encode(), None)
        if missing_content:
            body, content_type = multipart([request_part])
        else:
            body, content_type = multipart([request_part, ("elgCheckFile", media_type, content, "file.bin")])
        return probe.request(f"parts-{missing_content}", body, {"Content-Type": content_type})
    return send_parts


_invalid_pair(1, "PART", "a multipart body without its content part", "1.2 Request bodies",
              _part_sender(True), (400,), ("elg.request.invalid", "elg.request.missing"), kinds=("audio", "image"))
_invalid_pair(3, "PART", "a multipart body whose content part has another name", "1.2 Request bodies",
              _part_sender(False), (400,), ("elg.request.invalid",), kinds=("audio", "image"))


def _oversized(probe: Probe) -> Exchange:
    key = "oversized"
    exchange = probe.cached(key)
    if exchange is None:
        exchange = send_large(probe.url, probe.max_size + 1, {"Content-Type": "application/json"}, probe.timeout)
        probe.record(Sent(exchange), key)
    return exchange


_invalid_pair(1, "SIZE", "a body over the size limit", "4.4 Standard codes (elg.request.too.large)",
              _oversized, (413,), ("elg.request.too.large",), level=SHOULD)


def _bad_charset(probe: Probe) -> Exchange:
    message = valid_message(probe, "text" if probe.takes("text") else first_kind(probe))
    if message["type"] in BINARY_SAMPLES:
        raise CaseSkipped("the endpoint takes no JSON request kind")
    return probe.request("bad-charset", json.dumps(message).encode(),
                         {"Content-Type": "application/json; charset=elg-check-unknown"})


_invalid_pair(1, "CHARSET", "a JSON body in an unknown charset", "1.2 Request bodies",
              _bad_charset, (415, 400), (), level=SHOULD)
