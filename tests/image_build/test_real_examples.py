"""Every example, built into an image on a real engine, answers as ``serve`` answers on this machine.

For each example: build its image (offline, from the Debian base image, with --output so the
example folder stays clean), run it, send a valid and an invalid request and compare status and
body with a local ``python -m elg_decorators serve``, run the image's HEALTHCHECK command, and
stop it: exit code 0, well within docker stop's 10 seconds. Layers of the dependencies are
shared by all the examples (their requirements are the same), so only the first build installs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pytest
import requests
from .images import build, container, remove_image, run_healthcheck, serve_locally, stop
from .real_engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from media import png_bytes, wav_bytes  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Call = Callable[[int], requests.Response]


def _json(path: str, body: Any) -> Call:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda port: requests.post(f"http://127.0.0.1:{port}{path}", data=data,
                                      headers={"Content-Type": "application/json"}, timeout=10)


def _multipart(request: dict, content: bytes, mime: str) -> Call:
    return lambda port: requests.post(
        f"http://127.0.0.1:{port}/process", timeout=10,
        files={"request": (None, json.dumps(request), "application/json"), "content": ("media", content, mime)},
    )


# example -> (valid call, invalid call)
CALLS: dict[str, tuple[Call, Call]] = {
    "dictionary_ner": (
        _json("/process", {"type": "text", "content": "Ada Lovelace wrote to charles@babbage.org on 1843-07-10."}),
        _json("/process", {"type": "text", "content": "Ada", "params": {"lang": ["not", "a", "string"]}}),
    ),
    "sentiment": (
        _json("/process", {"type": "text", "content": "What a great, happy day", "params": {"top_k": 2}}),
        _json("/process", {"type": "text", "content": "x", "params": {"top_k": "many"}}),
    ),
    "sentence_splitter": (
        _json("/process", {"type": "structuredText", "texts": [{"content": "Hello world. How are you?"}]}),
        _json("/process", {"type": "text", "content": "not structured"}),
    ),
    "wav_info": (
        _multipart({"type": "audio", "format": "LINEAR16"}, wav_bytes(0.25), "audio/x-wav"),
        _multipart({"type": "audio", "format": "LINEAR16"}, b"RIFF not a wave file", "audio/x-wav"),
    ),
    "image_info": (
        _multipart({"type": "image", "format": "png"}, png_bytes(3, 2), "image/png"),
        _json("/process", b'{"type": "image", "format": '),
    ),
    "slow_progress": (
        _json("/process", {"type": "text", "content": "one two three", "params": {"delay": 0}}),
        _json("/process", {"type": "text", "content": "one", "params": {"delay": "slow"}}),
    ),
    "translate": (
        _json("/translate/en/de", {"type": "text", "content": "the cat drinks milk"}),
        _json("/translate/en/de", {"type": "nonsense", "content": "x"}),
    ),
    "classic_flask_service": (
        _json("/process/upper", {"type": "text", "content": "hello world"}),
        _json("/process/sideways", {"type": "text", "content": "hello world"}),
    ),
}


def _answer(call: Call, port: int) -> tuple[int, bytes]:
    response = call(port)
    return response.status_code, response.content


#: Examples not built into images here, and why.
NOT_BUILT = {
    # Its image would carry scikit-learn, NumPy and SciPy (over 100 MB of wheels to download and install):
    # too slow for the suite; its tests serve it with `serve` (tests/examples).
    "batched_classifier": "needs scikit-learn in the image",
}


def test_every_example_has_calls() -> None:
    assert sorted([*CALLS, *NOT_BUILT]) == sorted(path.stem for path in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_example_image_answers_as_serve_does(engine: Engine, tmp_path: Path, name: str) -> None:
    tag = f"elg-example-{name.replace('_', '-')}:test"
    result = build(engine, EXAMPLES / f"{name}.py", "--tag", tag, "--output", tmp_path / "context")
    assert result.returncode == 0, result.stderr + result.stdout[-3000:]
    assert not list(EXAMPLES.glob("Dockerfile*")) and not (EXAMPLES / "wheels").exists()
    assert not (EXAMPLES / ".elg-build").exists()
    valid, invalid = CALLS[name]
    try:
        with serve_locally(tmp_path / "context" / f"{name}.py") as local_port:
            expected = [_answer(call, local_port) for call in (valid, invalid)]
        assert expected[0][0] == 200 and expected[1][0] in (400, 404), expected
        with container(engine, tag) as (running, port):
            answers = [_answer(call, port) for call in (valid, invalid)]
            assert answers == expected
            assert run_healthcheck(running) == (0, b"")
            assert running.exec_run("id -u").output.strip() == b"1001"
            exit_code, seconds = stop(running)
            assert exit_code == 0, running.logs().decode(errors="replace")[-2000:]
            assert seconds < 10
    finally:
        remove_image(engine, tag)
