"""The base message classes, under the package path the elg package uses (``elg.model.base``)."""
from __future__ import annotations

# Imported from the submodules, in the elg package's order, so that each name of this package is
# the class (not the submodule of the same name) however the submodules are imported later.
from .Annotation import Annotation as Annotation
from .Failure import Failure as Failure
from .Progress import Progress as Progress
from .Request import Request as Request
from .ResponseObject import ResponseObject as ResponseObject
from .StandardMessages import StandardMessages as StandardMessages
from .StatusMessage import StatusMessage as StatusMessage

__all__ = ["Annotation", "Failure", "Progress", "Request", "ResponseObject", "StandardMessages", "StatusMessage"]
