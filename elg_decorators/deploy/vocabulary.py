"""The closed lists of the ELG-SHARE schema (version 1.5.0) that ``deploy`` checks its input against.

``data/elg_vocabulary.json`` is read from the schema's XSD files by
``tests/deploy/xsd_vocabulary.py``; the tests check that it still matches them.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["OMTD_SHARE", "META_SHARE", "lt_classes", "conditions_of_use", "language_ids", "script_ids", "region_ids"]

#: Namespace of the LT classes, data formats and annotation types.
OMTD_SHARE = "http://w3id.org/meta-share/omtd-share/"
#: Namespace of the ELG-SHARE elements and most of their values.
META_SHARE = "http://w3id.org/meta-share/meta-share/"


@lru_cache(maxsize=1)
def _lists() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("data").joinpath("elg_vocabulary.json").read_text(encoding="utf-8")
    return {key: tuple(values) for key, values in json.loads(text).items()}


def lt_classes() -> tuple[str, ...]:
    """The LT classes (``NamedEntityRecognition``…), without the ``OMTD_SHARE`` prefix, in schema order."""
    return _lists()["lt_classes"]


def conditions_of_use() -> tuple[str, ...]:
    """The values of a licence's ``conditionOfUse`` (``attribution``, ``nonCommercialUse``…), without the
    ``META_SHARE`` prefix, in schema order."""
    return _lists()["conditions_of_use"]


@lru_cache(maxsize=1)
def language_ids() -> frozenset[str]:
    """The ISO 639 codes ``languageId`` takes (two letters where ISO 639-1 has one)."""
    return frozenset(_lists()["language_ids"])


@lru_cache(maxsize=1)
def script_ids() -> frozenset[str]:
    """The ISO 15924 codes ``scriptId`` takes (``Latn``, ``Cyrl``…)."""
    return frozenset(_lists()["script_ids"])


@lru_cache(maxsize=1)
def region_ids() -> frozenset[str]:
    """The region codes ``regionId`` takes (``GB``, ``AT``, ``419``…)."""
    return frozenset(_lists()["region_ids"])
