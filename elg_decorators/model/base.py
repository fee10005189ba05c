"""The base message classes, under the module name the elg package uses."""
from __future__ import annotations

from .annotation import Annotation as Annotation
from .messages import StandardMessages as StandardMessages
from .request import Request as Request
from .response import ResponseObject as ResponseObject
from .status import Failure as Failure
from .status import Progress as Progress
from .status import StatusMessage as StatusMessage

__all__ = ["Annotation", "Failure", "Progress", "Request", "ResponseObject", "StandardMessages", "StatusMessage"]
