"""examples/batched_classifier.py: a scikit-learn classifier trained at start, served in batches by a real
``serve`` process; its function is still a plain function called with lists."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from media import example

from elg_decorators.model import ClassificationResponse
from hardening.conftest import RawResponse, Server, free_port, get, post, serve_command, start_server
from elg_decorators.discovery import load_service

EXAMPLE = "batched_classifier"

POSITIVE = ["The staff were wonderful, I love it.", "What a great experience, highly recommended!",
            "The concert was fantastic and the food excellent."]
NEGATIVE = ["The hotel was awful, I hate it.", "A terrible, boring film: a waste of money.",
            "The delivery was a disaster and the support team useless."]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    started = start_server(EXAMPLE, serve_command(Path(example(EXAMPLE)), port, "--workers", "1", "--threads", "4"),
                           port, tmp_path_factory.mktemp(EXAMPLE),
                           drop_env=["REQUEST_TIMEOUT", "THREADS", "WORKERS", "MAX_QUEUE", "WORKER_CLASS"])
    deadline = time.monotonic() + 60
    while get(port, "/health/ready").status != 200:  # the classifier is trained in the background
        assert time.monotonic() < deadline, started.log()[-3000:]
        time.sleep(0.1)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def module() -> ModuleType:
    # Its decorators register into a registry of its own, whatever else this test run loaded.
    return load_service(str(example(EXAMPLE))).module


def classify(server: Server, text: str) -> list[dict[str, Any]]:
    answer: RawResponse = post(server.port, "/process", json.dumps({"type": "text", "content": text}).encode())
    assert answer.status == 200, (answer.status, answer.body[:500])
    response = answer.json()["response"]
    assert response["type"] == "classification"
    classes: list[dict[str, Any]] = response["classes"]
    return classes


def batch_counts(server: Server) -> tuple[float, float]:
    """The number of batches and of requests batched so far (``elg_batch_size``'s count and sum)."""
    page = get(server.port, "/metrics").body.decode()
    values = {name: float(value) for name, value in
              re.findall(r'^elg_batch_size_(count|sum)\{path="/process"\} (\S+)$', page, re.MULTILINE)}
    return values.get("count", 0.0), values.get("sum", 0.0)


@pytest.mark.parametrize("text, label", [*((text, "positive") for text in POSITIVE),
                                         *((text, "negative") for text in NEGATIVE)])
def test_clear_sentences_get_their_class(server: Server, text: str, label: str) -> None:
    classes = classify(server, text)

    assert [entry["class"] for entry in classes][0] == label
    assert sorted(entry["class"] for entry in classes) == ["negative", "positive"]
    assert classes[0]["score"] > 0.6 and abs(sum(entry["score"] for entry in classes) - 1.0) < 0.001


def test_32_concurrent_requests_are_answered_in_batches(server: Server) -> None:
    texts = [(POSITIVE + NEGATIVE)[i % 6] for i in range(32)]
    batches_before, requests_before = batch_counts(server)

    for _ in range(3):  # three waves: batches form as soon as requests queue behind a running one
        with ThreadPoolExecutor(32) as pool:
            answers = list(pool.map(lambda text: classify(server, text), texts))
        assert [classes[0]["class"] for classes in answers] == ["positive" if text in POSITIVE else "negative"
                                                               for text in texts]

    batches, requests = batch_counts(server)
    assert requests - requests_before == 96
    assert batches - batches_before < 96, "every request ran in a batch of one"


def test_the_function_called_directly_with_lists(module: ModuleType) -> None:
    model = module.classifier()

    answers = module.classify([POSITIVE[0], NEGATIVE[0], POSITIVE[1]], model)

    assert [answer.classes[0].class_field for answer in answers] == ["positive", "negative", "positive"]
    assert all(isinstance(answer, ClassificationResponse) for answer in answers)
