"""Module path ``elg.model.base.ResponseObject`` of the elg package: its names, re-exported."""
from __future__ import annotations

from .._base import to_camel as to_camel
from ..response._models import ResponseObject as ResponseObject
from ..status import StatusMessage as StatusMessage

__all__ = ["ResponseObject", "StatusMessage", "to_camel"]
