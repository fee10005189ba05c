"""Fixtures of the compatibility tests: the reference elg environment and real servers."""
from __future__ import annotations

from pathlib import Path

import pytest

from .reference_env import reference_python as _reference_python


@pytest.fixture(scope="session")
def reference_python() -> Path:
    """The python of a virtual environment holding the reference elg 0.6.0."""
    return _reference_python()
