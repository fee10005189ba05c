"""Module path ``elg.model.base.StandardMessages`` of the elg package: its names, re-exported."""
from __future__ import annotations

from ..messages import StandardMessages as StandardMessages
from ..status import StatusMessage as StatusMessage

__all__ = ["StandardMessages", "StatusMessage"]
