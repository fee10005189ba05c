"""Benchmark elg_decorators against the reference ``elg`` FlaskService, plain Flask and raw WSGI.

One command sets up what it needs (the reference's venv on first run) and
measures all four apps side by side, in one run, under gunicorn with two
configurations::

    python benchmarks/run.py                     # full run, about 8 minutes
    python benchmarks/run.py --quick             # about 2 minutes
    python benchmarks/run.py --install-wrk       # apt-get install wrk first (root only)
    python benchmarks/run.py --compare old.json new.json

See benchmarks/README.md for what is measured and how to read the output.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import coldstart  # noqa: E402
import http1  # noqa: E402
import load  # noqa: E402
import refenv  # noqa: E402
import report  # noqa: E402
import rss  # noqa: E402
import scenarios  # noqa: E402
import servers  # noqa: E402

DEFAULT_OUT = HERE / "results" / "latest.json"
#: For each target that can be missed, the scenario whose profile explains it.
PROFILED_SCENARIO = {
    "tiny rps >= 1.8x reference": "tiny",
    "tiny rps >= 1.0x plain Flask": "tiny",
    "10 MB text p50 latency <= plain Flask": "text_10mb",
    "malformed rps >= tiny success rps": "malformed",
}
#: Scenarios where our req/s is below this fraction of plain Flask's are profiled too.
SLOW_VS_FLASK = 0.8
PROFILE_REQUESTS = {"tiny": 3000, "malformed": 3000, "text_10mb": 5, "text_1mb": 30, "structured_10k": 10,
                    "sse_100": 300, "audio_20mb": 10}


def log(message: str) -> None:
    """Progress to stderr (stdout carries the report)."""
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short cells (1 s) and one cold start per app")
    parser.add_argument("--duration", type=float, help="measured seconds per cell (default 5, quick 1)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per cell, not measured (default 1, quick 0.3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"results JSON (default {DEFAULT_OUT})")
    parser.add_argument("--scenarios", default=",".join(scenarios.ALL), help="comma-separated subset")
    parser.add_argument("--apps", default="ours,ref,flask,raw", help="comma-separated subset")
    parser.add_argument("--configs", default=",".join(servers.CONFIGS), help="comma-separated subset")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                        help="auto: wrk if installed, else the Python generator")
    parser.add_argument("--install-wrk", action="store_true",
                        help="apt-get install -y wrk if missing (root + apt only)")
    parser.add_argument("--cold-repeats", type=int, help="cold starts per app (default 3, quick 1; 0 skips)")
    parser.add_argument("--profile", choices=("missed", "always", "never"), default="missed",
                        help="profile our service in-process for missed targets (default), always, or never")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"), help="compare two result files")
    args = parser.parse_args(argv)
    args.duration = args.duration or (1.0 if args.quick else 5.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    args.cold_repeats = args.cold_repeats if args.cold_repeats is not None else (1 if args.quick else 3)
    return args


def choose_tool(args: argparse.Namespace) -> load.LoadGenerator:
    """wrk where installed (installing it when asked), else the Python generator."""
    wrk = load.find_wrk()
    if not wrk and args.install_wrk and args.loadgen != "python":
        log("installing wrk with apt-get ...")
        wrk = load.install_wrk()
        if not wrk:
            log("wrk could not be installed (needs root and apt); using the Python load generator")
    if args.loadgen == "wrk" and not wrk:
        raise SystemExit("--loadgen wrk: wrk is not installed (try --install-wrk)")
    tool = "python" if args.loadgen == "python" or not wrk else "wrk"
    return load.LoadGenerator(tool, wrk)


def check_answer(server: servers.Server, scenario: scenarios.Scenario) -> dict[str, Any]:
    """Send the scenario's request once and judge the answer (right work done, right form)."""
    try:
        answer = http1.post(servers.HOST, server.port, "/process", scenario.request_headers(), scenario.body, 120)
    except OSError as exc:
        return {"ok": False, "note": f"no answer: {exc}", "status": None}
    ok, note = scenario.check(answer.status, answer.headers, answer.body)
    return {"ok": ok, "note": note, "status": answer.status, "content_type": answer.headers.get("content-type", "")}


