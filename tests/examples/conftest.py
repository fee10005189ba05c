"""Fixtures of the example tests: a client for the example a test module names in ``EXAMPLE``."""
from __future__ import annotations

import pytest
from media import example

from elg_decorators.testing import ServiceClient


@pytest.fixture
def client(request: pytest.FixtureRequest) -> ServiceClient:
    """A test client of ``examples/<EXAMPLE>.py``, loaded afresh for each test."""
    return ServiceClient.for_module(example(request.module.EXAMPLE))
