"""Status messages and the two messages built on them: failures and progress."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import ELGModel


class StatusMessage(ELGModel):
    """A message in a form the ELG user interface can translate.

    ``code`` is looked up in the platform's message catalogue; ``text`` is the
    English fallback, with ``{0}``, ``{1}`` … filled from ``params``;
    ``detail`` carries untranslated data (a stack trace, validation errors).
    """

    code: str
    params: list[str]
    text: str
    detail: dict[str, Any] | None = None

    def render(self) -> str:
        """The fallback text with its placeholders filled in."""
        try:
            return self.text.format(*self.params)
        except (IndexError, KeyError, ValueError):
            return self.text


class Failure(ELGModel):
    """A failed request: one or more status messages saying why."""

    errors: list[StatusMessage] = Field(min_length=1)


class Progress(ELGModel):
    """A progress report from a long-running request (sent as a server-sent event)."""

    percent: float
    message: StatusMessage | None = None
