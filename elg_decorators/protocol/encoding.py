"""Turning ELG messages and arbitrary handler data into JSON."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from collections.abc import Callable
from uuid import UUID

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_jsonable_python

#: A hook returning a JSON-able substitute for an object, or None for the default.
JSONHook = Callable[[Any], Any]


class MessageEncoder:
    """Encodes ELG envelopes (``{"response": …}`` etc.) as compact UTF-8 JSON.

    Objects JSON cannot represent go first to ``hook`` (a service's
    ``to_json``); when it returns None the defaults apply: pydantic models by
    alias without None values, date/time/datetime as ISO 8601 (a UTC
    datetime ends in ``Z``), UUID as str, dataclasses as dicts, objects with
    ``__json__``/``for_json``, any other iterable as a list, and what
    pydantic can represent (bytes as UTF-8 text, timedelta, Decimal, Enum…).

    Without a hook, models are serialised by pydantic-core directly; with one,
    through :func:`json.dumps` so the hook sees every nested value.
    """

    def __init__(self, hook: JSONHook | None = None) -> None:
        self.hook = hook

    def default(self, obj: Any) -> Any:
        """Replace ``obj`` by something JSON can represent, or raise TypeError."""
        if self.hook is not None:
            substitute = self.hook(obj)
            if substitute is not None:
                return substitute
        if isinstance(obj, BaseModel):
            mode = "python" if self.hook is not None else "json"
            return obj.model_dump(mode=mode, by_alias=True, exclude_none=True)
        if isinstance(obj, (datetime, date, time, UUID)):
            return to_jsonable_python(obj)  # the same text as models serialised without a hook
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return dataclasses.asdict(obj)
        if hasattr(obj, "__json__"):
            return obj.__json__()
        if hasattr(obj, "for_json"):
            return obj.for_json()
        if isinstance(obj, Iterable) and not isinstance(obj, (str, bytes, bytearray)):
            return list(obj)
        try:
            return to_jsonable_python(obj)
        except PydanticSerializationError:
            raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable") from None

    def dumps(self, obj: Any) -> str:
        """Any JSON-able value (after :meth:`default`) as compact JSON text."""
        return json.dumps(obj, default=self.default, ensure_ascii=False, separators=(",", ":"))

    def envelope(self, kind: str, message: BaseModel) -> bytes:
        """``{kind: message}`` as UTF-8 JSON bytes."""
        if self.hook is None:
            body = message.__pydantic_serializer__.to_json(
                message, by_alias=True, exclude_none=True, fallback=self.default
            )
            return b'{"' + kind.encode() + b'":' + body + b"}"
        return self.dumps({kind: message}).encode()


def sse_event(payload: bytes) -> bytes:
    """One server-sent event carrying ``payload`` (a single line of JSON)."""
    return b"data:" + payload + b"\r\n\r\n"
