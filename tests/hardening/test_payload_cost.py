"""What an invalid body costs, against a valid body of the same size, over a real gunicorn worker.

Each probe is sent to ``python -m elg_decorators serve`` with its default settings (one
worker), then a valid body of exactly the same size. Asserted:

* the status and the failure, then that a valid request is still answered;
* time: the invalid body takes no longer than the valid one (the better of two tries each,
  measured in the same test: a ratio, never an absolute time);
* memory: the worker's peak resident memory while answering (``VmHWM`` of
  ``/proc/<worker>/status``, reset before each request by writing 5 to
  ``/proc/<worker>/clear_refs``) grows by at most ``PEAK_BYTES_PER_BODY_BYTE`` times the body
  size plus ``PEAK_CONSTANT``. The multiple is what the densest valid JSON costs: objects of
  a few bytes each (``{"content":""}``, ``{"start":0,"end":0}``) become pydantic models of
  several hundred bytes, after a parse tree of about 30 bytes per value.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import RawResponse, Server, assert_elg_failure, assert_elg_response, assert_serving, post

#: Peak worker memory may grow by this many bytes per byte of the body ...
PEAK_BYTES_PER_BODY_BYTE = 48
#: ... plus this much (buffers, the failure or response, allocator slack).
PEAK_CONSTANT = 32 * 1024 * 1024
#: Tries per body; the fastest counts (the machine may be busy with something else).
TRIES = 2


def compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def same_size(valid: Callable[[int], dict[str, Any]], size: int, item_bytes: int) -> bytes:
    """A valid body of exactly ``size`` bytes: ``valid(n)`` with its ``content`` padded with spaces."""
    fields = valid(max(1, size // item_bytes - 1))
    body = compact(fields)
    while len(body) > size:
        fields = valid(int(len(fields.get("texts") or fields["annotations"]["A"]) * 0.95))
        body = compact(fields)
    holder = fields["texts"][0] if "texts" in fields else fields
    holder["content"] += " " * (size - len(body))
    body = compact(fields)
    assert len(body) == size
    return body


def _status(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` field, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for pid {pid}")


def measured(server: Server, body: bytes, path: str = "/process") -> tuple[RawResponse, float, int]:
    """The answer to ``body``, the best time of TRIES, and the worker's peak memory growth (bytes)."""
    (worker,) = server.workers()
    best_time, peak = float("inf"), 0
    answer: RawResponse | None = None
    for _ in range(TRIES):
        with open(f"/proc/{worker}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # VmHWM := VmRSS
        before = _status(worker, "VmRSS")
        started = time.perf_counter()
        answer = post(server.port, path, body, timeout=120)
        best_time = min(best_time, time.perf_counter() - started)
        peak = max(peak, _status(worker, "VmHWM") - before)
    assert answer is not None
    return answer, best_time, peak


def assert_peak_bounded(peak: int, body: bytes, what: str) -> None:
    bound = PEAK_BYTES_PER_BODY_BYTE * len(body) + PEAK_CONSTANT
    assert peak <= bound, f"{what}: peak grew by {peak / 2**20:.0f} MiB for {len(body) / 2**20:.1f} MiB of body"


def texts_request(count: int) -> dict[str, Any]:
    return {"type": "structuredText", "texts": [{"content": "a"} for _ in range(count)]}


def annotations_request(count: int) -> dict[str, Any]:
    return {"type": "text", "content": "a", "annotations": {"A": [{"start": 0, "end": 1} for _ in range(count)]}}


PROBES = {
    # The probes of the report: 10^6 numbers as texts (2 MB), 5x10^5 invalid annotations (12 MB).
    "10^6 texts that are numbers": (
        compact({"type": "structuredText", "texts": [1] * 1_000_000}), texts_request, 16,
        {"location": "structuredText.texts.0", "message": "Input should be an object",
         "type": "model_type"},
    ),
    "5x10^5 annotations with string offsets": (
        compact({"type": "text", "content": "a",
                 "annotations": {"A": [{"start": "a", "end": "b"}] * 500_000}}),
        annotations_request, 20,
        {"location": "text.annotations.A.0.start.int", "message": "Input should be a valid integer",
         "type": "int_type"},
    ),
    "10^5 annotation types, each invalid": (
        compact({"type": "text", "content": "a", "annotations": {f"T{i}": [{"start": 0}] for i in range(100_000)}}),
        annotations_request, 20,
        {"location": "text.annotations.T0.0.end", "message": "Field required", "type": "missing"},
    ),
    "10^5 nested texts, each invalid": (
        compact({"type": "structuredText", "texts": [{"texts": [{"mimeType": 1}] * 10}] * 10_000}),
        texts_request, 16,
        {"location": "structuredText.texts.0.texts.0.mimeType", "message": "Input should be a valid string",
         "type": "string_type"},
    ),
}


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
def test_an_invalid_body_costs_no_more_than_a_valid_one_of_its_size(payload_server: Server, probe: Any) -> None:
    body, valid, item_bytes, first_error = probe
    valid_body = same_size(valid, len(body), item_bytes)

    answer, invalid_time, invalid_peak = measured(payload_server, body)
    failure = assert_elg_failure(answer, 400, "elg.request.invalid")
    assert failure["errors"][0]["detail"]["errors"][0] == first_error
    # Only the first invalid item is reported (an offset is tried as each of the three number types).
    assert len(failure["errors"][0]["detail"]["errors"]) <= 6
    assert_serving(payload_server.port)

    valid_answer, valid_time, valid_peak = measured(payload_server, valid_body)
    assert_elg_response(valid_answer, "annotations")

    assert invalid_time <= valid_time, f"invalid {invalid_time:.3f}s, valid {valid_time:.3f}s"
    assert_peak_bounded(invalid_peak, body, "invalid body")
    assert_peak_bounded(valid_peak, valid_body, "valid body")
    assert_serving(payload_server.port)


def test_the_valid_bodies_are_what_they_claim(payload_server: Server) -> None:
    """The comparison bodies are really processed: every text and annotation reaches the handler."""
    body = same_size(texts_request, 100_000, 16)
    answer = assert_elg_response(post(payload_server.port, "/process", body))
    assert answer["features"]["nodes"] == len(json.loads(body)["texts"]) > 5000
    body = same_size(annotations_request, 100_000, 20)
    answer = assert_elg_response(post(payload_server.port, "/process", body))
    assert answer["features"]["annotations"] == len(json.loads(body)["annotations"]["A"]) > 4000
