"""Are the defaults fast? ``serve`` with no options against one sync worker logging at WARNING.

The same decorated service (``apps/ours_app.py``), tiny text requests, wrk with 4 connections, in
one run; rounds alternate between the servers so that a busy machine slows them alike::

    python benchmarks/defaults.py                 # 3 rounds of 5 s per server, about 2 minutes
    python benchmarks/defaults.py --profile       # and where the default worker's time goes

Servers (all on 127.0.0.1, each in its own process group, stopped at the end):

* ``sync1-warning``: ``gunicorn --workers 1 --worker-class sync``, LOG_LEVEL=WARNING: the reference figure;
* ``serve-defaults``: ``python -m elg_decorators serve ours_app.py``, nothing else: the service worker,
  4 threads, one INFO line per request;
* ``serve-warning``: the same at LOG_LEVEL=WARNING: the difference is the cost of the log line;
* ``serve-1-thread``: the same with ``--threads 1``: no contention between handler threads;
* ``gthread-1x4``: gunicorn's gthread worker, 4 threads, INFO (the previous default).

The target: ``serve-defaults`` reaches at least 90 % of ``sync1-warning``.
"""
from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import sys
import tempfile
from pathlib import Path
from collections.abc import Sequence

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
import servers  # noqa: E402

TARGET = 0.90
REFERENCE = "sync1-warning"
OURS = str(servers.APPS_DIR / "ours_app.py")
WSGI_TARGET = f"elg_decorators.wsgi:load_app({OURS!r})"
PROFILE_HOOKS = HERE / "apps" / "profile_hooks.py"
#: Functions in which a thread waits rather than works (left out of the profile's shares).
WAITS = frozenset({"<method 'acquire' of '_thread.lock' objects>", "<method 'poll' of 'select.epoll' objects>"})


def commands(port: int) -> dict[str, tuple]:
    """Each server: its command and the log level it runs at."""
    serve = [sys.executable, "-m", "elg_decorators", "serve", OURS, "--host", servers.HOST, "--port", str(port)]
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"{servers.HOST}:{port}", "--workers", "1",
                "--worker-tmp-dir", "/dev/shm"]
    return {
        REFERENCE: ([*gunicorn, "--worker-class", "sync", "--log-level", "warning", WSGI_TARGET], "WARNING"),
        "serve-defaults": (serve, None),
        "serve-warning": (serve, "WARNING"),
        "serve-1-thread": ([*serve, "--threads", "1"], None),
        "gthread-1x4": ([*gunicorn, "--worker-class", "gthread", "--threads", "4", "--log-level", "info",
                         WSGI_TARGET], "INFO"),
    }


