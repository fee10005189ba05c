"""Every file deploy writes, for every example and several option sets, checked as a cluster and ELG would.

No Kubernetes cluster runs here. Instead: every Kubernetes object against the
strict schemas of a current release and of the oldest release the file says it needs
(unknown fields rejected, as server-side field validation does), the Knative Service
against Knative's own schema made strict and against the CRD, plus the rules of
Knative's admission webhook; the ELG record against the ELG-SHARE XSD plus the rules
its comments state.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_helpers import (
    EXAMPLE_SCRIPTS,
    KUBERNETES_VERSION,
    MINIMUM_KUBERNETES,
    MS,
    PATH_VALUES,
    knative_webhook_problems,
    record_rule_problems,
    schema_errors,
)

from elg_decorators.cli import main
from elg_decorators.settings import DEFAULT_PORT, LIVE_PATH, READY_PATH

IMAGE = "registry.example.org/elg/service:1.4.2"

#: name -> (options, what the files must then say)
OPTION_SETS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "defaults": ([], dict(
        concurrency=4, workers="1", threads="4", timeout=305, graceful=30, startup=300, memory="2Gi", cpu="1",
        scale=(0, 10), languages=[], read_only=True, name=None, max_queue="4", conditions=["unspecified"],
    )),
    "full": ([
        "--lt-class", "NamedEntityRecognition", "--language", "en", "--language", "de-at", "--language", "sr-Latn",
        "--memory", "512Mi", "--cpu", "500m", "--min-scale", "1", "--max-scale", "3", "--licence", "Apache-2.0",
        "--landing-page", "https://example.org/svc", "--keyword", "names", "--keyword", "places",
        "--name", "svc-full", "--title", "A full service", "--description", "Finds things in texts.",
        "--max-queue", "16", "--condition-of-use", "attribution", "--condition-of-use", "shareAlike",
    ], dict(
        concurrency=4, workers="1", threads="4", timeout=305, graceful=30, startup=300, memory="512Mi", cpu="500m",
        scale=(1, 3), languages=["en", "de-AT", "sr-Latn"], read_only=True, name="svc-full", max_queue="16",
        conditions=["attribution", "shareAlike"],
    )),
    "threads": ([
        "--workers", "2", "--threads", "8", "--request-timeout", "0", "--graceful-timeout", "90", "--writable-root",
        "--startup-seconds", "37", "--email", "me@example.org", "--max-scale", "1", "--lt-class", "MachineTranslation",
        "--language", "fi",
    ], dict(
        concurrency=16, workers="2", threads="8", timeout=None, graceful=90, startup=37, memory="2Gi", cpu="1",
        scale=(0, 1), languages=["fi"], read_only=False, name=None, max_queue="16", conditions=["unspecified"],
    )),
    "sync": ([
        "--worker-class", "sync", "--cpu", "2", "--memory", "1.5Gi", "--max-scale", "100", "--request-timeout", "595",
    ], dict(
        concurrency=1, workers="1", threads="1", timeout=600, graceful=30, startup=300, memory="1.5Gi", cpu="2",
        scale=(0, 100), languages=[], read_only=True, name=None, max_queue="1", conditions=["unspecified"],
    )),
}


def served_paths(script: Path) -> list[str]:
    """The POST paths the script serves, as the service itself reports them."""
    from elg_decorators.discovery import load_service

    loaded = load_service(str(script))
    if len(loaded.registry):
        return list(loaded.registry.endpoints())
    assert loaded.flask_service is not None
    return list(loaded.flask_service.paths)


@pytest.fixture(scope="module", params=EXAMPLE_SCRIPTS, ids=lambda path: path.stem)
def example(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture(scope="module", params=sorted(OPTION_SETS))
def option_set(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def generated(example: Path, option_set: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The files deploy wrote for ``example`` with ``option_set``, parsed."""
    output = tmp_path_factory.mktemp(f"{example.stem}-{option_set}")
    options, expected = OPTION_SETS[option_set]
    status = main(["deploy", str(example), "--image", IMAGE, "--output", str(output),
                   *PATH_VALUES.get(example.stem, ()), *options])
    assert status == 0
    assert sorted(path.name for path in output.iterdir()) == [
        "elg-deployment.yaml", "elg-metadata.xml", "knative-service.yaml", "kubernetes.yaml",
    ]
    return {
        "knative": list(yaml.safe_load_all((output / "knative-service.yaml").read_text())),
        "kubernetes": list(yaml.safe_load_all((output / "kubernetes.yaml").read_text())),
        "kubernetes_text": (output / "kubernetes.yaml").read_text(),
        "elg": list(yaml.safe_load_all((output / "elg-deployment.yaml").read_text())),
        "record": (output / "elg-metadata.xml").read_bytes(),
        "expected": expected,
        "name": expected["name"] or example.stem.replace("_", "-"),
        "paths": served_paths(example),
    }


