"""The benchmark scenarios: request bodies, concurrency, and how to tell a right answer."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping

TINY_TEXT = "The quick brown fox jumps over the lazy dog."
WORDS = ("language", "grid", "service", "token", "European", "corpus", "annotation", "the", "of", "and",
         "translation", "speech", "über", "naïve", "café", "λόγος", "слово", "a", "in", "to")
BOUNDARY = "elgbenchmarkboundary7d9a4c1e5f3b2a60"
MB = 1024 * 1024

#: (ok, note) for the status, headers (lower-case names) and body of one answer.
Check = Callable[[int, Mapping[str, str], bytes], tuple[bool, str]]


@dataclass
class Scenario:
    """One workload: the same request sent to every app under test."""

    name: str
    title: str
    body: bytes
    content_type: str
    check: Check
    #: Connections for config 1 (one sync worker) and config 2 (2 gthread workers x 4 threads).
    concurrency: tuple[int, int] = (4, 8)
    accept: str = "application/json"
    payload_bytes: int = 0
    success: bool = True
    #: False for MB-sized bodies: each request on a new connection, so that with several workers every
    #: request is placed on a worker afresh (with keep-alive one draw at connect time would decide the
    #: split of the whole run); connecting costs nothing next to such a body.
    keep_alive: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    def request_headers(self) -> dict[str, str]:
        """The headers sent with every request of this scenario."""
        connection = {} if self.keep_alive else {"Connection": "close"}
        return {"Content-Type": self.content_type, "Accept": self.accept, **connection, **self.headers}


def _json_body(message: object) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


def _text_of_size(size: int, seed: int = 1) -> str:
    """Deterministic multilingual prose of about ``size`` UTF-8 bytes."""
    rng = random.Random(seed)
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 15))) + "." for _ in range(2000)]
    block = "\n".join(lines) + "\n"
    encoded = block.encode("utf-8")
    repeats = size // len(encoded) + 1
    text = (encoded * repeats)[:size].decode("utf-8", errors="ignore")
    return text[: text.rfind(" ")]


def _decoded(body: bytes) -> dict | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _expect_features(**expected: object) -> Check:
    def check(status: int, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
        message = _decoded(body)
        if status != 200 or message is None or "response" not in message:
            return False, f"status {status}, body {body[:120]!r}"
        features = message["response"].get("features", {})
        wrong = {k: features.get(k) for k, v in expected.items() if features.get(k) != v}
        return (not wrong), (f"unexpected features {wrong}" if wrong else "ok")
    return check


def _expect_texts(count: int) -> Check:
    def check(status: int, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
        message = _decoded(body)
        texts = ((message or {}).get("response") or {}).get("texts") or []
        ok = status == 200 and len(texts) == count and texts[-1].get("features", {}).get("tokens") == 4
        return ok, "ok" if ok else f"status {status}, {len(texts)} texts"
    return check


def _expect_events(progress: int, tokens: int) -> Check:
    def check(status: int, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
        content_type = headers.get("content-type", "")
        if not content_type.startswith("text/event-stream"):
            return False, f"no event stream (status {status}, {content_type or 'no content type'})"
        events = [line[5:] for line in body.decode("utf-8", "replace").splitlines() if line.startswith("data:")]
        last = _decoded(events[-1].encode()) if events else None
        ok = status == 200 and len(events) == progress + 1 and last is not None and \
            last.get("response", {}).get("features", {}).get("tokens") == tokens
        return ok, "ok" if ok else f"{len(events)} events, last {events[-1][:80] if events else None!r}"
    return check


def _expect_error(status: int, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
    """Any 4xx/5xx counts as handled; the note says whether it was ELG JSON or an HTML page."""
    content_type = headers.get("content-type", "").split(";")[0]
    message = _decoded(body)
    kind = "ELG failure JSON" if message and "failure" in message else (content_type or "no content type")
    return 400 <= status < 600, f"{status} {kind}"


def _multipart_audio(size: int) -> bytes:
    audio = b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt " + random.Random(7).randbytes(size - 16)
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"request\"\r\n"
        f"Content-Type: application/json\r\n\r\n"
        '{"type":"audio","format":"LINEAR16"}\r\n'
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"speech.wav\"\r\n"
        f"Content-Type: audio/x-wav\r\n\r\n"
    ).encode()
    return head + audio + f"\r\n--{BOUNDARY}--\r\n".encode()


def _tiny() -> Scenario:
    return Scenario("tiny", "tiny text (44 chars)", _json_body({"type": "text", "content": TINY_TEXT}),
                    "application/json", _expect_features(tokens=9), (4, 8))


def _text(size_mb: int) -> Scenario:
    text = _text_of_size(size_mb * MB)
    body = _json_body({"type": "text", "content": text})
    return Scenario(f"text_{size_mb}mb", f"{size_mb} MB text", body, "application/json",
                    _expect_features(tokens=len(text.split()), chars=len(text)),
                    (2, 4) if size_mb < 10 else (1, 2), payload_bytes=len(body), keep_alive=False)


def _structured() -> Scenario:
    texts = [{"content": f"short text number {i}"} for i in range(10_000)]
    body = _json_body({"type": "structuredText", "texts": texts})
    return Scenario("structured_10k", "structuredText, 10,000 texts", body, "application/json",
                    _expect_texts(10_000), (2, 4), payload_bytes=len(body), keep_alive=False)


def _audio() -> Scenario:
    body = _multipart_audio(20 * MB)
    return Scenario("audio_20mb", "20 MB audio multipart upload", body, f"multipart/form-data; boundary={BOUNDARY}",
                    _expect_features(bytes=20 * MB, format="LINEAR16"), (1, 2), payload_bytes=20 * MB,
                    keep_alive=False)


def _sse() -> Scenario:
    body = _json_body({"type": "text", "content": TINY_TEXT, "params": {"progress": 100}})
    return Scenario("sse_100", "SSE stream, 100 progress events", body, "application/json",
                    _expect_events(100, 9), (2, 4), accept="text/event-stream")


def _malformed() -> Scenario:
    return Scenario("malformed", "malformed JSON request", b'{"type": "text", "content": "The quick brown',
                    "application/json", _expect_error, (4, 8), success=False)


BUILDERS: dict[str, Callable[[], Scenario]] = {
    "tiny": _tiny,
    "text_1mb": lambda: _text(1),
    "text_10mb": lambda: _text(10),
    "structured_10k": _structured,
    "audio_20mb": _audio,
    "sse_100": _sse,
    "malformed": _malformed,
}
ALL = tuple(BUILDERS)

#: Error requests sent once to every app to record the status code and body kind each answers with.
ERROR_PROBES: dict[str, tuple[str, str, bytes]] = {
    "bad JSON": ("/process", "application/json", b'{"type": "text", "content": "The quick brown'),
    "no content": ("/process", "application/json", b'{"type": "text"}'),
    "unknown type": ("/process", "application/json", b'{"type": "video", "content": "x"}'),
    "XML body": ("/process", "application/xml", b"<text>hello</text>"),
    "unknown path": ("/nowhere", "application/json", _json_body({"type": "text", "content": TINY_TEXT})),
}


def build(names: list[str]) -> list[Scenario]:
    """The scenarios called ``names``, in the order given."""
    unknown = [name for name in names if name not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    return [BUILDERS[name]() for name in names]


def check_error(status: int, headers: Mapping[str, str], body: bytes) -> str:
    """How an app answered an error probe, e.g. ``400 ELG failure JSON`` or ``500 text/html``."""
    return _expect_error(status, headers, body)[1]
