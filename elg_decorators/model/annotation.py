"""Standoff annotations, shared by requests and responses."""
from __future__ import annotations

import numbers
from typing import Annotated, Any, Dict, List, Optional, Union

from pydantic import BeforeValidator

from ._base import ELGModel


def _number(value: Any) -> Any:
    """Accept any real number (numpy's included) as int or float; reject strings and bools."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"expected a number, not {type(value).__name__}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


#: A JSON number (int or float); strings such as "1" are rejected, as the elg package does.
Number = Annotated[Union[int, float], BeforeValidator(_number)]


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
