"""HTTP status lines, as every answer of the service spells them (werkzeug's, as Flask sends them)."""
from __future__ import annotations

from werkzeug.http import HTTP_STATUS_CODES

#: The status line of every status HTTP names, by status.
STATUS_LINES = {status: f"{status} {reason.upper()}" for status, reason in HTTP_STATUS_CODES.items()}


def status_line(status: int) -> str:
    """``400 BAD REQUEST`` for 400: the status and its reason phrase, for WSGI and raw HTTP alike."""
    return STATUS_LINES.get(status) or f"{status} UNKNOWN"
