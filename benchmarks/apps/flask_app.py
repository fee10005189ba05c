"""(c) A plain Flask route doing the same JSON parse, work and JSON dump, without any ELG layer."""
from __future__ import annotations

import json
from typing import Any
from collections.abc import Iterator

import work
from flask import Flask, Response, jsonify, request

app = Flask("plain")


@app.post("/process")
def process() -> Any:
    """Dispatch on the request's ``type`` the way a hand-written service would."""
    if request.mimetype == "multipart/form-data":
        data = json.loads(request.form["request"])
        content = request.files["content"].read()
        return _response(work.audio_result(len(content), data.get("format", "LINEAR16")), "annotations")
    data = request.get_json()  # malformed JSON: Flask's own 400 page
    if data.get("type") == "structuredText":
        texts = work.structured_result([node["content"] for node in data["texts"]])
        return _response({"texts": texts}, "texts")
    steps = work.wants_progress(data.get("params"))
    if steps and "text/event-stream" in request.headers.get("Accept", ""):
        return Response(_events(data["content"], steps), mimetype="text/event-stream")
    return _response(work.text_result(data["content"]), "annotations")


def _response(fields: dict[str, Any], kind: str) -> Response:
    return jsonify({"response": {"type": kind, **fields}})


def _events(content: str, steps: int) -> Iterator[str]:
    for percent in work.progress_steps(steps):
        yield "data:" + json.dumps({"progress": {"percent": percent}}) + "\r\n\r\n"
    final = {"response": {"type": "annotations", **work.text_result(content)}}
    yield "data:" + json.dumps(final) + "\r\n\r\n"
