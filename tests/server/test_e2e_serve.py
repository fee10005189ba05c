"""The examples served by real gunicorn processes, called over HTTP with requests."""
from __future__ import annotations

import io
import json
import time
import wave

import requests

SERVE = ["-m", "elg_decorators", "serve"]
LOCAL = ["--host", "127.0.0.1", "--port", "{port}"]


def wav_bytes(seconds: float, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(sample_rate)
        recording.writeframes(b"\x00\x00" * int(seconds * sample_rate))
    return buffer.getvalue()


def test_cli_serves_json_text_requests_and_stops_cleanly_on_sigterm(start) -> None:
    service = start([*SERVE, "examples/dictionary_ner.py", *LOCAL])

    answer = requests.post(f"{service.url}/process", timeout=10, json={
        "type": "text", "content": "Alan Turing, alan@example.org", "params": {"lang": "en"},
    })
    health = requests.get(f"{service.url}/health", timeout=10)
    missing = requests.post(f"{service.url}/nowhere", timeout=10, json={"type": "text", "content": "x"})

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.content == (
        b'{"response":{"type":"annotations","annotations":{'
        b'"Person":[{"start":0,"end":11,"features":{"name":"Alan Turing"}}],'
        b'"Email":[{"start":13,"end":29}]}}}'
    )
    assert health.json() == {"status": "ok", "name": "dictionary_ner", "endpoints": {"/process": ["text"]}}
    assert missing.status_code == 404
    assert missing.json()["failure"]["errors"][0]["code"] == "elg.service.not.found"
    assert service.stop() == 0


def test_cli_serves_multipart_audio(start) -> None:
    service = start([*SERVE, "examples/wav_info.py", *LOCAL])

    answer = requests.post(f"{service.url}/process", timeout=10, files={
        "request": (None, json.dumps({"type": "audio", "format": "LINEAR16"}), "application/json"),
        "content": ("speech.wav", wav_bytes(2.0, 8000), "audio/x-wav"),
    })
    mp3 = requests.post(f"{service.url}/process", timeout=10, files={
        "request": (None, json.dumps({"type": "audio", "format": "MP3"}), "application/json"),
        "content": ("speech.mp3", b"ID3\x03\x00", "audio/mpeg"),
    })

    assert answer.status_code == 200
    assert answer.json() == {"response": {
        "type": "annotations",
        "features": {"duration": 2.0, "sampleRate": 8000, "channels": 1, "sampleWidth": 2, "frames": 16000},
        "annotations": {"Audio": [{"start": 0.0, "end": 2.0}]},
    }}
    assert mp3.status_code == 400
    assert mp3.json()["failure"]["errors"][0]["code"] == "elg.request.audio.format.unsupported"
    assert service.stop() == 0


def test_cli_streams_server_sent_events_as_they_happen(start) -> None:
    service = start([*SERVE, "examples/slow_progress.py", *LOCAL])
    delay = 0.4

    events = []
    with requests.post(
        f"{service.url}/process", timeout=10, stream=True, headers={"Accept": "text/event-stream"},
        json={"type": "text", "content": "one two three", "params": {"delay": delay}},
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        for line in answer.iter_lines(chunk_size=None):
            if line.startswith(b"data:"):
                events.append((time.monotonic(), json.loads(line[len(b"data:"):])))

    assert [body for _, body in events] == [
        {"progress": {"percent": 33.3, "message": {
            "code": "example.word.done", "params": ["1", "3"], "text": "Word {0} of {1} done"}}},
        {"progress": {"percent": 66.7, "message": {
            "code": "example.word.done", "params": ["2", "3"], "text": "Word {0} of {1} done"}}},
        {"progress": {"percent": 100.0, "message": {
            "code": "example.word.done", "params": ["3", "3"], "text": "Word {0} of {1} done"}}},
        {"response": {"type": "annotations", "features": {"words": 3},
                      "annotations": {"Word": [{"start": 0, "end": 3}, {"start": 4, "end": 7},
                                               {"start": 8, "end": 13}]}}},
    ]
    first_arrival, last_arrival = events[0][0], events[-1][0]
    assert last_arrival - first_arrival >= 1.5 * delay  # events came one by one, not in one final burst
    assert service.stop() == 0


def test_running_an_example_script_serves_it_on_port(start) -> None:
    service = start(["examples/dictionary_ner.py"], env={"PORT": "{port}", "HOST": "127.0.0.1"})

    answer = requests.post(f"{service.url}/process", timeout=10,
                           json={"type": "text", "content": "Konrad Zuse", "params": {"lang": "de"}})

    assert answer.json() == {"response": {"type": "annotations", "annotations": {
        "Person": [{"start": 0, "end": 11, "features": {"name": "Konrad Zuse"}}],
    }}}
    assert service.stop() == 0


def test_running_the_classic_example_script_serves_it(start) -> None:
    service = start(["examples/classic_flask_service.py"], env={"PORT": "{port}", "HOST": "127.0.0.1"})

    answer = requests.post(f"{service.url}/process/upper", timeout=10, json={"type": "text", "content": "hi"})

    assert answer.json() == {"response": {"type": "texts", "texts": [{"content": "HI"}]}}
    assert service.stop() == 0


def test_plain_gunicorn_serves_the_wsgi_factory(start) -> None:
    service = start([
        "-m", "gunicorn", "--bind", "127.0.0.1:{port}", "--workers", "1",
        "elg_decorators.wsgi:load_app('examples/translate.py')",
    ])

    answer = requests.post(f"{service.url}/translate/en/fr", timeout=10,
                           json={"type": "text", "content": "the cat drinks milk"})

    assert answer.json() == {"response": {"type": "texts", "texts": [
        {"content": "le chat boit lait", "features": {"source": "en", "target": "fr"}},
    ]}}
    assert service.stop() == 0
