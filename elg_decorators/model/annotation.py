"""Standoff annotations, shared by requests and responses."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from ._base import ELGModel

Number = Union[int, float]


class Annotation(ELGModel):
    """One annotated span.

    ``start``/``end`` locate it in the content it belongs to (characters of a
    text, seconds of audio); ``source_start``/``source_end`` link it back to
    the request's content where the output is a new text.
    """

    start: Number
    end: Number
    source_start: Optional[Number] = None
    source_end: Optional[Number] = None
    features: Optional[Dict[str, Any]] = None


#: Annotations grouped by annotation type, e.g. ``{"Person": [...]}``.
Annotations = Dict[str, List[Annotation]]