def environment(log_level: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The benchmark environment, with LOG_LEVEL as the server needs it (unset: the default)."""
    env = servers.server_env()
    env.pop("LOG_LEVEL", None)
    if log_level:
        env["LOG_LEVEL"] = log_level
    env.update(extra or {})
    return env


def measure(names: Sequence[str], rounds: int, duration: float, generator: load.LoadGenerator,
            log_dir: Path) -> dict[str, list[float]]:
    """req/s of each server in each round (servers started once, rounds interleaved)."""
    running = {}
    try:
        for name in names:
            port = servers.free_port()
            command, level = commands(port)[name]
            process = servers.spawn(command, log_dir / f"{name}.log", env=environment(level))
            servers.wait_until_ready(process, port, log_dir / f"{name}.log")
            running[name] = (process, port)
        found: dict[str, list[float]] = {name: [] for name in names}
        for round_number in range(rounds):
            for name, (_, port) in running.items():
                result = generator.run(servers.HOST, port, "/process", servers.JSON_HEADERS, servers.TINY_BODY,
                                       4, duration, 1.0)
                bad = {status: count for status, count in result.statuses.items() if status != "200"}
                if bad or result.errors:
                    raise RuntimeError(f"{name}: statuses {result.statuses}, {result.errors} errors")
                found[name].append(result.rps)
                print(f"round {round_number + 1}: {name:<15} {result.rps:9.1f} req/s", file=sys.stderr, flush=True)
        return found
    finally:
        for process, _ in running.values():
            servers.stop(process)


def profile(duration: float, generator: load.LoadGenerator, log_dir: Path, top: int = 25) -> str:
    """cProfile of every thread of the default worker under the tiny-text load, top functions by own time."""
    output = Path(tempfile.mkdtemp(prefix="elg-bench-profile-"))
    port = servers.free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"{servers.HOST}:{port}", "--workers", "1",
               "--threads", "4", "--worker-class", "elg_decorators.worker.service_worker.ServiceWorker",
               "--worker-tmp-dir", "/dev/shm", "--config", str(PROFILE_HOOKS), WSGI_TARGET]
    process = servers.spawn(command, log_dir / "profile.log", env=environment("INFO", {"PROFILE_DIR": str(output)}))
    try:
        servers.wait_until_ready(process, port, log_dir / "profile.log")
        generator.run(servers.HOST, port, "/process", servers.JSON_HEADERS, servers.TINY_BODY, 4, duration, 0.5)
    finally:
        servers.stop(process)
    files = sorted(output.glob("*.prof"))
    if not files:
        return f"no profile written; see {log_dir / 'profile.log'}"
    stats = pstats.Stats(*(str(path) for path in files))
    rows = stats.stats.items()  # type: ignore[attr-defined]
    waiting = sum(row[2] for (_, _, function), row in rows if function in WAITS)
    working = sum(row[2] for (_, _, function), row in rows if function not in WAITS)
    requests = max((row[1] for (_, _, function), row in rows if function == "_serve"), default=0)
    lines = [f"{requests} requests; threads waited {waiting:.2f} s (idle handler threads, the loop's epoll) "
             f"and worked {working:.2f} s: {1e6 * working / max(requests, 1):.0f} us per request (profiled)",
             "  share  own s     calls  function"]
    busy = sorted(((key, row) for key, row in rows if key[2] not in WAITS), key=lambda item: -item[1][2])
    for (filename, line, function), (_, calls, own, _, _) in busy[:top]:
        where = f"{Path(filename).name}:{line}" if line else "built-in"
        lines.append(f"{100 * own / working:5.1f} %  {own:6.3f}  {calls:8d}  {function} ({where})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per server and round")
    parser.add_argument("--servers", default=",".join(commands(0)), help="comma-separated subset")
    parser.add_argument("--profile", action="store_true", help="also profile the default worker")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    wrk = load.find_wrk()
    if not wrk:
        raise SystemExit("wrk is not installed (python benchmarks/run.py --install-wrk installs it)")
    servers.install_cleanup()
    generator = load.LoadGenerator("wrk", wrk)
    log_dir = servers.new_log_dir()
    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    if REFERENCE not in names:
        names.insert(0, REFERENCE)
    try:
        found = measure(names, args.rounds, args.duration, generator, log_dir)
        medians = {name: statistics.median(values) for name, values in found.items()}
        reference = medians[REFERENCE]
        print(f"\ntiny text, wrk -c 4, median of {args.rounds} rounds of {args.duration:g} s "
              f"({os.cpu_count()} CPUs)\n")
        print(f"{'server':<16} {'req/s':>9}  {'/ sync1-warning':>15}   rounds")
        for name, median in medians.items():
            rounds = ", ".join(f"{value:.0f}" for value in found[name])
            print(f"{name:<16} {median:9.1f}  {median / reference:14.2f}x   {rounds}")
        if "serve-defaults" in medians:
            ratio = medians["serve-defaults"] / reference
            print(f"\nserve defaults / one sync worker at WARNING: {ratio:.2f}x "
                  f"(target {TARGET:.2f}x): {'PASS' if ratio >= TARGET else 'MISS'}")
        if args.out:
            args.out.write_text(json.dumps({"rps": found, "median": medians}, indent=1))
        if args.profile:
            print("\nwhere the default worker's time goes (all threads, own time):")
            print(profile(args.duration, generator, log_dir))
    finally:
        servers.stop_all()
        generator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