def measure_cell(generator: load.LoadGenerator, server: servers.Server, scenario: scenarios.Scenario,
                 config_index: int, args: argparse.Namespace) -> dict[str, Any]:
    """Check, then load one scenario against one running server, tracking worker peak RSS."""
    check = check_answer(server, scenario)
    concurrency = scenario.concurrency[config_index]
    workers = rss.children(server.process.pid) if server.process else []  # a worker may have been replaced
    with rss.PeakMonitor(workers) as monitor:
        result = generator.run(servers.HOST, server.port, "/process", scenario.request_headers(), scenario.body,
                               concurrency, args.duration, args.warmup)
    row: dict[str, Any] = result.to_dict()
    row.update(check=check, peak_rss_mb=monitor.sample.peak_bytes / rss.MB,
               rss_growth_mb=monitor.sample.growth_bytes / rss.MB, rss_method=monitor.sample.method)
    return row


def memory_probe(app: servers.App, config: str, scenario: scenarios.Scenario, log_dir: Path,
                 uploads: int = 3) -> dict[str, Any]:
    """Peak RSS growth of fresh workers over ``uploads`` sequential requests of ``scenario``.

    A fresh server, because glibc keeps freed heap and raises its mmap threshold after a big
    free: once a worker has handled large bodies, later ones reuse that memory and the growth
    of RSS no longer shows what one request needs.
    """
    with servers.Server(app, config, log_dir) as server:
        workers = rss.children(server.process.pid) if server.process else []
        with rss.PeakMonitor(workers) as monitor:
            statuses = [http1.post(servers.HOST, server.port, "/process", scenario.request_headers(),
                                   scenario.body, 120).status for _ in range(uploads)]
    sample = monitor.sample
    return {"uploads": uploads, "statuses": statuses, "method": sample.method,
            "baseline_mb": max(sample.baseline.values(), default=0) / rss.MB, "peak_mb": sample.peak_bytes / rss.MB,
            "growth_mb": sample.growth_bytes / rss.MB,
            "growth_per_payload": sample.growth_bytes / scenario.payload_bytes}


def probe_errors(server: servers.Server) -> dict[str, str]:
    """Status and body kind of each error probe."""
    found = {}
    for name, (path, content_type, body) in scenarios.ERROR_PROBES.items():
        try:
            answer = http1.post(servers.HOST, server.port, path, {"Content-Type": content_type}, body, 30)
            found[name] = scenarios.check_error(answer.status, answer.headers, answer.body)
        except OSError as exc:
            found[name] = f"no answer ({exc.__class__.__name__})"
    return found


def run_matrix(apps: list[servers.App], chosen: list[scenarios.Scenario], configs: list[str],
               generator: load.LoadGenerator, args: argparse.Namespace, results: dict[str, Any],
               log_dir: Path) -> None:
    """Every configuration x app x scenario, filling ``results`` as it goes."""
    for config in configs:
        config_index = list(servers.CONFIGS).index(config)
        table = results["results"].setdefault(config, {})
        for app in apps:
            memory = None
            for scenario in chosen:
                if scenario.name == "audio_20mb":
                    log(f"[{config}] {app.name}: memory probe, {scenario.title} on fresh workers ...")
                    memory = memory_probe(app, config, scenario, log_dir)
            log(f"[{config}] starting {app.name} ...")
            with servers.Server(app, config, log_dir) as server:
                for scenario in chosen:
                    row = measure_cell(generator, server, scenario, config_index, args)
                    if scenario.name == "audio_20mb" and memory is not None:
                        row["memory_probe"] = memory
                        row["growth_per_payload"] = memory["growth_per_payload"]
                    table.setdefault(scenario.name, {})[app.name] = row
                    log(f"[{config}] {app.name:<5} {scenario.name:<15} {row['rps']:9.1f} req/s  "
                        f"p50 {row['p50_ms'] or 0:8.2f} ms  peak {row['peak_rss_mb']:6.1f} MB  "
                        f"{'ok' if row['check']['ok'] else row['check']['note']}")
                if config == configs[0]:
                    results["error_probes"][app.name] = probe_errors(server)
                tail = server.log_tail()
                if tail.strip():
                    results["server_logs"][f"{app.name}-{config}"] = tail[-3000:]


