"""Module path ``elg.model.base.Failure`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..status import Failure as Failure
from ..status import StatusMessage as StatusMessage

__all__ = ["Failure", "StatusMessage", "to_camel"]
