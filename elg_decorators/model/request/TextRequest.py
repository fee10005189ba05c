"""Module path ``elg.model.request.TextRequest`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import Request as Request
from ._models import TextRequest as TextRequest

__all__ = ["Annotation", "Request", "TextRequest"]
