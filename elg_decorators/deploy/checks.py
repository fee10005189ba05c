"""``deploy --check``: does an existing deploy folder still match the script and the image?

It reads the files as a person may have edited them (other fields added, keys
reordered) and compares only what must agree with the service: the image, the
port, the probe paths, the concurrency, the paths ELG calls, and the version.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import yaml

from ..settings import LIVE_PATH, READY_PATH
from .description import ServiceDescription
from .files import ELG_DEPLOYMENT_FILE, KNATIVE_FILE, KUBERNETES_FILE, METADATA_FILE
from .inputs import path_pattern
from .metadata import NAMESPACE
from .yaml_files import load_documents

__all__ = ["check_folder"]

_MISSING = object()


def _at(document: Any, *keys: Any) -> Any:
    """The value at ``keys`` inside nested mappings and lists, or ``_MISSING``."""
    for key in keys:
        try:
            document = document[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return document


def _shown(value: Any) -> str:
    return "missing" if value is _MISSING else repr(value)


class _Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def compare(self, file: str, what: str, found: Any, expected: Any) -> None:
        if found != expected:
            self.lines.append(f"{file}: {what} is {_shown(found)}, expected {expected!r}")


def _container_checks(report: _Report, file: str, pod: Any, description: ServiceDescription,
                      probes: Sequence[tuple[str, str]]) -> None:
    first = _at(pod, "containers", 0)
    report.compare(file, "the image", _at(first, "image"), description.image)
    report.compare(file, "the container port", _at(first, "ports", 0, "containerPort"), description.settings.port)
    for probe, path in probes:
        report.compare(file, f"the {probe} path", _at(first, probe, "httpGet", "path"), path)


def _knative(report: _Report, documents: list[Any], description: ServiceDescription) -> None:
    service = next((doc for doc in documents if _at(doc, "kind") == "Service"), _MISSING)
    if service is _MISSING:
        report.lines.append(f"{KNATIVE_FILE}: has no Knative Service")
        return
    pod = _at(service, "spec", "template", "spec")
    _container_checks(report, KNATIVE_FILE, pod, description,
                      [("readinessProbe", READY_PATH), ("livenessProbe", LIVE_PATH)])
    report.compare(KNATIVE_FILE, "containerConcurrency", _at(pod, "containerConcurrency"),
                   description.settings.concurrency)


def _kubernetes(report: _Report, documents: list[Any], description: ServiceDescription) -> None:
    deployment = next((doc for doc in documents if _at(doc, "kind") == "Deployment"), _MISSING)
    if deployment is _MISSING:
        report.lines.append(f"{KUBERNETES_FILE}: has no Deployment")
        return
    _container_checks(report, KUBERNETES_FILE, _at(deployment, "spec", "template", "spec"), description,
                      [("startupProbe", LIVE_PATH), ("readinessProbe", READY_PATH), ("livenessProbe", LIVE_PATH)])


def _elg_deployment(report: _Report, documents: list[Any], description: ServiceDescription) -> None:
    report.compare(ELG_DEPLOYMENT_FILE, "the image", _at(documents, 0, "image"), description.image)


def _metadata(report: _Report, content: bytes, description: ServiceDescription) -> None:
    root = ET.fromstring(content)
    ms = {"ms": NAMESPACE}
    version = root.findtext("ms:DescribedEntity/ms:LanguageResource/ms:version", default=None, namespaces=ms)
    report.compare(METADATA_FILE, "the version", _MISSING if version is None else version, description.version)
    distributions = root.findall(".//ms:ToolService/ms:SoftwareDistribution", ms)
    served = {endpoint.path: path_pattern(endpoint.path) for endpoint in description.endpoints}
    called = set()
    for distribution in distributions:
        image = distribution.findtext("ms:dockerDownloadLocation", default=None, namespaces=ms)
        report.compare(METADATA_FILE, "dockerDownloadLocation", _MISSING if image is None else image, description.image)
        location = distribution.findtext("ms:executionLocation", default="", namespaces=ms)
        url = urlsplit(location)
        try:
            port = url.port
        except ValueError:
            port = None
        report.compare(METADATA_FILE, f"the port of executionLocation {location!r}", port, description.settings.port)
        matching = [path for path, pattern in served.items() if pattern.fullmatch(url.path)]
        if not matching:
            report.lines.append(
                f"{METADATA_FILE}: executionLocation {location!r} calls {url.path!r}, which the service "
                f"does not serve (it serves {', '.join(served)})"
            )
        called.update(matching)
    for path in served:
        if path not in called:
            report.lines.append(f"{METADATA_FILE}: no executionLocation calls {path}, which the service serves")


_CHECKS: dict[str, Callable[[_Report, Any, ServiceDescription], None]] = {
    KNATIVE_FILE: _knative,
    KUBERNETES_FILE: _kubernetes,
    ELG_DEPLOYMENT_FILE: _elg_deployment,
    METADATA_FILE: _metadata,
}


def check_folder(folder: Path, description: ServiceDescription) -> list[str]:
    """One line per way the files in ``folder`` disagree with ``description``; empty if none."""
    report = _Report()
    for name, check in _CHECKS.items():
        path = folder / name
        if not path.is_file():
            report.lines.append(f"{name}: missing from {folder}; run deploy without --check to write it")
            continue
        try:
            content = path.read_bytes() if name == METADATA_FILE else load_documents(path.read_text(encoding="utf-8"))
            check(report, content, description)
        except (yaml.YAMLError, ET.ParseError, UnicodeDecodeError) as err:
            problem = str(err).splitlines()[0] if str(err) else type(err).__name__
            report.lines.append(f"{name}: cannot be read ({problem})")
    return report.lines
