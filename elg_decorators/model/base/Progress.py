"""Module path ``elg.model.base.Progress`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..status import Progress as Progress
from ..status import StatusMessage as StatusMessage

__all__ = ["Progress", "StatusMessage", "to_camel"]
