"""A service holding one large numpy array as a resource, shared (created before the fork) or per worker.

``BENCH_SHARED=1`` declares it ``@resource(shared=True)``; ``BENCH_MB`` is its size in MB.
"""
from __future__ import annotations

import os

import numpy

from elg_decorators import resource, text_service
from elg_decorators.model import TextsResponse


@resource(shared=os.environ.get("BENCH_SHARED") == "1")
def table() -> numpy.ndarray:
    """An array of BENCH_MB megabytes, every page written (as a loaded model's weights are)."""
    return numpy.ones(int(os.environ.get("BENCH_MB", "500")) * 1024 * 1024 // 8, dtype=numpy.float64)


@text_service
def lookup(content: str, table: numpy.ndarray) -> TextsResponse:
    """Reads the table: the sum of the entries the text's length picks."""
    picked = float(table[:: max(1, len(table) // (len(content) + 1))].sum())
    return TextsResponse(texts=[{"content": content, "features": {"sum": picked, "pid": os.getpid()}}])
