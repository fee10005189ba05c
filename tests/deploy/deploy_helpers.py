"""What the deploy tests share: where things are, running the command, and the checks a cluster or ELG applies.

The schema checks catch what the schemas say; the functions here code the rules that only
Knative's admission webhook and the ELG-SHARE XSD's comments state (see
``reference/README.md``).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Sequence

import jsonschema

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES = REPOSITORY / "examples"
#: The Knative and ELG-SHARE schemas the generated files are checked against (see its README.md).
REFERENCE = Path(__file__).resolve().parent / "reference"
EXAMPLE_SCRIPTS = sorted(EXAMPLES.glob("*.py"))
#: The values of the URL variables of the examples whose paths have some.
PATH_VALUES: dict[str, tuple[str, ...]] = {
    "translate": ("--path-value", "src=en", "--path-value", "tgt=de"),
    "classic_flask_service": ("--path-value", "mode=upper"),
}
#: The Kubernetes release whose schemas the objects are checked against.
KUBERNETES_VERSION = "1.37.0"
#: The oldest Kubernetes release kubernetes.yaml works on, as its header and the documentation say
#: (the oldest whose schemas kubernetes-validate has).
MINIMUM_KUBERNETES = "1.25"
MS = {"ms": "http://w3id.org/meta-share/meta-share/"}

DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
KNATIVE_RESERVED_PORTS = {8008, 8012, 8013, 8022, 9090, 9091}
KNATIVE_RESERVED_ENV = {"PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"}
KNATIVE_RESERVED_MOUNTS = {"/", "/dev", "/dev/log"}
#: Knative's default max-revision-timeout-seconds.
KNATIVE_MAX_TIMEOUT = 600
#: Knative's default container-concurrency-max-limit.
KNATIVE_MAX_CONCURRENCY = 1000
#: The revision suffix Knative appends to a service's name (``-00001``) within a 63-character label.
REVISION_SUFFIX = len("-00001")


def schema_errors(document: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks ``schema``, as ``path: message`` lines."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = validator.iter_errors(document)
    return sorted(f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors)


def knative_webhook_problems(service: dict[str, Any]) -> list[str]:
    """The rules Knative's admission webhook applies beyond the schema (``k8s_validation.go``)."""
    problems: list[str] = []
    if service.get("apiVersion") != "serving.knative.dev/v1" or service.get("kind") != "Service":
        problems.append("not a serving.knative.dev/v1 Service")
    name = service.get("metadata", {}).get("name", "")
    if not DNS_1035.fullmatch(name) or len(name) + REVISION_SUFFIX > 63:
        problems.append(f"name {name!r} is not a DNS-1035 label with room for a revision suffix")
    template = service["spec"]["template"]
    spec = template["spec"]
    containers = spec["containers"]
    ports = [port for container in containers for port in container.get("ports", [])]
    if len(ports) > 1 or (len(containers) > 1 and len(ports) != 1):
        problems.append("more than one port, or no port among several containers")
    for port in ports:
        if port.get("name", "") not in ("", "http1", "h2c"):
            problems.append(f"port name {port['name']!r} is not '', 'http1' or 'h2c'")
        number = port.get("containerPort", 0)
        if not 0 < number < 65536 or number in KNATIVE_RESERVED_PORTS:
            problems.append(f"containerPort {number} is reserved or out of range")
    for container in containers:
        if not container.get("image"):
            problems.append("a container has no image")
        if container.get("name") == "queue-proxy":
            problems.append("container name 'queue-proxy' is reserved")
        for variable in container.get("env", []):
            if variable["name"] in KNATIVE_RESERVED_ENV:
                problems.append(f"env {variable['name']} is reserved")
        for mount in container.get("volumeMounts", []):
            if mount["mountPath"] in KNATIVE_RESERVED_MOUNTS:
                problems.append(f"mount path {mount['mountPath']} is reserved")
        for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
            probe = container.get(kind)
            if probe is None:
                continue
            if probe.get("successThreshold", 1) < 1 or probe.get("failureThreshold", 1) < 1:
                problems.append(f"{kind} thresholds must be at least 1")
            if kind != "readinessProbe" and probe.get("successThreshold", 1) != 1:
                problems.append(f"{kind} successThreshold must be 1")
            for key in ("periodSeconds", "timeoutSeconds", "initialDelaySeconds"):
                if probe.get(key, 0) < 0:
                    problems.append(f"{kind}.{key} is negative")
            port = probe.get("httpGet", {}).get("port")
            if port is not None and ports and port != ports[0]["containerPort"]:
                problems.append(f"{kind} probes port {port}, not the container port")
    if not 0 <= spec.get("containerConcurrency", 0) <= KNATIVE_MAX_CONCURRENCY:
        problems.append("containerConcurrency out of range")
    if "timeoutSeconds" in spec and not 0 < spec["timeoutSeconds"] <= KNATIVE_MAX_TIMEOUT:
        problems.append(f"timeoutSeconds {spec['timeoutSeconds']} above {KNATIVE_MAX_TIMEOUT}")
    annotations = template.get("metadata", {}).get("annotations", {})
    scale = {}
    for bound in ("min-scale", "max-scale"):
        value = annotations.get(f"autoscaling.knative.dev/{bound}")
        if value is not None:
            if not value.isdigit():
                problems.append(f"{bound} {value!r} is not a whole number")
            else:
                scale[bound] = int(value)
    if scale.get("max-scale", 0) and scale.get("min-scale", 0) > scale["max-scale"]:
        problems.append("min-scale above max-scale")
    deadline = annotations.get("serving.knative.dev/progress-deadline")
    if deadline is not None and not re.fullmatch(r"[1-9][0-9]*s", deadline):
        problems.append(f"progress-deadline {deadline!r} is not a positive duration")
    return problems


