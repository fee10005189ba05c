"""Memory of N workers sharing one large resource (``@resource(shared=True)``) against N private copies.

The service (``apps/shared_table_app.py``) holds a numpy array of ``--mb`` megabytes. It is served
with ``python -m elg_decorators serve`` and ``--workers N`` twice: once with the array created in the
gunicorn master before the fork (shared copy-on-write), once created in each worker. After every
worker answered requests that read the array, it prints each process tree's proportional set size
(PSS, from ``/proc/PID/smaps_rollup``: shared pages are divided among the processes sharing them,
so the sum over master and workers is the memory the service really occupies) and the ratio.

    pip install -e '.[bench]'          # numpy
    python benchmarks/shared_memory.py [--workers 4] [--mb 500]

Linux only (``/proc``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import rss  # noqa: E402
import servers  # noqa: E402

APP = HERE / "apps" / "shared_table_app.py"
MB = 1024 * 1024


def pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no Pss line for {pid}")


def get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://{servers.HOST}:{port}{path}", timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def post_text(port: int, content: str) -> dict[str, object] | None:
    """The features of the answer, or None while the server or the worker that took it is not ready."""
    body = json.dumps({"type": "text", "content": content}).encode()
    request = urllib.request.Request(f"http://{servers.HOST}:{port}/process", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())["response"]["texts"][0]["features"]  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        if error.code == 503:
            return None
        raise
    except urllib.error.URLError:  # not listening yet: the master is still creating a shared table
        return None


def measure(shared: bool, workers: int, megabytes: int, log_dir: Path) -> dict[str, float]:
    port = servers.free_port()
    env = servers.server_env()
    env.update(BENCH_SHARED="1" if shared else "0", BENCH_MB=str(megabytes), PYTHONPATH=str(HERE / "apps"),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # no native thread pool before the fork
    command = [sys.executable, "-m", "elg_decorators", "serve", str(APP), "--host", servers.HOST, "--port", str(port),
               "--workers", str(workers), "--log-level", "WARNING"]
    log_path = log_dir / f"{'shared' if shared else 'private'}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=str(HERE / "apps"), env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    servers._RUNNING[process.pid] = process
    started = time.monotonic()
    try:
        pids: set = set()
        while len(pids) < workers:  # every worker answered: each has its table
            if process.poll() is not None or time.monotonic() - started > 300:
                raise RuntimeError(f"the service did not get ready; see {log_path}")
            features = post_text(port, "warm up")
            if features is None:
                time.sleep(0.2)
            else:
                pids.add(features["pid"])
        ready_after = time.monotonic() - started
        for index in range(20 * workers):
            assert post_text(port, "x" * index) is not None
        time.sleep(1.0)
        tree: list[int] = [process.pid] + rss.children(process.pid)
        total = sum(pss(pid) for pid in tree)
        return {"pss_mb": total / MB, "master_mb": pss(process.pid) / MB,
                "worker_mb": sum(pss(pid) for pid in tree[1:]) / MB / max(1, len(tree) - 1),
                "ready_s": ready_after, "processes": float(len(tree))}
    finally:
        servers.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--mb", type=int, default=500, help="size of the array in MB")
    args = parser.parse_args()
    servers.install_cleanup()
    log_dir = servers.new_log_dir()
    results = {mode: measure(mode == "shared", args.workers, args.mb, log_dir) for mode in ("shared", "private")}
    print(f"{args.workers} workers, a {args.mb} MB numpy array as a resource (PSS of master + workers)")
    print(f"{'resource':<10}{'total PSS MB':>14}{'master MB':>11}{'per worker MB':>15}{'ready after s':>15}")
    for mode, result in results.items():
        print(f"{mode:<10}{result['pss_mb']:>14.0f}{result['master_mb']:>11.0f}{result['worker_mb']:>15.0f}"
              f"{result['ready_s']:>15.1f}")
    print(f"private / shared total PSS: {results['private']['pss_mb'] / results['shared']['pss_mb']:.2f}x "
          f"(ideal for {args.workers} workers: about {args.workers}x the array, against 1x)")
    print(f"server logs in {log_dir}")


if __name__ == "__main__":
    main()
