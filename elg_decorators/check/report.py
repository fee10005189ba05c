"""The reports of a run: a summary for people, JUnit XML for CI systems, JSON for programs."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from .case import Level, Outcome, Result
from .registry import GROUPS


def conforms(results: Sequence[Result], strict: bool = False) -> bool:
    """True when no MUST case failed (with ``strict``, no case at all)."""
    return not any(r.outcome is Outcome.FAILED and (strict or r.case.level is Level.MUST) for r in results)


def counts(results: Sequence[Result]) -> dict[str, int]:
    return {
        "passed": sum(r.outcome is Outcome.PASSED for r in results),
        "failedMust": sum(r.failed_must for r in results),
        "failedShould": sum(r.outcome is Outcome.FAILED and r.case.level is Level.SHOULD for r in results),
        "skipped": sum(r.outcome is Outcome.SKIPPED for r in results),
    }


def details(result: Result) -> str:
    """Why a case failed and how to reproduce it."""
    lines = [f"  why:      {result.why}", f"  expected: {result.expected}"]
    exchange = result.exchange
    if exchange is not None:
        body = exchange.body_command and f"({exchange.body_command})" or exchange.body[:200].decode(
            "utf-8", errors="replace") + ("…" if len(exchange.body) > 200 else "")
        content_type = exchange.headers.get("Content-Type", "")
        lines += [f"  sent:     {exchange.method} {exchange.url}" + (f" ({content_type})" if content_type else ""),
                  *([f"            {body}"] if body else []),
                  f"  got:      {exchange.answer_line()}",
                  *([f"            {exchange.preview(200)}"] if exchange.response_body else []),
                  f"  repeat:   {exchange.curl()}"]
    return "\n".join(lines)


def summary(results: Sequence[Result], notes: Sequence[str], seconds: float, strict: bool = False) -> str:
    """The report for people: a table by group, every failure in detail, the skipped cases with why."""
    out = [f"{'group':<13} {'passed':>6} {'failed MUST':>12} {'failed SHOULD':>14} {'skipped':>8}"]
    for group in GROUPS:
        mine = [r for r in results if r.case.group == group]
        if mine:
            found = counts(mine)
            out.append(f"{group:<13} {found['passed']:>6} {found['failedMust']:>12} {found['failedShould']:>14}"
                       f" {found['skipped']:>8}")
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    for result in sorted(failed, key=lambda r: r.case.level is not Level.MUST):
        out += ["", f"FAILED {result.case.level.value} {result.case.id} {result.endpoint}: {result.case.title}",
                details(result)]
    skipped = [r for r in results if r.outcome is Outcome.SKIPPED]
    if skipped:
        out += ["", "skipped:"]
        out += [f"  {r.case.id} {r.endpoint}: {r.why}" for r in skipped]
    out += ["", *[f"note: {note}" for note in notes]] if notes else []
    total = counts(results)
    verdict = "conforms" if conforms(results, strict) else "does NOT conform"
    out += [
        "" if not notes else "",
        f"{len(results)} cases: {total['passed']} passed, {total['failedMust']} failed MUST, "
        f"{total['failedShould']} failed SHOULD, {total['skipped']} skipped in {seconds:.1f}s: the service {verdict}"
        + (" (strict: SHOULD failures count)" if strict else ""),
    ]
    return "\n".join(out)


def junit(results: Sequence[Result], seconds: float, strict: bool = False) -> bytes:
    """JUnit XML: a test suite per group, a test case per case and endpoint. A SHOULD failure is a
    failure under ``strict`` and otherwise a passing test whose output says it failed."""
    total = counts(results)
    suites = ET.Element("testsuites", name="elg-check", tests=str(len(results)), time=f"{seconds:.3f}")
    for group, description in GROUPS.items():
        mine = [r for r in results if r.case.group == group]
        if not mine:
            continue
        found = counts(mine)
        failures = found["failedMust"] + (found["failedShould"] if strict else 0)
        suite = ET.SubElement(suites, "testsuite", name=group, tests=str(len(mine)), failures=str(failures),
                              errors="0", skipped=str(found["skipped"]),
                              time=f"{sum(r.seconds for r in mine):.3f}")
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="description", value=description)
        for result in mine:
            element = ET.SubElement(suite, "testcase", classname=f"elg.check.{group}",
                                    name=f"{result.case.id} {result.endpoint}: {result.case.title}",
                                    time=f"{result.seconds:.3f}")
            if result.outcome is Outcome.SKIPPED:
                ET.SubElement(element, "skipped", message=result.why)
            elif result.outcome is Outcome.FAILED and (strict or result.case.level is Level.MUST):
                failure = ET.SubElement(element, "failure", message=result.why, type=result.case.level.value)
                failure.text = details(result)
            elif result.outcome is Outcome.FAILED:
                ET.SubElement(element, "system-out").text = "SHOULD failed:\n" + details(result)
    suites.set("failures", str(total["failedMust"] + (total["failedShould"] if strict else 0)))
    suites.set("skipped", str(total["skipped"]))
    written: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return written


def as_json(results: Sequence[Result], target: str, notes: Sequence[str], seconds: float,
            strict: bool = False) -> str:
    document: dict[str, Any] = {
        "target": target, "conforms": conforms(results, strict), "strict": strict, "seconds": round(seconds, 3),
        "counts": counts(results), "notes": list(notes), "cases": [r.record() for r in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
