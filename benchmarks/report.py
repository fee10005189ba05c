"""Tables, ratios, target verdicts and run-to-run comparison, from the results dictionary.

The results dictionary (also the JSON file) looks like::

    {"meta": {...}, "results": {config: {scenario: {app: {"rps": .., "p50_ms": .., ...}}}},
     "error_probes": {app: {probe: "400 ELG failure JSON"}}, "cold_start": {...},
     "targets": [...], "profiles": [...]}
"""
from __future__ import annotations

from typing import Any

MB = 1024 * 1024
Results = dict[str, Any]


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def _cell(row: dict[str, Any], key: str) -> float | None:
    value = row.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def scenario_table(results: Results) -> str:
    """One block per configuration: a row per scenario and app, ratios on our rows."""
    lines: list[str] = []
    header = (f"{'scenario':<15} {'app':<6} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'peakRSS MB':>10} "
              f"{'growth MB':>9} {'statuses':<14} {'rps/ref':>7} {'rps/flask':>9} {'p50/flask':>9}  check")
    titles = results.get("meta", {}).get("config_titles", {})
    for config, by_scenario in results["results"].items():
        lines += ["", titles.get(config, config), header, "-" * len(header)]
        for scenario, by_app in by_scenario.items():
            ours, ref, flask = by_app.get("ours", {}), by_app.get("ref", {}), by_app.get("flask", {})
            for app, row in by_app.items():
                ratios = ["", "", ""]
                if app == "ours":
                    ratios = [_fmt(_ratio(_cell(ours, "rps"), _cell(ref, "rps")), 2, "x"),
                              _fmt(_ratio(_cell(ours, "rps"), _cell(flask, "rps")), 2, "x"),
                              _fmt(_ratio(_cell(ours, "p50_ms"), _cell(flask, "p50_ms")), 2, "x")]
                statuses = ",".join(f"{code}:{count}" for code, count in sorted(row.get("statuses", {}).items()))
                if row.get("errors"):
                    statuses += f",err:{row['errors']}"
                check = row.get("check", {})
                mark = "ok" if check.get("ok") else f"!! {check.get('note', '')}"
                if scenario == "malformed":
                    mark = check.get("note", "")
                lines.append(
                    f"{scenario:<15} {app:<6} {_fmt(_cell(row, 'rps')):>9} {_fmt(_cell(row, 'p50_ms'), 2):>9} "
                    f"{_fmt(_cell(row, 'p99_ms'), 2):>9} {_fmt(_cell(row, 'peak_rss_mb')):>10} "
                    f"{_fmt(_cell(row, 'rss_growth_mb')):>9} {statuses[:14]:<14} {ratios[0]:>7} {ratios[1]:>9} "
                    f"{ratios[2]:>9}  {mark[:60]}"
                )
    return "\n".join(lines)


def audio_memory_table(results: Results) -> str:
    """Peak worker RSS growth per payload byte for the audio upload."""
    lines = ["", "20 MB audio upload: peak worker RSS growth / payload (fresh workers, 3 uploads one at a time)"]
    for config, by_scenario in results["results"].items():
        by_app = by_scenario.get("audio_20mb")
        if not by_app:
            continue
        cells = []
        for app, row in by_app.items():
            probe = row.get("memory_probe") or {}
            cells.append(f"{app} {_fmt(row.get('growth_per_payload'), 2, 'x')} "
                         f"({_fmt(probe.get('growth_mb'))} MB)")
        lines.append(f"  {config:<11} " + "   ".join(cells))
    return "\n".join(lines)


def probes_table(results: Results) -> str:
    """What each app answers to each error probe."""
    probes = results.get("error_probes") or {}
    if not probes:
        return ""
    names = list(next(iter(probes.values())))
    lines = ["", "Error answers (status and body kind)", f"{'probe':<14} " + " ".join(f"{app:<22}" for app in probes)]
    for name in names:
        lines.append(f"{name:<14} " + " ".join(f"{probes[app].get(name, '-')[:22]:<22}" for app in probes))
    return "\n".join(lines)


def cold_start_table(results: Results) -> str:
    """Median seconds from process start to the first 200."""
    cold = results.get("cold_start") or {}
    if not cold:
        return ""
    lines = ["", "Cold start: process start -> first successful response (config 1)"]
    for name, row in cold.items():
        lines.append(f"  {name:<20} median {row['median_s']:.3f} s   runs {row['all_s']}")
    return "\n".join(lines)


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    """The issue's targets, one verdict per configuration measured (audio memory: config 1 only)."""
    targets: list[dict[str, Any]] = []

    def add(name: str, config: str, value: float | None, threshold: float, higher_is_better: bool,
            detail: str) -> None:
        if value is None:
            status = "N/A"
        else:
            status = "PASS" if (value >= threshold if higher_is_better else value <= threshold) else "MISS"
        targets.append({"target": name, "config": config, "value": value, "threshold": threshold,
                        "status": status, "detail": detail})

    for config, by_scenario in results["results"].items():
        tiny = by_scenario.get("tiny", {})
        ours_tiny = _cell(tiny.get("ours", {}), "rps")
        add("tiny rps >= 1.8x reference", config, _ratio(ours_tiny, _cell(tiny.get("ref", {}), "rps")), 1.8, True,
            "ours/ref req/s, tiny text")
        add("tiny rps >= 1.0x plain Flask", config, _ratio(ours_tiny, _cell(tiny.get("flask", {}), "rps")), 1.0, True,
            "ours/flask req/s, tiny text")
        big = by_scenario.get("text_10mb", {})
        add("10 MB text p50 latency <= plain Flask", config,
            _ratio(_cell(big.get("ours", {}), "p50_ms"), _cell(big.get("flask", {}), "p50_ms")), 1.0, False,
            "ours/flask p50 latency, 10 MB text")
        if config == "sync1":
            audio = by_scenario.get("audio_20mb", {}).get("ours", {})
            add("20 MB audio peak worker RSS growth <= 1.5x payload", config, audio.get("growth_per_payload"), 1.5,
                False, "growth of the worker's peak RSS / 20 MB, one upload at a time")
        bad = _cell(by_scenario.get("malformed", {}).get("ours", {}), "rps")
        add("malformed rps >= tiny success rps", config, _ratio(bad, ours_tiny), 1.0, True,
            "ours malformed req/s / ours tiny req/s")
    return targets