def test_every_kubernetes_object_validates_strictly(generated: dict[str, Any]) -> None:
    objects = generated["kubernetes"]
    kinds = [obj["kind"] for obj in objects]
    assert kinds == ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"]
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        assert obj["metadata"]["name"] == generated["name"]


def test_kubernetes_file_names_the_release_it_needs_and_validates_on_it(generated: dict[str, Any]) -> None:
    # The claim is read from the file itself, so the file and this check cannot drift apart.
    lines = generated["kubernetes_text"].splitlines()
    assert lines[0] == "# Generated by 'python -m elg_decorators deploy'; regenerate it rather than editing it."
    needed = re.fullmatch(r"# Needs Kubernetes (\d+\.\d+) or later\.", lines[1])
    assert needed is not None, lines[1]
    assert needed.group(1) == MINIMUM_KUBERNETES
    for obj in generated["kubernetes"]:
        kubernetes_validate.validate(obj, f"{needed.group(1)}.0", strict=True)


def test_knative_service_validates_against_knative_schemas_and_webhook_rules(
    generated: dict[str, Any], knative_strict_schema: dict[str, Any], knative_crd_schema: dict[str, Any],
) -> None:
    [service] = generated["knative"]
    assert schema_errors(service, knative_strict_schema) == []
    assert schema_errors(service, knative_crd_schema) == []
    assert knative_webhook_problems(service) == []
    assert service["metadata"]["name"] == generated["name"]


def test_metadata_record_validates_against_elg_share_and_its_comment_rules(
    generated: dict[str, Any], elg_share_schema: Any,
) -> None:
    errors = [str(error.reason) for error in elg_share_schema.iter_errors(generated["record"].decode("utf-8"))]
    assert errors == []
    assert record_rule_problems(
        generated["record"], image=IMAGE, port=DEFAULT_PORT, served_paths=generated["paths"],
        languages=generated["expected"]["languages"],
    ) == []


def _knative_container(generated: dict[str, Any]) -> dict[str, Any]:
    return generated["knative"][0]["spec"]["template"]["spec"]["containers"][0]


def _deployment(generated: dict[str, Any]) -> dict[str, Any]:
    return generated["kubernetes"][0]


def test_concurrency_deadlines_and_grace_follow_the_server_settings(generated: dict[str, Any]) -> None:
    expected = generated["expected"]
    template = generated["knative"][0]["spec"]["template"]
    assert template["spec"]["containerConcurrency"] == expected["concurrency"]
    assert template["spec"].get("timeoutSeconds") == expected["timeout"]
    deployment_container = _deployment(generated)["spec"]["template"]["spec"]["containers"][0]
    for container in (_knative_container(generated), deployment_container):
        env = {item["name"]: item["value"] for item in container["env"]}
        assert (env["WORKERS"], env["THREADS"]) == (expected["workers"], expected["threads"])
        assert env["GRACEFUL_TIMEOUT"] == str(expected["graceful"])
        assert env["MAX_QUEUE"] == expected["max_queue"]
        assert "PORT" not in env
    grace = _deployment(generated)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > expected["graceful"]
    if expected["timeout"] is not None:
        # Knative stops a revision's pods within timeoutSeconds: it must outlast the graceful timeout too.
        assert expected["timeout"] > expected["graceful"]


