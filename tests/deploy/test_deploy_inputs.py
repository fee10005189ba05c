"""The vocabulary shipped with the package, Kubernetes quantities and language tags."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xsd_vocabulary import vocabulary

from elg_decorators.deploy.inputs import DeployError, check_language, quantity_value


def test_shipped_vocabulary_is_the_xsds() -> None:
    shipped = json.loads(resources.files("elg_decorators.deploy").joinpath("data").joinpath("elg_vocabulary.json")
                         .read_text(encoding="utf-8"))
    assert shipped == vocabulary()
    assert len(shipped["lt_classes"]) == 274
    assert {"NamedEntityRecognition", "MachineTranslation", "OptimalCharacterRecognition"} <= set(shipped["lt_classes"])
    assert {"attribution", "nonCommercialUse", "noConditions", "unspecified"} <= set(shipped["conditions_of_use"])
    assert len(shipped["conditions_of_use"]) == 11


@pytest.mark.parametrize("text, value", [
    ("2Gi", 2 * 2 ** 30), ("512Mi", 512 * 2 ** 20), ("1500M", 1_500_000_000), ("1", 1), ("500m", Decimal("0.5")),
    ("1.5Gi", Decimal("1.5") * 2 ** 30), ("1e3", 1000), ("2E-3", Decimal("0.002")), (".5", Decimal("0.5")),
    ("1k", 1000), ("3.", 3), ("100n", Decimal("0.0000001")), ("25u", Decimal("0.000025")),
])
def test_quantities_kubernetes_reads(text: str, value: Decimal) -> None:
    assert quantity_value(text) == value


@pytest.mark.parametrize("text", ["2GB", "2 Gi", "Gi", "", "1.2.3", "0x10", "1Gib", "1e", "1K", "--1", "1mi"])
def test_not_quantities(text: str) -> None:
    with pytest.raises(ValueError):
        quantity_value(text)


# The pattern Knative's CRD puts on every resource quantity (apimachinery's quantity grammar).
CRD_QUANTITY = re.compile(
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)


@given(st.from_regex(r"\A[+-]?[0-9.]{0,4}(Ki|Mi|Gi|Ei|[numkKMGTPEei]|[eE][+-]?[0-9]{1,2}|GB|x)?\Z"))
def test_what_deploy_accepts_the_cluster_accepts(text: str) -> None:
    try:
        quantity_value(text)
    except ValueError:
        return
    assert CRD_QUANTITY.match(text), text


@pytest.mark.parametrize("given_tag, normalised", [
    ("en", "en"), ("EN", "en"), ("de-at", "de-AT"), ("sr-latn", "sr-Latn"), ("zh_Hant_TW", "zh-Hant-TW"),
    ("es-419", "es-419"), ("fi", "fi"),
])
def test_language_tags(given_tag: str, normalised: str) -> None:
    assert check_language(given_tag) == normalised


@pytest.mark.parametrize("tag", ["english", "en-Latx", "en-XY-Z", "xx", "en-GB-oed"])
def test_language_tags_elg_cannot_record(tag: str) -> None:
    with pytest.raises(DeployError, match=r"^--language "):
        check_language(tag)
