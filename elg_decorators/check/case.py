"""What a check case is, what it sees of the service, and what it finds."""
from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .http import Exchange, send


class Level(str, enum.Enum):
    """How much a case matters: MUST (the platform or the official client breaks without it) or SHOULD
    (what a careful service does)."""

    MUST = "MUST"
    SHOULD = "SHOULD"


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class CaseFailed(Exception):
    """Raised by a case's check: what went wrong, what was expected, and the exchange that shows it."""

    def __init__(self, why: str, expected: str, exchange: Exchange | None = None) -> None:
        super().__init__(why)
        self.why, self.expected, self.exchange = why, expected, exchange


class CaseSkipped(Exception):
    """Raised by a case's check that does not apply to this service (the reason is its message)."""


@dataclass(frozen=True)
class Endpoint:
    """A path the service serves and the request kinds it takes there."""

    path: str
    kinds: tuple[str, ...]
    #: The path as the service declares it, URL variables unfilled (``/translate/<src>/<tgt>``).
    template: str = ""


@dataclass
class Sent:
    """An exchange of a case, with what the checker knows of its request."""

    exchange: Exchange
    #: The text a text request carried (annotations of the answer must lie within it).
    text: str | None = None
    #: True when the request was valid, so a response was expected.
    valid: bool = False


@dataclass
class Probe:
    """What a case sees: the service's base URL, one endpoint, the options, and the exchanges so far."""

    base_url: str
    endpoint: Endpoint
    sample_text: str
    params: dict[str, Any]
    metadata: Any = None
    max_size: int = 64 * 1024 * 1024
    timeout: float = 30.0
    sent: list[Sent] = field(default_factory=list)
    _cache: dict[str, Sent] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + self.endpoint.path

    def url_for(self, path: str) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def takes(self, *kinds: str) -> bool:
        return any(kind in self.endpoint.kinds for kind in kinds)

    def request(self, key: str, body: bytes, headers: dict[str, str], *, text: str | None = None,
                valid: bool = False, method: str = "POST", url: str | None = None) -> Exchange:
        """Send a request once per key and endpoint (cases that judge the same exchange share it)."""
        if key not in self._cache:
            exchange = send(method, url or self.url, body, headers, timeout=self.timeout)
            self.record(Sent(exchange, text, valid), key)
        return self._cache[key].exchange

    def record(self, sent: Sent, key: str | None = None) -> None:
        self.sent.append(sent)
        if key is not None:
            self._cache[key] = sent

    def cached(self, key: str) -> Exchange | None:
        found = self._cache.get(key)
        return found.exchange if found else None

    def post_json(self, key: str, message: Any, *, text: str | None = None, valid: bool = False,
                  headers: dict[str, str] | None = None) -> Exchange:
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        return self.request(key, body, {"Content-Type": "application/json", **(headers or {})},
                            text=text, valid=valid)


@dataclass(frozen=True)
class Case:
    """One check: a stable identity, a level, the section of the ELG LT internal API it checks, and a
    function that sends what it needs and raises :class:`CaseFailed` or :class:`CaseSkipped`."""

    id: str
    level: Level
    group: str
    section: str
    title: str
    check: Callable[[Probe], None]
    #: The request kinds it needs the endpoint to take (any of them); empty: any endpoint.
    kinds: tuple[str, ...] = ()


@dataclass
class Result:
    """What one case found on one endpoint."""

    case: Case
    endpoint: str
    outcome: Outcome
    why: str = ""
    expected: str = ""
    exchange: Exchange | None = None
    seconds: float = 0.0

    @property
    def failed_must(self) -> bool:
        return self.outcome is Outcome.FAILED and self.case.level is Level.MUST

    def record(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.case.id, "level": self.case.level.value, "group": self.case.group,
            "section": self.case.section, "title": self.case.title, "endpoint": self.endpoint,
            "outcome": self.outcome.value, "seconds": round(self.seconds, 4),
        }
        if self.outcome is Outcome.SKIPPED:
            found["reason"] = self.why
        elif self.outcome is Outcome.FAILED:
            found.update(why=self.why, expected=self.expected)
            if self.exchange is not None:
                found.update(self.exchange.record())
        return found
