"""Comparing generated files with the golden copies under golden/; UPDATE_GOLDEN=1 rewrites them."""
from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(relative: str, data: bytes) -> None:
    """Assert ``data`` equals golden/<relative> byte for byte (or write it when updating)."""
    path = GOLDEN / relative
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.is_file(), f"missing golden file {relative}; run the tests with UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{relative} differs from its golden copy (UPDATE_GOLDEN=1 to accept)"