def profile_misses(results: dict[str, Any], apps: list[servers.App], mode: str,
                   quick: bool = False) -> list[dict[str, Any]]:
    """In-process cost of every app and our hot spots, for the scenario behind each missed target."""
    if mode == "never":
        return []
    wanted: list[str] = []
    for target in results["targets"]:
        scenario = PROFILED_SCENARIO.get(target["target"])
        if scenario and (mode == "always" or target["status"] == "MISS") and scenario not in wanted:
            wanted.append(scenario)
    for by_scenario in results["results"].values():  # and wherever we are well behind plain Flask
        for scenario, by_app in by_scenario.items():
            ours, flask = by_app.get("ours", {}).get("rps"), by_app.get("flask", {}).get("rps")
            slow = bool(ours and flask and ours < SLOW_VS_FLASK * flask)
            if (slow or mode == "always") and scenario not in wanted and scenario != "audio_20mb":
                wanted.append(scenario)
    profiles = []
    for scenario in wanted:
        entry: dict[str, Any] = {"scenario": scenario, "us_per_request": {}}
        for app in apps:
            requests = max(3, PROFILE_REQUESTS[scenario] // (3 if quick else 1))
            command = [app.python, str(HERE / "profiling.py"), "--app", app.name, "--scenario", scenario,
                       "--n", str(requests), *(["--profile"] if app.name == "ours" else [])]
            log(f"profiling {app.name} on {scenario} in-process ...")
            done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=servers.server_env())
            if done.returncode != 0:
                entry.setdefault("errors", {})[app.name] = done.stderr.strip()[-500:]
                continue
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            entry["us_per_request"][app.name] = measured["us_per_request"]
            if app.name == "ours":
                entry["top_self"], entry["top_cumulative"] = measured["top_self"], measured["top_cumulative"]
        entry["why"] = ", ".join(f"{t['target']} ({t['config']})" for t in results["targets"]
                                 if PROFILED_SCENARIO.get(t["target"]) == scenario and t["status"] == "MISS") \
            or f"ours below {SLOW_VS_FLASK}x plain Flask req/s"
        profiles.append(entry)
    return profiles


def metadata(args: argparse.Namespace, tool: str, ref_python: str | None) -> dict[str, Any]:
    """What the numbers depend on."""
    return {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "host": platform.node(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "tool": tool, "quick": args.quick,
        "duration_s": args.duration, "warmup_s": args.warmup, "log_level": servers.LOG_LEVEL,
        "gunicorn_flags": {name: [*flags, *servers.COMMON_FLAGS] for name, flags in servers.CONFIGS.items()},
        "config_titles": servers.CONFIG_TITLES,
        "versions": {"ours": refenv.our_versions(),
                     "ref": refenv.installed_versions(Path(ref_python)) if ref_python else {}},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (or compare two result files)."""
    args = parse_args(argv)
    if args.compare:
        old, new = (json.loads(path.read_text()) for path in args.compare)
        print(report.compare(old, new))
        return 0
    servers.install_cleanup()
    started = time.monotonic()
    wanted_apps = [name.strip() for name in args.apps.split(",") if name.strip()]
    ref_python: str | None = None
    if "ref" in wanted_apps:
        try:
            ref_python = str(refenv.ensure_reference_env(log))
        except Exception as exc:  # no PyPI: run the rest, say so
            log(f"WARNING: no reference venv ({exc}); the reference column is left out")
    apps = [app for app in servers.apps(ref_python) if app.name in wanted_apps]
    configs = [name.strip() for name in args.configs.split(",") if name.strip()]
    log("building request bodies ...")
    chosen = scenarios.build([name.strip() for name in args.scenarios.split(",") if name.strip()])
    generator = choose_tool(args)
    log(f"load generator: {generator.tool}")
    results: dict[str, Any] = {"meta": metadata(args, generator.tool, ref_python), "results": {},
                               "error_probes": {}, "cold_start": {}, "server_logs": {}}
    log_dir = servers.new_log_dir()
    try:
        run_matrix(apps, chosen, configs, generator, args, results, log_dir)
        log(f"matrix done after {time.monotonic() - started:.0f} s")
        if args.cold_repeats > 0:
            log("measuring cold starts ...")
            results["cold_start"] = coldstart.measure(apps, args.cold_repeats, log_dir)
        results["targets"] = report.evaluate_targets(results)
        results["profiles"] = profile_misses(results, apps, args.profile, args.quick)
    except KeyboardInterrupt:
        log("interrupted: stopping servers, writing partial results")
        results["interrupted"] = True
    except Exception as exc:  # a server that would not start, a load generator that failed...
        log(f"ERROR: {type(exc).__name__}: {exc}; stopping servers, writing partial results")
        results["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        servers.stop_all()
        generator.close()
    results.setdefault("targets", report.evaluate_targets(results))
    results["meta"]["elapsed_s"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(report.full_report(results))
    print(f"\nresults written to {args.out} ({results['meta']['elapsed_s']} s); server logs in {log_dir}")
    return 130 if results.get("interrupted") else (1 if results.get("error") else 0)


if __name__ == "__main__":
    sys.exit(main())
