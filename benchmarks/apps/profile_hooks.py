"""gunicorn configuration for ``benchmarks/defaults.py --profile``: cProfile every thread of the worker.

Each thread gets its own profiler when it first runs Python code (``threading.setprofile``);
when the worker exits, all of them are written to ``$PROFILE_DIR/<pid>-<n>.prof``.
"""
from __future__ import annotations

import cProfile
import os
import threading
from typing import Any

_PROFILES: list[cProfile.Profile] = []


def _start_in_this_thread(*_: Any) -> None:
    profile = cProfile.Profile()
    _PROFILES.append(profile)
    profile.enable()  # replaces this hook for the thread


def post_worker_init(worker: Any) -> None:
    threading.setprofile(_start_in_this_thread)
    _start_in_this_thread()


def worker_exit(server: Any, worker: Any) -> None:
    folder = os.environ["PROFILE_DIR"]
    for number, profile in enumerate(_PROFILES):
        profile.disable()
        profile.dump_stats(os.path.join(folder, f"{os.getpid()}-{number}.prof"))
