"""Fixtures for the deploy tests: the reference schemas, and running the command."""
from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from deploy_helpers import REFERENCE


@pytest.fixture(scope="session")
def knative_strict_schema() -> dict[str, Any]:
    """Knative Serving's Service schema with unknown fields rejected at every level below the top."""
    return json.loads((REFERENCE / "knative" / "service_v1.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def knative_crd_schema() -> dict[str, Any]:
    """The ``openAPIV3Schema`` of Knative's own Service CRD, version v1."""
    crd = yaml.safe_load((REFERENCE / "knative" / "service-crd.yaml").read_text(encoding="utf-8"))
    version = next(item for item in crd["spec"]["versions"] if item["name"] == "v1")
    return version["schema"]["openAPIV3Schema"]


@pytest.fixture(scope="session")
def elg_share_schema() -> Any:
    """The ELG-SHARE 1.5.0 XSD, built once (it takes seconds).

    Local files only: the schema for the ``xml:`` namespace it imports from w3.org is the copy
    xmlschema ships.
    """
    import xmlschema

    return xmlschema.XMLSchema(str(REFERENCE / "elg-share" / "ELG-SHARE.xsd"), allow="local")
