"""The closed lists of the ELG-SHARE XSD that ``deploy`` checks its input against.

Run it to rewrite the package's copy after the XSD changes::

    python tests/deploy/xsd_vocabulary.py > elg_decorators/deploy/data/elg_vocabulary.json

The tests compare the package's copy with what this reads from the XSD.
"""
from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

#: The ELG-SHARE XSD files kept with the tests (see ``reference/README.md``).
XSD_FOLDER = Path(__file__).resolve().parent / "reference" / "elg-share"
_XS = "{http://www.w3.org/2001/XMLSchema}"
OMTD = "http://w3id.org/meta-share/omtd-share/"
META = "http://w3id.org/meta-share/meta-share/"

#: (file, name of a simpleType or of an element with a type of its own, prefix removed from each value)
#: for each list kept.
LISTS = {
    "lt_classes": ("OMTD-SHARE-elements.xsd", "Operation", OMTD),
    "conditions_of_use": ("ELG-SHARE.xsd", "conditionOfUse", META),
    "language_ids": ("ISOVocabularies.xsd", "languageIdType", ""),
    "script_ids": ("ISOVocabularies.xsd", "scriptIdType", ""),
    "region_ids": ("ISOVocabularies.xsd", "regionIdType", ""),
}


def enumeration(file: str, type_name: str, prefix: str) -> list[str]:
    """The values of the simpleType ``type_name`` in ``file`` (or of the type of the top-level element of
    that name), prefix removed, in XSD order."""
    root = ET.parse(XSD_FOLDER / file).getroot()
    named = [node for node in root.iter(f"{_XS}simpleType") if node.get("name") == type_name]
    named += [node for node in root.findall(f"{_XS}element") if node.get("name") == type_name]
    if not named:
        raise LookupError(f"{file} has no simpleType or element {type_name}")
    values = [item.get("value", "") for item in named[0].iter(f"{_XS}enumeration")]
    assert values and all(value.startswith(prefix) for value in values), type_name
    return [value[len(prefix):] for value in values]


def vocabulary() -> dict[str, list[str]]:
    """Every list of :data:`LISTS`, as the package ships them."""
    return {key: enumeration(*where) for key, where in LISTS.items()}


if __name__ == "__main__":
    json.dump(vocabulary(), sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")
