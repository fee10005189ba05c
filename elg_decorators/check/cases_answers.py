"""Cases of the groups responses, progress, concurrency and metadata: what comes back, judged as a whole."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from .case import CaseFailed, CaseSkipped, Level, Probe, Sent
from .http import Exchange, send
from .json_schemas import validate
from .judge import expect_response, first_kind, message_of, placeholders_filled, send_valid, valid_message
from .registry import case
from .samples import ASTRAL_PREFIX

MUST, SHOULD = Level.MUST, Level.SHOULD
#: How many requests the concurrency case sends at once.
PARALLEL = 4


def _answers(probe: Probe, top: str) -> list[tuple[Sent, dict[str, Any]]]:
    found = []
    for sent in probe.sent:
        message = message_of(sent.exchange)
        if message is not None and top in message:
            found.append((sent, message))
    return found


@case("RESP-SCHEMA-001", MUST, "responses", "3 Responses",
      "every response validates against the ELG response schema of its type")
def _responses_valid(probe: Probe) -> None:
    answers = _answers(probe, "response")
    if not answers:
        raise CaseSkipped("no request of the run was answered with a response")
    for sent, message in answers:
        kind = message["response"].get("type") if isinstance(message["response"], dict) else None
        errors = validate(message, "response")
        if errors:
            raise CaseFailed("the response does not validate: " + "; ".join(errors[:3]),
                             f"a response valid against response.json (response.{kind}.json)", sent.exchange)


@case("RESP-FAIL-001", MUST, "responses", "4.1 StatusMessage; 4.2 Failure",
      "every failure validates: a non-empty list of status messages with code, text and string params")
def _failures_valid(probe: Probe) -> None:
    answers = _answers(probe, "failure")
    if not answers:
        raise CaseSkipped("no request of the run was answered with a failure")
    for sent, message in answers:
        errors = validate(message, "failure")
        if errors:
            raise CaseFailed("the failure does not validate: " + "; ".join(errors[:3]),
                             "a failure valid against failure.json", sent.exchange)


@case("RESP-FAIL-002", SHOULD, "responses", "4.1 StatusMessage",
      "every status message has the params its text's placeholders need")
def _failure_params(probe: Probe) -> None:
    for sent, message in _answers(probe, "failure"):
        for error in (message["failure"] or {}).get("errors") or ():
            problem = placeholders_filled(error) if isinstance(error, dict) else None
            if problem:
                raise CaseFailed(problem, "params for every {n} of the text", sent.exchange)


@case("RESP-HTML-001", MUST, "responses", "1.3 Response bodies",
      "no answer to a POST on the endpoint is an HTML page or anything but ELG JSON")
def _no_html(probe: Probe) -> None:
    for sent in probe.sent:
        exchange = sent.exchange
        if exchange.method != "POST" or exchange.status == 0 or not exchange.url.startswith(probe.url):
            continue
        message = message_of(exchange)
        if message is None or not {"response", "failure"} & set(message):
            what = "an HTML page" if exchange.is_html() else "not an ELG JSON message"
            raise CaseFailed(f"the answer to this request is {what}",
                             "an ELG JSON message (a response or a failure), whatever the request", exchange)


@case("RESP-JSON-001", SHOULD, "responses", "1.3 Response bodies",
      "every answer to a POST on the endpoint, failures too, says Content-Type: application/json")
def _json_content_type(probe: Probe) -> None:
    for sent in probe.sent:
        exchange = sent.exchange
        if exchange.method == "POST" and exchange.status and exchange.url.startswith(probe.url) \
                and exchange.media_type not in ("application/json", "text/event-stream"):
            raise CaseFailed(f"Content-Type is {exchange.content_type or '(none)'}", "application/json", exchange)


def _spans(response: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    annotations = response.get("annotations") if response.get("type") == "annotations" else None
    spans = []
    for name, items in (annotations or {}).items():
        for item in items or ():
            if isinstance(item, dict):
                spans.append((name, item.get("start"), item.get("end")))
    return spans


@case("RESP-OFFS-001", MUST, "responses", "2.5 Annotation object",
      "annotations of a text have 0 <= start <= end <= the text's length", kinds=("text",))
def _offsets_within(probe: Probe) -> None:
    checked = 0
    for sent, message in _answers(probe, "response"):
        if sent.text is None or not isinstance(message["response"], dict):
            continue
        for name, start, end in _spans(message["response"]):
            checked += 1
            if not all(isinstance(value, (int, float)) for value in (start, end)):
                continue  # RESP-SCHEMA-001 reports it
            if not 0 <= start <= end <= len(sent.text):
                raise CaseFailed(
                    f"annotation {name} [{start}, {end}] is not within the text of {len(sent.text)} characters"
                    + (" (start > end)" if start > end else ""),
                    "0 <= start <= end <= len(text), in Unicode code points", sent.exchange)
    if not checked:
        raise CaseSkipped("no annotations response to a text request")


@case("RESP-OFFS-002", MUST, "responses", "2.5 Annotation object",
      "offsets count Unicode code points, not UTF-16 units or bytes", kinds=("text",))
def _code_points(probe: Probe) -> None:
    plain = expect_response(send_valid(probe, "text"), "a response")
    astral_exchange = send_valid(probe, "text", text=ASTRAL_PREFIX + probe.sample_text, key="valid-text-astral")
    astral = expect_response(astral_exchange, "a response")
    spans = _spans(plain)
    if not spans:
        raise CaseSkipped("the service annotated nothing in the sample text (give one with --text)")
    found = set(_spans(astral))

    def shifted(by: int) -> set[tuple[str, Any, Any]]:
        return {(name, start + by, end + by) for name, start, end in spans}

    code_points = len(ASTRAL_PREFIX)
    if shifted(code_points) <= found:
        return
    for unit, by in (("UTF-16 units", len(ASTRAL_PREFIX.encode("utf-16-le")) // 2),
                     ("UTF-8 bytes", len(ASTRAL_PREFIX.encode("utf-8")))):
        if shifted(by) <= found:
            raise CaseFailed(
                f"after a prefix of {code_points} code points ({by} {unit}) the annotations moved by {by}: "
                f"the offsets count {unit}", f"annotations moved by {code_points} (code points)", astral_exchange)


@case("RESP-TEXTS-001", MUST, "responses", "3 Responses (texts)", "every node of a texts response has content or texts")
def _texts_nodes(probe: Probe) -> None:
    def bad(nodes: Any) -> bool:
        return any(not isinstance(node, dict) or ("content" not in node and "texts" not in node)
                   or bad(node.get("texts") or []) for node in nodes or ())

    answers = [(sent, message) for sent, message in _answers(probe, "response")
               if isinstance(message["response"], dict) and message["response"].get("type") == "texts"]
    if not answers:
        raise CaseSkipped("no texts response in the run")
    for sent, message in answers:
        if bad(message["response"].get("texts")):
            raise CaseFailed("a node has neither content nor texts", "content or texts in every node", sent.exchange)


def _events(body: bytes) -> list[tuple[list[str], Any]]:
    """The events of a stream: each its lines, and its data as JSON (None if not JSON)."""
    events = []
    for block in body.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        data = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        try:
            events.append((lines, json.loads(data)))
        except ValueError:
            events.append((lines, None))
    return events


def _stream(probe: Probe) -> Exchange:
    kind = first_kind(probe)
    return send_valid(probe, kind, key=f"sse-{kind}", headers={"Accept": "text/event-stream"})


@case("PROG-001", MUST, "progress", "1.4 Server-Sent Events",
      "with Accept: text/event-stream, the answer is JSON or a well-formed stream ending in one response or failure")
def _stream_format(probe: Probe) -> None:
    exchange = _stream(probe)
    expected = ("JSON, or events 'data:' + JSON each followed by a blank line: progress messages, then "
                "exactly one response or failure, last")
    if exchange.media_type != "text/event-stream":
        expect_response(exchange, "a response (the service does not stream)")
        return
    events = _events(exchange.response_body)
    if not events:
        raise CaseFailed("the stream has no event", expected, exchange)
    for index, (lines, data) in enumerate(events):
        if data is None or not any(line.startswith("data:") for line in lines):
            raise CaseFailed(f"event {index + 1} is not 'data:' + JSON: {' | '.join(lines)[:120]}", expected, exchange)
        last = index == len(events) - 1
        top = set(data) & {"progress", "response", "failure"} if isinstance(data, dict) else set()
        if len(top) != 1 or (last and top == {"progress"}) or (not last and top != {"progress"}):
            where = "the last event" if last else f"event {index + 1} (not the last)"
            raise CaseFailed(f"{where} is {json.dumps(data)[:120]}", expected, exchange)
        errors = validate(data, top.pop())
        if errors:
            raise CaseFailed(f"event {index + 1} does not validate: " + "; ".join(errors[:2]), expected, exchange)


@case("PROG-002", SHOULD, "progress", "1.4 Server-Sent Events",
      "progress percentages lie within 0-100 and never go back")
def _stream_percent(probe: Probe) -> None:
    exchange = _stream(probe)
    if exchange.media_type != "text/event-stream":
        raise CaseSkipped("the service answers with JSON rather than a stream")
    percents = [data["progress"].get("percent") for _, data in _events(exchange.response_body)
                if isinstance(data, dict) and isinstance(data.get("progress"), dict)]
    numbers = [value for value in percents if isinstance(value, (int, float))]
    if any(not 0 <= value <= 100 for value in numbers) or numbers != sorted(numbers):
        raise CaseFailed(f"the percentages are {numbers}", "non-decreasing percentages within 0-100", exchange)


@case("PROG-003", SHOULD, "progress", "1.4 Server-Sent Events",
      "a client that does not name text/event-stream (Accept: */*) gets plain JSON")
def _no_stream_by_default(probe: Probe) -> None:
    kind = first_kind(probe)
    exchange = send_valid(probe, kind, key=f"accept-any-{kind}", headers={"Accept": "*/*"})
    if exchange.media_type == "text/event-stream":
        raise CaseFailed("Accept: */* got an event stream", "a JSON response", exchange)
    expect_response(exchange, "HTTP 200 and a JSON response")


@case("CONC-001", MUST, "concurrency", "1.6 Concurrency",
      f"{PARALLEL} requests sent at once are each answered with their own valid response")
def _parallel(probe: Probe) -> None:
    kind = first_kind(probe)
    messages = []
    for number in range(PARALLEL):
        text = f"{'Number ' + str(number + 1) + '. '}{probe.sample_text}" if kind == "text" else None
        messages.append((valid_message(probe, kind, text), text))
    if kind in ("text", "structuredText"):
        def post(item: tuple[dict[str, Any], str | None]) -> Sent:
            body = json.dumps(item[0], ensure_ascii=False).encode("utf-8")
            exchange = send("POST", probe.url, body, {"Content-Type": "application/json"}, probe.timeout)
            return Sent(exchange, item[1], True)
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(pool.map(post, messages))
    else:
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = [Sent(exchange, None, True) for exchange in pool.map(
                lambda number: send_valid(probe, kind, key=f"parallel-{number}"), range(PARALLEL))]
    for sent in answers:
        probe.record(sent)
        response = expect_response(sent.exchange, "HTTP 200 and a valid response to each")
        if sent.text is None:
            continue
        length = len(sent.text)
        for name, start, end in _spans(response):
            if isinstance(start, (int, float)) and isinstance(end, (int, float)) and not 0 <= start <= end <= length:
                raise CaseFailed(f"annotation {name} [{start}, {end}] lies outside this request's text",
                                 "annotations within the request's own text", sent.exchange)


def _declared(probe: Probe) -> tuple[str, tuple[str, ...]]:
    if probe.metadata is None:
        raise CaseSkipped("no metadata record given (--metadata elg-metadata.xml)")
    path, kinds = probe.metadata
    return str(path), tuple(kinds)


@case("META-001", MUST, "metadata", "1.1 Endpoint and method (the execution location)",
      "the metadata's execution location is a path the service answers on")
def _meta_location(probe: Probe) -> None:
    path, kinds = _declared(probe)
    if path != probe.endpoint.path and path != probe.endpoint.template:
        raise CaseSkipped(f"the metadata record describes {path}, not this endpoint")
    if not kinds:
        raise CaseFailed("the metadata record declares no input resource", "an inputContentResource", None)


@case("META-002", MUST, "metadata", "2 Requests (the record's input resources)",
      "every request kind the metadata declares is answered with a response at its execution location")
def _meta_kinds(probe: Probe) -> None:
    path, kinds = _declared(probe)
    if path != probe.endpoint.path and path != probe.endpoint.template:
        raise CaseSkipped(f"the metadata record describes {path}, not this endpoint")
    for kind in kinds:
        expect_response(send_valid(probe, kind, key=f"meta-{kind}"),
                        f"a response: the metadata record declares {kind} input")


def metadata_declares(record: bytes) -> tuple[str, tuple[str, ...]]:
    """The execution location's path and the request kinds an ELG-SHARE record declares."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(record)
    location, kinds = "", []

    def local(element: ET.Element) -> str:
        return element.tag.rsplit("}", 1)[-1]

    for element in root.iter():
        if local(element) == "executionLocation" and element.text:
            location = urlsplit(element.text.strip()).path or "/"
        elif local(element) == "inputContentResource":
            texts = {local(child): (child.text or "").rsplit("/", 1)[-1] for child in element.iter()}
            media, data_format = texts.get("mediaType", "").lower(), texts.get("dataFormat", "")
            kind = {"audio": "audio", "image": "image"}.get(media) or (
                "structuredText" if data_format.lower() == "json" else "text")
            if kind not in kinds:
                kinds.append(kind)
    return location, tuple(kinds)
