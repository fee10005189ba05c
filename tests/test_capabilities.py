"""A test that lacks something of the machine skips with the reason, and fails instead under CI."""
from __future__ import annotations

import re

import pytest
from capabilities import missing

REASON = "needs root to start dockerd: run `sudo bash .ci/run`"


@pytest.mark.parametrize("value", [None, "", "false"])
def test_outside_ci_a_missing_capability_skips(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=f"^{re.escape(REASON)}$"):
        missing(REASON)


@pytest.mark.parametrize("value", ["true", "TRUE"])
def test_under_ci_a_missing_capability_fails(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception) as failure:
        missing(REASON)
    assert str(failure.value).startswith(REASON) and "CI=true" in str(failure.value)
