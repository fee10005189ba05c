"""The reference schemas kept with the tests are the published files that ``reference/README.md`` lists."""
from __future__ import annotations

import hashlib
import re

from deploy_helpers import REFERENCE

#: A row of the README's table: file, use, size, sha256.
ROW = re.compile(r"^\| `([^`]+)` \|[^|]*\| ([\d,]+) \| `([0-9a-f]{64})` \|$", re.MULTILINE)


def test_every_schema_file_is_listed_with_its_size_and_sha256() -> None:
    listed = {name: (int(size.replace(",", "")), digest)
              for name, size, digest in ROW.findall((REFERENCE / "README.md").read_text(encoding="utf-8"))}
    kept = {path.relative_to(REFERENCE).as_posix(): path for path in REFERENCE.rglob("*")
            if path.is_file() and path.suffix in (".yaml", ".json", ".xsd")}
    assert sorted(listed) == sorted(kept)
    for name, path in kept.items():
        data = path.read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == listed[name], name
