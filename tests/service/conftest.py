"""Shared fixtures for the core tests: building multipart bodies the way HTTP clients do."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

BOUNDARY = "elg-test-boundary-7d3f"


def build_multipart(
    parts: Sequence[tuple[str, str | None, bytes, str | None]], boundary: str = BOUNDARY
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of ``parts`` (name, Content-Type, data, filename), and its type."""
    chunks = []
    for name, content_type, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode("latin-1") + b"\r\n" + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("latin-1"))
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def multipart() -> Callable[..., tuple[bytes, str]]:
    """``multipart(parts, boundary=...)`` -> (body, content type)."""
    return build_multipart
