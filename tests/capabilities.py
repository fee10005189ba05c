"""What a test needs of the machine beyond the test extras: root, Linux, system tools.

Where a test lacks one, it calls :func:`missing` with a one-line reason that names what is
missing and how to get it. On a contributor's machine the test is skipped with that reason.
Under CI (``CI=true``), where everything is installed and the tests run as root, the same call
fails the test, so that no test stops running there unnoticed.
"""
from __future__ import annotations

import os
import sys
from typing import NoReturn

import pytest


def under_ci() -> bool:
    """Whether this run is CI's (the environment variable ``CI`` is ``true``)."""
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> NoReturn:
    """Skip the running test for ``reason``; under CI, fail it instead."""
    if under_ci():
        pytest.fail(f"{reason} [CI=true: this test must run under CI, not be skipped]", pytrace=False)
    pytest.skip(reason)


def require_proc() -> None:
    """Go on only where ``/proc`` describes the processes (Linux)."""
    if sys.platform != "linux":
        missing(f"needs Linux: reads processes from /proc, which {sys.platform} does not have")
