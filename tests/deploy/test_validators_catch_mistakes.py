"""The checks of the other deploy tests reject what a cluster or ELG would reject: each is shown failing here.

Each case breaks one thing in a file deploy wrote and expects the matching check to refuse it.
"""
from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_helpers import (
    EXAMPLES,
    KUBERNETES_VERSION,
    MINIMUM_KUBERNETES,
    MS,
    knative_webhook_problems,
    record_rule_problems,
    schema_errors,
)

from elg_decorators.cli import main

IMAGE = "registry.example.org/elg/ner:2.0"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("written")
    assert main(["deploy", str(EXAMPLES / "dictionary_ner.py"), "--image", IMAGE, "--output", str(output),
                 "--language", "en"]) == 0
    return {
        "knative": yaml.safe_load((output / "knative-service.yaml").read_text()),
        "kubernetes": list(yaml.safe_load_all((output / "kubernetes.yaml").read_text())),
        "record": (output / "elg-metadata.xml").read_bytes(),
    }


def _container(service: dict[str, Any]) -> dict[str, Any]:
    return service["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("change", ["unknown container field", "lifecycle in Knative", "string port", "float cpu"])
def test_strict_knative_schema_rejects(
    files: dict[str, Any], knative_strict_schema: dict[str, Any], change: str,
) -> None:
    service = copy.deepcopy(files["knative"])
    container = _container(service)
    if change == "unknown container field":
        container["imagee"] = container["image"]
    elif change == "lifecycle in Knative":
        container["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    elif change == "string port":
        container["ports"][0]["containerPort"] = "8000"
    else:
        container["resources"]["limits"]["cpu"] = 0.5
    assert schema_errors(service, knative_strict_schema) != []


@pytest.mark.parametrize("change, problem", [
    ("port name", "port name 'http' is not '', 'http1' or 'h2c'"),
    ("reserved port", "containerPort 8012 is reserved or out of range"),
    ("reserved env", "env PORT is reserved"),
    ("timeout", "timeoutSeconds 900 above 600"),
    ("scale", "min-scale above max-scale"),
])
def test_knative_webhook_rules_reject(files: dict[str, Any], change: str, problem: str) -> None:
    service = copy.deepcopy(files["knative"])
    container = _container(service)
    annotations = service["spec"]["template"]["metadata"]["annotations"]
    if change == "port name":
        container["ports"][0]["name"] = "http"
    elif change == "reserved port":
        container["ports"][0]["containerPort"] = 8012
    elif change == "reserved env":
        container["env"].append({"name": "PORT", "value": "8000"})
    elif change == "timeout":
        service["spec"]["template"]["spec"]["timeoutSeconds"] = 900
    else:
        annotations["autoscaling.knative.dev/min-scale"] = "11"
    assert problem in knative_webhook_problems(service)


def test_strict_kubernetes_schemas_reject_unknown_fields(files: dict[str, Any]) -> None:
    deployment = copy.deepcopy(files["kubernetes"][0])
    deployment["spec"]["template"]["spec"]["containers"][0]["imagee"] = IMAGE
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    autoscaler = copy.deepcopy(files["kubernetes"][2])
    autoscaler["spec"]["targetCPUUtilizationPercentage"] = 70  # an autoscaling/v1 field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(autoscaler, KUBERNETES_VERSION, strict=True)


def test_schemas_of_the_oldest_release_reject_the_sleep_action(files: dict[str, Any]) -> None:
    # Kubernetes' own pre-stop sleep action (1.30) is what the exec of sleep avoids; the check would catch it.
    deployment = copy.deepcopy(files["kubernetes"][0])
    deployment["spec"]["template"]["spec"]["containers"][0]["lifecycle"] = {"preStop": {"sleep": {"seconds": 5}}}
    kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    with pytest.raises(kubernetes_validate.ValidationError, match="'sleep' was unexpected"):
        kubernetes_validate.validate(deployment, f"{MINIMUM_KUBERNETES}.0", strict=True)


def _record_without(record: bytes, path: str) -> str:
    root = ET.fromstring(record)
    parent_path, _, child = path.rpartition("/")
    parent = root.find(parent_path, MS)
    assert parent is not None
    element = parent.find(child, MS)
    assert element is not None
    parent.remove(element)
    return ET.tostring(root, encoding="unicode")


_TOOL = "ms:DescribedEntity/ms:LanguageResource/ms:LRSubclass/ms:ToolService"


def test_elg_share_xsd_rejects_a_record_without_a_function(files: dict[str, Any], elg_share_schema: Any) -> None:
    assert list(elg_share_schema.iter_errors(_record_without(files["record"], f"{_TOOL}/ms:function"))) != []


def test_comment_rules_reject_what_the_xsd_lets_through(files: dict[str, Any], elg_share_schema: Any) -> None:
    without_location = _record_without(files["record"], f"{_TOOL}/ms:SoftwareDistribution/ms:executionLocation")
    without_language = _record_without(files["record"], f"{_TOOL}/ms:inputContentResource/ms:language")
    for record in (without_location, without_language):
        assert list(elg_share_schema.iter_errors(record)) == []  # the XSD alone accepts both
    rules = dict(image=IMAGE, port=8000, served_paths=["/process"], languages=["en"])
    assert record_rule_problems(without_location.encode(), **rules) == [
        "a dockerImage distribution needs dockerDownloadLocation and executionLocation",
        "no executionLocation for /process",
    ]
    assert record_rule_problems(without_language.encode(), **rules) == ["a resource lists languages [], not ['en']"]

