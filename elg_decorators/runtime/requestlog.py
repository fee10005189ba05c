"""One log line per request, and the JSON log format (``LOG_FORMAT=json``).

Each request, whoever answered it, is logged at INFO when it ends::

    POST /process text 200 - 3.1ms id=5f0c…
    GET /nowhere - 404 elg.service.not.found 0.2ms id=…
    POST /process text 200 - 1520.4ms 12 events id=…      (an event stream, logged when it ends)
    POST /embed text 200 - 14.2ms batch=32 id=…           (a batched handler: the size of its batch)

With ``LOG_FORMAT=json`` every record of the framework's logger is one JSON object per line;
request lines carry their fields (``method``, ``path``, ``type``, ``status``, ``code``,
``duration_ms``, ``request_id``, ``events``) as keys of their own.

What the client sent (method, path, request type, request id) goes into the line with its control
characters escaped (:func:`.log_values.printable`), so that a path cannot start a line of its own or
send escape codes to a terminal; the JSON fields keep the values as they were, escaped by JSON.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any

from ..logger import logger
from ..settings import LOG_FORMAT
from .lifecycle import Outcome
from .log_values import printable

_REQUEST_FIELDS = "elg_request"
# What json.dumps leaves as it is (JSON requires escaping only below U+0020) but is a control
# character, or a line break to some readers; it can only be inside a string, where \uXXXX is valid.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029]")


def log_request(outcome: Outcome) -> None:
    """Lifecycle listener: one INFO line for a finished request."""
    if not logger.isEnabledFor(logging.INFO):
        return
    events = f" {outcome.events} events" if outcome.events is not None else ""
    if outcome.batch is not None:
        events += f" batch={outcome.batch}"
    logger.info(
        "%s %s %s %d %s %.1fms%s id=%s", printable(outcome.method), printable(outcome.path),
        printable(outcome.request_type), outcome.status, outcome.code or "-", outcome.duration * 1000, events,
        printable(outcome.request_id) or "-", extra={_REQUEST_FIELDS: outcome},
    )


class JSONFormatter(logging.Formatter):
    """Formats each record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        outcome = getattr(record, _REQUEST_FIELDS, None)
        if isinstance(outcome, Outcome):
            entry.update(
                method=outcome.method, path=outcome.path, type=outcome.request_type, status=outcome.status,
                code=outcome.code, duration_ms=round(outcome.duration * 1000, 3), request_id=outcome.request_id,
            )
            if outcome.events is not None:
                entry["events"] = outcome.events
            if outcome.batch is not None:
                entry["batch"] = outcome.batch
        else:
            request_id = _current_request_id()
            if request_id:
                entry["request_id"] = request_id
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        if _RAW_IN_JSON.search(line) is None:
            return line
        return _RAW_IN_JSON.sub(_json_escape, line)


def _json_escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def _current_request_id() -> str:
    from .service_app import current_request

    current = current_request.get()
    return current.request_id if current is not None else ""


def log_format() -> str:
    """The format in force: ``LOG_FORMAT`` (``text`` or ``json``), default text."""
    return str(LOG_FORMAT.read())


def formatter(text_format: str) -> logging.Formatter:
    """The formatter ``LOG_FORMAT`` asks for (``text_format`` is the text layout)."""
    return JSONFormatter() if log_format() == "json" else logging.Formatter(text_format)
