"""Module path ``elg.model.base.Annotation`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..annotation import Annotation as Annotation

__all__ = ["Annotation", "to_camel"]