def targets_table(targets: list[dict[str, Any]]) -> str:
    """PASS/MISS per target and configuration."""
    lines = ["", "Targets"]
    for target in targets:
        value = "-" if target["value"] is None else f"{target['value']:.2f}"
        lines.append(f"  {target['status']:<4}  {target['config']:<11} {target['target']:<52} "
                     f"value {value:>6} (threshold {target['threshold']})")
    return "\n".join(lines)


def profiles_table(profiles: list[dict[str, Any]]) -> str:
    """In-process cost per request of every app, and our hot spots, for each missed target's scenario."""
    if not profiles:
        return ""
    lines = ["", "Profiles (in-process, no server: microseconds per request; our hot spots under cProfile)"]
    for entry in profiles:
        per_app = ", ".join(f"{app} {us:,.0f} us" for app, us in entry["us_per_request"].items())
        lines.append(f"  scenario {entry['scenario']} [{entry.get('why', '')}]: {per_app}")
        generic = ("__call__ (flask/app.py", "wsgi_app (flask/app.py")
        for row in [r for r in entry.get("top_cumulative", []) if not r["function"].startswith(generic)][:18]:
            lines.append(f"    cum {row['cum_pct']:5.1f}%  self {row['self_pct']:5.1f}%  {row['function']}")
        lines.append("    -- by self time --")
        for row in entry.get("top_self", [])[:10]:
            lines.append(f"    self {row['self_pct']:5.1f}%  calls {row['calls']:>7}  {row['function']}")
    return "\n".join(lines)


def full_report(results: Results) -> str:
    """Everything printed at the end of a run."""
    meta = results.get("meta", {})
    head = (f"ELG service benchmarks - {meta.get('started', '')} - load: {meta.get('tool')} - "
            f"{meta.get('duration_s')} s measured after {meta.get('warmup_s')} s warm-up per cell - "
            f"LOG_LEVEL/LOGURU_LEVEL={meta.get('log_level')}")
    problems = [f"RUN INCOMPLETE: {results['error']}"] if results.get("error") else []
    if results.get("interrupted"):
        problems.append("RUN INTERRUPTED: partial results")
    parts = [head, *problems, scenario_table(results), audio_memory_table(results), probes_table(results),
             cold_start_table(results), targets_table(results.get("targets", [])),
             profiles_table(results.get("profiles", []))]
    return "\n".join(part for part in parts if part)


def compare(old: Results, new: Results) -> str:
    """Per cell: old -> new req/s, p50 and peak RSS with the relative change; and target changes."""
    lines = [f"old: {old.get('meta', {}).get('started')}   new: {new.get('meta', {}).get('started')}",
             f"{'config':<11} {'scenario':<15} {'app':<6} {'req/s old':>10} {'new':>10} {'chg':>7} "
             f"{'p50 old':>9} {'new':>9} {'chg':>7} {'RSS old':>8} {'new':>8}"]
    for config, by_scenario in new["results"].items():
        for scenario, by_app in by_scenario.items():
            for app, row in by_app.items():
                before = old.get("results", {}).get(config, {}).get(scenario, {}).get(app)
                if not before:
                    continue
                rps_change = _ratio(_cell(row, "rps"), _cell(before, "rps"))
                p50_change = _ratio(_cell(row, "p50_ms"), _cell(before, "p50_ms"))
                lines.append(
                    f"{config:<11} {scenario:<15} {app:<6} {_fmt(_cell(before, 'rps')):>10} "
                    f"{_fmt(_cell(row, 'rps')):>10} "
                    f"{_fmt((rps_change - 1) * 100 if rps_change else None, 0, '%'):>7} "
                    f"{_fmt(_cell(before, 'p50_ms'), 2):>9} {_fmt(_cell(row, 'p50_ms'), 2):>9} "
                    f"{_fmt((p50_change - 1) * 100 if p50_change else None, 0, '%'):>7} "
                    f"{_fmt(_cell(before, 'peak_rss_mb')):>8} {_fmt(_cell(row, 'peak_rss_mb')):>8}")
    old_targets = {(t["target"], t["config"]): t for t in old.get("targets", [])}
    lines.append("")
    lines.append("targets (old -> new)")
    for target in new.get("targets", []):
        before = old_targets.get((target["target"], target["config"]), {})
        old_value = "-" if before.get("value") is None else f"{before['value']:.2f}"
        new_value = "-" if target["value"] is None else f"{target['value']:.2f}"
        lines.append(f"  {target['config']:<11} {target['target']:<52} {before.get('status', '-'):<4} "
                     f"{old_value:>6} -> {target['status']:<4} {new_value:>6}")
    return "\n".join(lines)
