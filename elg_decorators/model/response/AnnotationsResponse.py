"""Module path ``elg.model.response.AnnotationsResponse`` of the elg package; its names are re-exported from where they are defined."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import AnnotationsResponse as AnnotationsResponse
from ._models import ResponseObject as ResponseObject

__all__ = ["Annotation", "AnnotationsResponse", "ResponseObject"]
