"""Module path ``elg.model.base.Request`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..request._models import Request as Request

__all__ = ["Request", "to_camel"]
