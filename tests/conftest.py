"""Fixtures shared by every test folder."""
from __future__ import annotations

import pytest

from elg_decorators import Registry


@pytest.fixture
def registry() -> Registry:
    """A registry of its own for each test, so no test touches ``default_registry``."""
    return Registry("test-service")
