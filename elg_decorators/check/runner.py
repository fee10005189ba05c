"""Running the cases against every endpoint of a target."""
from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import cases_answers as _answers  # noqa: F401 - registers its cases
from . import cases_requests as _requests  # noqa: F401 - registers its cases
from .case import Case, CaseFailed, CaseSkipped, Endpoint, Outcome, Probe, Result
from .registry import CASES, GROUPS


@dataclass
class Options:
    """What a run checks and with what."""

    sample_text: str
    params: dict[str, Any] = field(default_factory=dict)
    metadata: tuple[str, tuple[str, ...]] | None = None
    only: Collection[str] = ()
    skip: Collection[str] = ()
    max_size: int = 64 * 1024 * 1024
    timeout: float = 30.0


def selected(only: Collection[str], skip: Collection[str]) -> list[Case]:
    """The cases of the groups in ``only`` (all if empty), less the IDs or groups in ``skip``."""
    unknown = [name for name in [*only, *skip] if name not in GROUPS and not any(c.id == name for c in CASES)]
    if unknown:
        raise ValueError(f"no group or case {', '.join(unknown)}: groups are {', '.join(GROUPS)}")
    order = list(GROUPS)
    return [c for c in sorted(CASES, key=lambda c: order.index(c.group))
            if (not only or c.group in only or c.id in only) and c.id not in skip and c.group not in skip]


def run_case(case: Case, probe: Probe) -> Result:
    endpoint = probe.endpoint.path
    if case.kinds and not probe.takes(*case.kinds):
        return Result(case, endpoint, Outcome.SKIPPED,
                      f"the endpoint takes no {' or '.join(case.kinds)} requests (it takes "
                      f"{', '.join(probe.endpoint.kinds) or 'none'})")
    started = time.monotonic()
    try:
        case.check(probe)
    except CaseSkipped as skipped:
        return Result(case, endpoint, Outcome.SKIPPED, str(skipped), seconds=time.monotonic() - started)
    except CaseFailed as failed:
        return Result(case, endpoint, Outcome.FAILED, failed.why, f"{failed.expected} ({case.section})",
                      failed.exchange, time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - a checker bug is reported as the case's failure, not a crash
        return Result(case, endpoint, Outcome.FAILED, f"the check itself failed: {type(exc).__name__}: {exc}",
                      case.section, seconds=time.monotonic() - started)
    return Result(case, endpoint, Outcome.PASSED, seconds=time.monotonic() - started)


def run(base_url: str, endpoints: Sequence[Endpoint], options: Options) -> list[Result]:
    """Every selected case on every endpoint, in order."""
    cases = selected(options.only, options.skip)
    results: list[Result] = []
    for endpoint in endpoints:
        probe = Probe(base_url, endpoint, options.sample_text, options.params, options.metadata,
                      options.max_size, options.timeout)
        results.extend(run_case(case, probe) for case in cases)
    return results
