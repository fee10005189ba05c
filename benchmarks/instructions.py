"""CPU instructions per request, counted by valgrind: a measure that a busy machine cannot disturb.

Wall-clock benchmarks (``run.py``) move by tens of percent when other work shares the
machine; the number of instructions a request executes does not. Each app (ours, plain Flask,
raw WSGI, and the reference ``elg`` FlaskService when its environment exists) is called
in-process through WSGI, under ``valgrind --tool=callgrind``, once with 1 + N requests and
once with 1: the difference divided by N is the cost of one request, start-up and the first
request's one-time work excluded. Ratios
to Flask and raw WSGI are printed beside it, as ``run.py`` does for time::

    python benchmarks/instructions.py                           # tiny, structured_10k, sse_100
    python benchmarks/instructions.py --scenarios tiny --json out.json
    python benchmarks/instructions.py --compare before.json after.json

It needs valgrind (``apt-get install valgrind``) and takes a few minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
DRIVER = HERE / "wsgi_driver.py"
#: Requests measured per scenario: enough that start-up noise is far below one request's cost.
REQUESTS = {"tiny": 400, "structured_10k": 4, "sse_100": 40, "malformed": 400, "text_1mb": 4}


def _instructions(python: str, app: str, scenario: str, count: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        env = {**os.environ, "LOG_LEVEL": "WARNING", "LOGURU_LEVEL": "WARNING", "PYTHONHASHSEED": "0"}
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", python, str(DRIVER), app, scenario,
             str(count)],
            check=True, capture_output=True, env=env, timeout=1800,
        )
        summary = re.search(rb"^summary: (\d+)", out.read_bytes(), re.MULTILINE)
        if summary is None:
            raise RuntimeError(f"no summary line in the callgrind output of {app} {scenario}")
        return int(summary.group(1))


def measure(apps: dict[str, str], scenarios: list[str]) -> dict[str, dict[str, float]]:
    """Instructions per request: scenario -> app -> count."""
    results: dict[str, dict[str, float]] = {}
    for scenario in scenarios:
        count = REQUESTS[scenario]
        results[scenario] = {}
        for app, python in apps.items():
            once = _instructions(python, app, scenario, 1)
            results[scenario][app] = (_instructions(python, app, scenario, 1 + count) - once) / count
            print(f"  {scenario:15} {app:6} {results[scenario][app]:>14,.0f} instructions/request", flush=True)
    return results


def report(results: dict[str, dict[str, float]]) -> None:
    """A table of instructions per request with ours' ratio to each other app (lower is better)."""
    print(f"\n{'scenario':15} {'app':6} {'instr/request':>14} {'ours / this':>12}")
    for scenario, by_app in results.items():
        ours = by_app.get("ours")
        for app, value in by_app.items():
            ratio = f"{ours / value:.2f}x" if ours is not None and app != "ours" else ""
            print(f"{scenario:15} {app:6} {value:>14,.0f} {ratio:>12}")


def compare(old_path: Path, new_path: Path) -> None:
    """Print the change per scenario and app between two result files."""
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    print(f"{'scenario':15} {'app':6} {'old':>14} {'new':>14} {'change':>8}")
    for scenario, by_app in new.items():
        for app, value in by_app.items():
            before: float | None = old.get(scenario, {}).get(app)
            change = f"{(value - before) / before:+.1%}" if before else "-"
            print(f"{scenario:15} {app:6} {before or 0:>14,.0f} {value:>14,.0f} {change:>8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default="tiny,structured_10k,sse_100")
    parser.add_argument("--apps", default="ours,flask,raw,ref")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    args = parser.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return 0
    reference_python = HERE / ".venv-ref" / "bin" / "python"
    pythons = {"ours": sys.executable, "flask": sys.executable, "raw": sys.executable,
               "ref": str(reference_python)}
    apps = {app: pythons[app] for app in args.apps.split(",") if app != "ref" or reference_python.exists()}
    if "ref" in args.apps.split(",") and "ref" not in apps:
        print("the reference's environment is missing (run benchmarks/run.py once to create it): skipping ref")
    results = measure(apps, args.scenarios.split(","))
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
