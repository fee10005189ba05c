"""Deciding whether a client asked for a server-sent event stream."""
from __future__ import annotations


EVENT_STREAM = "text/event-stream"


def wants_event_stream(accept: str | None) -> bool:
    """True when ``accept`` names ``text/event-stream`` explicitly with a q-value above 0.

    Wildcards (``*/*``, ``text/*``) do not count: curl and requests send
    ``*/*`` by default and expect a plain JSON answer.
    """
    if not accept:
        return False
    accept = accept.lower()
    if EVENT_STREAM not in accept:
        return False
    for media_range in accept.split(","):
        media_type, _, parameters = media_range.partition(";")
        if media_type.strip() != EVENT_STREAM:
            continue
        return _quality(parameters) > 0
    return False


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
