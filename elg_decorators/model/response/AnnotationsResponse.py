"""Module path ``elg.model.response.AnnotationsResponse`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import AnnotationsResponse as AnnotationsResponse
from ._models import ResponseObject as ResponseObject

__all__ = ["Annotation", "AnnotationsResponse", "ResponseObject"]
