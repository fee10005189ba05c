"""Module path ``elg.model.request.ImageRequest`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ._models import ImageRequest as ImageRequest
from ._models import Request as Request

__all__ = ["ImageRequest", "Request"]
