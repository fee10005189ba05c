"""Server settings: one set of defaults, overridden by arguments, then the environment."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from elg_decorators.settings import ServerSettings, default_base_image

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dictionary_ner.py"


def test_the_production_defaults() -> None:
    settings = ServerSettings.resolve(environ={})
    assert settings == ServerSettings(
        host="0.0.0.0", port=8000, workers=1, threads=4,
        worker_class="elg_decorators.worker.service_worker.ServiceWorker",
        timeout=60, graceful_timeout=30, request_timeout=300, read_timeout=5, keepalive=75, max_queue=64,
        max_connections=1000, max_body_buffer=256, max_requests=0, max_worker_memory=0, log_level="INFO", reload=False,
    )
    assert settings.concurrency == 4


def test_arguments_win_over_the_environment_which_wins_over_the_defaults() -> None:
    environ = {"PORT": "9000", "WORKERS": "3", "LOG_LEVEL": "warning"}
    settings = ServerSettings.resolve(environ=environ, workers=2)
    assert (settings.port, settings.workers, settings.log_level) == (9000, 2, "WARNING")


def test_the_environment_of_the_settings_round_trips() -> None:
    settings = ServerSettings.resolve(environ={}, workers=2, threads=8, request_timeout=30)
    assert settings.environment() == {
        "WORKERS": "2", "THREADS": "8", "WORKER_CLASS": "elg_decorators.worker.service_worker.ServiceWorker",
        "TIMEOUT": "60", "GRACEFUL_TIMEOUT": "30", "REQUEST_TIMEOUT": "30", "READ_TIMEOUT": "5",
        "KEEPALIVE": "75", "MAX_QUEUE": "64", "MAX_CONNECTIONS": "1000", "MAX_BODY_BUFFER": "256",
        "MAX_REQUESTS": "0", "MAX_WORKER_MEMORY": "0", "LOG_LEVEL": "INFO",
    }
    assert ServerSettings.resolve(environ=settings.environment()) == settings


def test_the_sync_worker_class_gets_one_thread() -> None:
    assert ServerSettings.resolve(environ={"WORKER_CLASS": "sync"}).threads == 1


def test_sync_with_threads_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError) as caught:
        ServerSettings.resolve(environ={}, worker_class="sync", threads=4)
    assert str(caught.value) == (
        "worker class 'sync' runs one request at a time, but 4 threads were asked for; "
        "drop THREADS/--threads or use the gthread worker class"
    )


@pytest.mark.parametrize(("environ", "message"), [
    ({"PORT": "eighty"}, "PORT='eighty' is not a valid int"),
    ({"WORKERS": "0"}, "WORKERS=0 must be at least 1"),
    ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL='chatty' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ({"PORT": "70000"}, "PORT=70000 must be 65535 or less"),
    ({"MAX_CONNECTIONS": "0"}, "MAX_CONNECTIONS=0 must be at least 1"),
    ({"REQUEST_TIMEOUT": "-1"}, "REQUEST_TIMEOUT=-1 must be 0 or more"),
])
def test_invalid_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        ServerSettings.resolve(environ=environ)
    assert str(caught.value) == message


def test_the_command_line_refuses_contradicting_options_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "serve", str(EXAMPLE), "--worker-class", "sync", "--threads", "4"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: worker class 'sync' runs one request at a time, but 4 threads were asked for; "
        "drop THREADS/--threads or use the gthread worker class"
    ]


def test_the_base_image_follows_a_python_version() -> None:
    assert default_base_image((3, 12)) == "python:3.12-slim"
    assert default_base_image() == f"python:{sys.version_info[0]}.{sys.version_info[1]}-slim"


def test_an_unknown_setting_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError) as caught:
        ServerSettings.resolve(environ={}, thread=4)
    assert str(caught.value).startswith("unknown setting 'thread'; the settings are: host, port, workers, threads,")


def test_every_setting_is_one_declaration_that_the_options_and_the_image_follow() -> None:
    """A command-line option and (unless it is only an argument) an environment variable for every
    declared setting; the image's environment carries all but where to listen."""
    from elg_decorators.cli import build_parser
    from elg_decorators.settings import SETTINGS

    serve_help = build_parser().parse_args(["serve", "x.py"])
    for declared in SETTINGS:
        assert hasattr(serve_help, declared.name), declared.name
        assert declared.help and declared.default == getattr(ServerSettings(), declared.name)
    environment = ServerSettings().environment()
    assert set(environment) == {declared.env for declared in SETTINGS if declared.env} - {"HOST", "PORT"}
