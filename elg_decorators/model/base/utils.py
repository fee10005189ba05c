"""Module path ``elg.model.base.utils`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel

__all__ = ["to_camel"]
