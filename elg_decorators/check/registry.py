"""The list of cases, filled by the case modules with the :func:`case` decorator."""
from __future__ import annotations

from collections.abc import Callable

from .case import Case, Level, Probe

#: Every case, in the order they run.
CASES: list[Case] = []
#: The groups, in the order they run, with what each checks.
GROUPS: dict[str, str] = {
    "connection": "connection and content types",
    "health": "health",
    "valid": "valid requests of each kind the service takes",
    "invalid": "invalid requests answered with standard failures",
    "responses": "response and failure bodies",
    "progress": "progress streams",
    "concurrency": "parallel requests",
    "metadata": "the metadata record against the service",
}


def case(id: str, level: Level, group: str, section: str, title: str,  # noqa: A002 - the case's "id"
         kinds: tuple[str, ...] = ()) -> Callable[[Callable[[Probe], None]], Callable[[Probe], None]]:
    """Register the decorated function as a case."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")

    def register(check: Callable[[Probe], None]) -> Callable[[Probe], None]:
        if any(existing.id == id for existing in CASES):
            raise ValueError(f"case {id} is defined twice")
        CASES.append(Case(id, level, group, section, title, check, kinds))
        return check

    return register
