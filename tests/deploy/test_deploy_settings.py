"""The server settings the manifests carry: the options given, else serve's defaults, except the queue,
which is the concurrency the manifests declare unless given."""
from __future__ import annotations

import re
from typing import Any

import pytest

from elg_decorators.cli import main
from elg_decorators.deploy.container import deployed_settings, environment
from elg_decorators.settings import SYNC_WORKER_CLASS

NONE_GIVEN = dict(workers=None, threads=None, worker_class=None, request_timeout=None, graceful_timeout=None,
                  max_queue=None)


@pytest.mark.parametrize("given, concurrency, queue", [
    ({}, 4, 4),
    ({"workers": 2, "threads": 8}, 16, 16),
    ({"workers": 3, "worker_class": "sync"}, 3, 3),
    ({"max_queue": 64}, 4, 64),
    ({"workers": 2, "max_queue": 0}, 8, 0),
])
def test_the_queue_is_the_concurrency_unless_given(given: dict[str, Any], concurrency: int, queue: int) -> None:
    settings = deployed_settings({**NONE_GIVEN, **given})
    assert (settings.concurrency, settings.max_queue) == (concurrency, queue)
    assert {item["name"]: item["value"] for item in environment(settings)}["MAX_QUEUE"] == str(queue)


def test_the_machine_running_deploy_is_not_the_container(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_QUEUE", "99")
    monkeypatch.setenv("THREADS", "7")
    settings = deployed_settings(NONE_GIVEN)
    assert (settings.threads, settings.max_queue) == (4, 4)
    assert deployed_settings({**NONE_GIVEN, "worker_class": SYNC_WORKER_CLASS}).max_queue == 1


def test_a_queue_no_server_could_run_with_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^MAX_QUEUE=-1 must be 0 or more$"):
        deployed_settings({**NONE_GIVEN, "max_queue": -1})


def test_help_gives_the_queue_default_deploy_uses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["deploy", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert re.search(r"--max-queue N complete requests waiting for a thread, per worker, before 503s "
                     r"\(default: workers times threads, the concurrency, MAX_QUEUE\)", text)
