"""The pydantic base class shared by every ELG message model."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


def to_camel(name: str) -> str:
    """Convert a ``snake_case`` name to the ``lowerCamelCase`` used on the wire."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class ELGModel(BaseModel):
    """Base of all ELG messages.

    Fields accept both their Python name and their camelCase wire name
    (``sample_rate`` and ``sampleRate``); serialisation always uses the wire
    names and leaves out ``None`` values. Unknown properties are ignored.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        arbitrary_types_allowed=True,
    )

    def dict(self, **kwargs: Any) -> dict[str, Any]:
        """The message as a plain ``dict`` with wire names and without ``None`` values."""
        kwargs.setdefault("by_alias", True)
        kwargs.setdefault("exclude_none", True)
        return self.model_dump(**kwargs)

    def json(self, **kwargs: Any) -> str:
        """The message as JSON text with wire names and without ``None`` values."""
        kwargs.setdefault("by_alias", True)
        kwargs.setdefault("exclude_none", True)
        return self.model_dump_json(**kwargs)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        """Attribute access with a default, as on a ``dict``."""
        return getattr(self, key, default)
