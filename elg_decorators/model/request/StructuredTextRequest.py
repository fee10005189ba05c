"""Module path ``elg.model.request.StructuredTextRequest`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..annotation import Annotation as Annotation
from ._models import Request as Request
from ._models import StructuredTextRequest as StructuredTextRequest
from ._models import Text as Text

__all__ = ["Annotation", "Request", "StructuredTextRequest", "Text", "to_camel"]