def test_probes_and_startup_allowance(generated: dict[str, Any]) -> None:
    startup = generated["expected"]["startup"]
    knative = _knative_container(generated)
    assert knative["readinessProbe"]["httpGet"] == {"path": READY_PATH}
    assert knative["livenessProbe"]["httpGet"] == {"path": LIVE_PATH}
    assert knative["livenessProbe"]["initialDelaySeconds"] >= startup
    assert knative["ports"] == [{"name": "http1", "containerPort": DEFAULT_PORT}]
    assert generated["knative"][0]["spec"]["template"]["metadata"]["annotations"][
        "serving.knative.dev/progress-deadline"] == f"{startup + 300}s"
    container = _deployment(generated)["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"] == {"path": READY_PATH, "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": LIVE_PATH, "port": "http"}
    probe = container["startupProbe"]
    assert probe["httpGet"] == {"path": LIVE_PATH, "port": "http"}
    assert probe["periodSeconds"] * probe["failureThreshold"] == 5 * math.ceil(startup / 5) >= startup
    assert _deployment(generated)["spec"]["progressDeadlineSeconds"] > startup


def test_resources_scale_and_security(generated: dict[str, Any]) -> None:
    expected = generated["expected"]
    amounts = {"cpu": expected["cpu"], "memory": expected["memory"]}
    pod = _deployment(generated)["spec"]["template"]["spec"]
    for container in (_knative_container(generated), pod["containers"][0]):
        assert container["resources"] == {"requests": amounts, "limits": amounts}
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
    assert pod["containers"][0]["securityContext"].get("readOnlyRootFilesystem", False) is expected["read_only"]
    assert ("volumes" in pod) is expected["read_only"]
    low, high = expected["scale"]
    annotations = generated["knative"][0]["spec"]["template"]["metadata"]["annotations"]
    assert (annotations["autoscaling.knative.dev/min-scale"], annotations["autoscaling.knative.dev/max-scale"]) == (
        str(low), str(high))
    autoscaler = generated["kubernetes"][2]["spec"]
    assert (autoscaler["minReplicas"], autoscaler["maxReplicas"]) == (max(1, low), high)
    # Where the autoscaler cannot keep --min-scale 0, the file says so at its top.
    comment = ("# minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot scale to zero "
               "(Knative can).")
    assert (comment in generated["kubernetes_text"].splitlines()[:3]) is (low == 0)
    assert generated["elg"] == [{"image": IMAGE, "limits_memory": expected["memory"], "scalability": high > 1,
                                 "minScale": low, "maxScale": high}]


def test_record_names_version_image_memory_and_locations(generated: dict[str, Any]) -> None:
    root = ET.fromstring(generated["record"])
    resource = root.find("ms:DescribedEntity/ms:LanguageResource", MS)
    assert resource is not None
    assert resource.findtext("ms:version", namespaces=MS) == "1.4.2"
    assert resource.findtext("ms:resourceShortName", namespaces=MS) == generated["name"]
    distributions = resource.findall("ms:LRSubclass/ms:ToolService/ms:SoftwareDistribution", MS)
    assert len(distributions) == len(generated["paths"])
    for distribution in distributions:
        assert distribution.findtext("ms:additionalHWRequirements", namespaces=MS) == (
            f"limits_memory: {generated['expected']['memory']}")
        conditions = [(element.text or "").rsplit("/", 1)[-1]
                      for element in distribution.findall("ms:licenceTerms/ms:conditionOfUse", MS)]
        assert conditions == generated["expected"]["conditions"]
