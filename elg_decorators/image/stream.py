"""Reading the Docker engine's answers: its errors, in one line, and its JSON event streams."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable, Mapping

from .progress import strip_ansi

__all__ = ["one_line", "api_errors", "explain", "error_message", "drain"]


def one_line(text: object) -> str:
    """``text`` on one line, without terminal escape sequences."""
    return " ".join(strip_ansi(str(text)).split())


def api_errors() -> tuple[type[BaseException], ...]:
    """The exceptions the docker SDK raises when the engine cannot be reached or refuses a request."""
    import docker.errors
    import requests

    return (docker.errors.DockerException, requests.RequestException)


def explain(err: BaseException) -> str:
    """The engine's explanation of an SDK error (or the error itself), on one line."""
    explanation = getattr(err, "explanation", None)
    return one_line(explanation or err)


def error_message(event: Mapping[str, Any]) -> str | None:
    """The error an event of a build, pull or push stream reports, or None."""
    if "error" not in event and "errorDetail" not in event:
        return None
    detail = event.get("errorDetail") or {}
    return one_line(detail.get("message") or event.get("error") or "unknown error")


def drain(events: Iterable[Any]) -> None:
    """Read an event stream to its end."""
    # Reading the stream to its end lets the connection go back to the client's pool.
    for _ in events:
        pass
