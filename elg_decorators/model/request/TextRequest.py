"""Module path ``elg.model.request.TextRequest`` of the elg package; its names are re-exported from where they are defined."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import Request as Request
from ._models import TextRequest as TextRequest

__all__ = ["Annotation", "Request", "TextRequest"]
