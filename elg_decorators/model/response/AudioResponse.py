"""Module path ``elg.model.response.AudioResponse`` of the elg package; its names are re-exported from where they are defined."""
from __future__ import annotations

from ..annotation import Annotation as Annotation
from ._models import AudioResponse as AudioResponse
from ._models import ResponseObject as ResponseObject

__all__ = ["Annotation", "AudioResponse", "ResponseObject"]