def record_rule_problems(
    record: bytes, *, image: str, port: int, served_paths: Sequence[str], languages: Iterable[str],
) -> list[str]:
    """The rules the ELG-SHARE XSD states only in comments, for a functional service run from ``image``."""
    root = ET.fromstring(record)
    problems: list[str] = []
    tool = root.find("ms:DescribedEntity/ms:LanguageResource/ms:LRSubclass/ms:ToolService", MS)
    if tool is None:
        return ["no ToolService"]
    docker = [distribution for distribution in tool.findall("ms:SoftwareDistribution", MS)
              if distribution.findtext("ms:SoftwareDistributionForm", namespaces=MS) == MS["ms"] + "dockerImage"]
    if not docker:
        problems.append("a functional service needs a dockerImage distribution")
    # Each URL variable of a served path stands for one path segment.
    patterns = {path: re.compile(re.sub(r"<[^>]+>", "[^/]+", re.escape(path))) for path in served_paths}
    called = set()
    for distribution in docker:
        location = distribution.findtext("ms:executionLocation", namespaces=MS)
        download = distribution.findtext("ms:dockerDownloadLocation", namespaces=MS)
        if download is None or location is None:
            problems.append("a dockerImage distribution needs dockerDownloadLocation and executionLocation")
            continue
        if "://" in download or download != image:
            problems.append(f"dockerDownloadLocation {download!r} is not the image {image!r}")
        if distribution.find("ms:serviceAdapterDownloadLocation", MS) is not None:
            problems.append("the service speaks the ELG API itself: no adapter")
        prefix = f"http://localhost:{port}/"
        if not location.startswith(prefix):
            problems.append(f"executionLocation {location!r} is not inside the container on port {port}")
        path = location[len(prefix) - 1:]
        matching = [served for served, pattern in patterns.items() if pattern.fullmatch(path)]
        if not matching:
            problems.append(f"executionLocation {location!r} calls a path the service does not serve")
        called.update(matching)
    problems.extend(f"no executionLocation for {path}" for path in served_paths if path not in called)
    languages = list(languages)
    dependent = tool.findtext("ms:languageDependent", namespaces=MS)
    if dependent != ("true" if languages else "false"):
        problems.append(f"languageDependent is {dependent!r} with languages {languages}")
    resources = tool.findall("ms:inputContentResource", MS) + tool.findall("ms:outputResource", MS)
    if not tool.findall("ms:inputContentResource", MS):
        problems.append("no inputContentResource")
    for resource in resources:
        tags = [language.findtext("ms:languageTag", namespaces=MS) for language in resource.findall("ms:language", MS)]
        if tags != languages:
            problems.append(f"a resource lists languages {tags}, not {languages}")
        for language in resource.findall("ms:language", MS):
            tag = language.findtext("ms:languageTag", namespaces=MS) or ""
            if language.findtext("ms:languageId", namespaces=MS) != tag.split("-")[0]:
                problems.append(f"languageId does not match languageTag {tag!r}")
    return problems
