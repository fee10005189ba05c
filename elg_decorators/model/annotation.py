"""Standoff annotations, shared by requests and responses."""
from __future__ import annotations

import numbers
from typing import Annotated, Any

from pydantic import AllowInfNan, Field, PlainValidator, StrictFloat, StrictInt, WithJsonSchema

from ._base import STOP_AT_FIRST_ERROR, ELGModel


def _other_integer(value: Any) -> int:
    """Integers that are not Python ints (numpy's, say) as int; anything else is refused."""
    if type(value) is float or isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"expected a number, not {type(value).__name__}")
    return int(value)


_OtherInteger = Annotated[Any, PlainValidator(_other_integer), WithJsonSchema({"type": "integer"})]

#: A JSON number (int or finite float); strings such as "1" are rejected, as the elg package does.
#: Ints and floats are checked by pydantic-core; other integers (numpy's) stay integers.
#: NaN and infinities are refused: JSON cannot carry them (1e400 parses as infinity).
Number = Annotated[
    StrictInt | _OtherInteger | Annotated[StrictFloat, AllowInfNan(False)], Field(union_mode="left_to_right")
]


class Annotation(ELGModel):
    """One annotated span.

    ``start``/``end`` locate it in the content it belongs to (characters of a
    text, seconds of audio); ``source_start``/``source_end`` link it back to
    the request's content where the output is a new text.
    """

    start: Number
    end: Number
    source_start: Number | None = None
    source_end: Number | None = None
    features: dict[str, Any] | None = None


#: Annotations grouped by annotation type, e.g. ``{"Person": [...]}``. Fields of this type are
#: declared with ``Field(None, fail_fast=True)`` so that the dict, too, stops at its first invalid entry.
Annotations = dict[str, Annotated[list[Annotation], STOP_AT_FIRST_ERROR]]
