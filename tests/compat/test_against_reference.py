"""Services written for the elg package, run under the reference elg 0.6.0 and under elg_decorators
with only their imports changed; statuses and bodies are compared.

Each service in ``services/`` reproduces a pattern met in public services built on elg's
FlaskService or QuartService. ``SAME`` exchanges must get identical answers (status and JSON)
from the reference and from us with reference statuses on; with the default statuses the body
is the same and only a failure's status differs, as our status table says. ``DIFFERENT``
exchanges are where we answer differently on purpose; each says why and pins both answers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from elg_decorators.model.messages import http_status_for

from .exchanges import Exchange, answer, multipart, wav

AUDIO_JSON = json.dumps({"type": "audio", "format": "LINEAR16"}).encode()


def failure(code: str, text: str, params: list | None = None, detail: dict | None = None) -> dict:
    return {"failure": {"errors": [{"code": code, "params": params or [], "text": text, "detail": detail or {}}]}}


UNSUPPORTED = "Request type {0} not supported by this service"
INTERNAL = "Internal error during processing: {0}"


@dataclass(frozen=True)
class Different:
    """An exchange answered differently on purpose: both answers, and why."""

    exchange: Exchange
    reference: tuple[int, Any]
    ours: tuple[int, Any]
    why: str


SAME: dict[str, list[Exchange]] = {
    "classifier.py": [
        Exchange.json("text", "/process/classifier", {"type": "text", "content": "a good day"}),
        Exchange.json("text with params", "/process/classifier", {"type": "text", "content": "x", "params": {"a": 1}}),
    ],
    "checker.py": [
        Exchange.json("annotations from model objects", "/process",
                      {"type": "text", "content": "teh cat and teh dog", "params": {"mode": "x"}}),
        Exchange.json("returned too-large failure", "/process", {"type": "text", "content": "x" * 50}),
        Exchange.json("caught exception returned as a failure", "/process", {"type": "text", "content": "crash"}),
    ],
    "audio_info.py": [
        Exchange("multipart audio", "/process",
                 *multipart(("request", "application/json", AUDIO_JSON, None),
                            ("content", "audio/x-wav", wav(), "a.wav"))),
        Exchange.json("JSON audio without content: the service's own check", "/process",
                      {"type": "audio", "format": "LINEAR16"}),
        Exchange("multipart without content part: the service's own check", "/process",
                 *multipart(("request", "application/json", AUDIO_JSON, None))),
        Exchange("content that is not WAV", "/process",
                 *multipart(("request", "application/json", AUDIO_JSON, None),
                            ("content", "audio/x-wav", b"x" * 100, "a.wav"))),
    ],
    "quart_adapter.py": [
        Exchange.json("async text", "/process", {"type": "text", "content": "a b c"}),
        Exchange.json("raised InternalError", "/process", {"type": "text", "content": "fail"}),
        Exchange.json("raised InvalidRequest", "/process", {"type": "text", "content": "bad"}),
        Exchange.json("returned failure", "/process", {"type": "text", "content": "soft"}),
        Exchange("audio as an async generator", "/process",
                 *multipart(("request", "application/json", AUDIO_JSON, None),
                            ("content", "audio/x-wav", wav(), "a.wav"))),
    ],
}

DIFFERENT: dict[str, list[Different]] = {
    "classifier.py": [
        Different(Exchange.json("type it does not take", "/process/classifier", {"type": "audio", "format": "MP3"}),
                  (200, failure("elg.service.internalError", INTERNAL, [""])),
                  (400, failure("elg.request.type.unsupported", UNSUPPORTED, ["audio"])),
                  "the reference calls the unimplemented process_audio (NotImplementedError, empty message)"),
        Different(Exchange.json("no type", "/process/classifier", {"content": "x"}),
                  (500, b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Er"),
                  (400, None),
                  "the reference fails on an unbound variable and sends Flask's HTML page"),
        Different(Exchange("malformed JSON", "/process/classifier", b"{nope"),
                  (400, b"<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title"),
                  (400, None),
                  "the reference sends Flask's HTML page"),
    ],
    "quart_adapter.py": [
        Different(Exchange.json("type it does not take", "/process",
                                {"type": "structuredText", "texts": [{"content": "a"}]}),
                  (500, failure("elg.service.internalError", INTERNAL,
                                ["ProcessingError.UnsupportedType() missing 1 required positional argument: "
                                 "'request_type'"])),
                  (400, failure("elg.request.type.unsupported", UNSUPPORTED, ["structuredText"])),
                  "the reference's default process_* calls UnsupportedType() without its argument"),
    ],
}

SCRIPTS = sorted(SAME)


def _status_by_our_table(body: Any, reference_status: int) -> int:
    if isinstance(body, dict) and "failure" in body:
        return http_status_for(body["failure"]["errors"][0]["code"])
    return reference_status


@pytest.mark.parametrize("script", SCRIPTS)
def test_same_answers_as_the_reference(services, script):
    reference = services.reference(script)
    ours_default = services.ours(script)
    ours_reference_statuses = services.ours(script, env={"ELG_REFERENCE_STATUSES": "1"})
    quart = script.startswith("quart")
    for exchange in SAME[script]:
        expected = answer(exchange.send(reference.port))
        assert expected[0] in (200, 400, 413, 500) and isinstance(expected[1], dict), (exchange.name, expected)
        assert answer(exchange.send(ours_reference_statuses.port)) == expected, exchange.name
        status, body = answer(exchange.send(ours_default.port))
        assert body == expected[1], exchange.name
        if quart:  # the reference QuartService already sends raised errors with their status
            assert status == (expected[0] if expected[0] != 200 or "response" in body
                               else _status_by_our_table(body, 200)), exchange.name
        else:
            assert status == _status_by_our_table(body, expected[0]), exchange.name


@pytest.mark.parametrize("script", sorted(DIFFERENT))
def test_answers_that_differ_on_purpose(services, script):
    reference = services.reference(script)
    ours = services.ours(script)
    for case in DIFFERENT[script]:
        assert answer(case.exchange.send(reference.port)) == case.reference, case.why
        status, body = answer(case.exchange.send(ours.port))
        if case.ours[1] is None:  # our failure with its detail: check status, envelope and code
            assert status == case.ours[0] and body["failure"]["errors"][0]["code"] == "elg.request.invalid", body
        else:
            assert (status, body) == case.ours, case.why


def test_before_first_request_fails_at_import_under_the_reference_and_works_here(services, reference_python):
    import subprocess
    import sys

    folder = services._copy("model_loader.py", "reference")
    done = subprocess.run([str(reference_python), "-c", "import model_loader"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "AttributeError: 'Flask' object has no attribute 'before_first_request'" in done.stderr
    folder = services._copy("model_loader.py", "ours")
    done = subprocess.run([sys.executable, "-c", "import model_loader; print(model_loader.app.before_first_request)"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
