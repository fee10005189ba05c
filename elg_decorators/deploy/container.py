"""The service's container as Knative and Kubernetes both describe it, and the timings derived from the settings.

Ports, probe paths, workers, threads and timeouts come from
:mod:`elg_decorators.settings`; the margins below are the only numbers
``deploy`` adds, each derived from a setting.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any
from collections.abc import Mapping

from ..settings import LIVE_PATH, READY_PATH, ServerSettings
from .description import ServiceDescription

__all__ = [
    "deployed_settings",
    "CONTAINER_NAME",
    "LABEL_NAME",
    "environment",
    "labels",
    "probes",
    "resources",
    "security_context",
    "request_deadline_seconds",
    "revision_timeout_seconds",
    "termination_grace_seconds",
    "progress_deadline_seconds",
    "PRE_STOP_SECONDS",
]

CONTAINER_NAME = "service"
LABEL_NAME = "app.kubernetes.io/name"
MANAGED_BY = "elg_decorators"

#: Seconds the platform waits beyond the service's request deadline, so that the service
#: answers a late request with its own deadline failure before the platform cuts it off.
RESPONSE_MARGIN_SECONDS = 5
#: Seconds a stopping pod keeps serving before SIGTERM, while the endpoints drop it from rotation.
PRE_STOP_SECONDS = 5
#: Seconds after the graceful timeout before Kubernetes kills the container.
SHUTDOWN_MARGIN_SECONDS = 10
#: Seconds a rollout may spend on scheduling and pulling the image, beyond the start-up allowance.
PULL_ALLOWANCE_SECONDS = 300

READINESS_PERIOD_SECONDS = 5
READINESS_FAILURES = 3
LIVENESS_PERIOD_SECONDS = 10
#: A minute of failed liveness checks before a restart: a worker busy with long requests answers probes late.
LIVENESS_FAILURES = 6
STARTUP_PERIOD_SECONDS = 5
PROBE_TIMEOUT_SECONDS = 5

_LABEL_VALUE_MAX = 63


def deployed_settings(given: Mapping[str, Any]) -> ServerSettings:
    """The settings the manifests carry: those ``given`` (None: not given), else the defaults of ``serve``.

    The queue is the exception: unless given, ``max_queue`` is the concurrency the manifests
    declare (workers × threads, Knative's ``containerConcurrency``). Knative sends a replica no
    more requests at once, so each worker can queue all of them however the workers share them
    out; on a plain cluster, requests beyond one round of the replica's capacity are refused at
    once with a 503 instead of waiting out their deadline in a long queue. The environment of
    the machine running ``deploy`` is not the container's and is not read.

    :raises ValueError: with one line naming the setting, for a value no server could run with.
    """
    settings = ServerSettings.resolve(environ={}, **given)
    if given.get("max_queue") is None:
        settings = dataclasses.replace(settings, max_queue=settings.concurrency)
    return settings


def request_deadline_seconds(settings: ServerSettings) -> int | None:
    """How long the platform lets a request run: a little over the service's own deadline (None: no deadline)."""
    if settings.request_timeout == 0:
        return None
    return settings.request_timeout + RESPONSE_MARGIN_SECONDS


def revision_timeout_seconds(settings: ServerSettings) -> int | None:
    """Knative's ``timeoutSeconds``: over the request deadline, and long enough to drain.

    Knative uses it for the longest request and for the pods' termination grace period
    alike, so it also outlasts the graceful timeout. None (the cluster's default) when the
    service sets no request deadline.
    """
    deadline = request_deadline_seconds(settings)
    if deadline is None:
        return None
    return max(deadline, settings.graceful_timeout + SHUTDOWN_MARGIN_SECONDS)


def termination_grace_seconds(settings: ServerSettings) -> int:
    """Seconds between a pod's deletion and its kill: the pre-stop pause, the graceful timeout and a margin."""
    return PRE_STOP_SECONDS + settings.graceful_timeout + SHUTDOWN_MARGIN_SECONDS


def progress_deadline_seconds(description: ServiceDescription) -> int:
    """Seconds a new revision or rollout may take to become ready before it counts as failed."""
    return description.startup_seconds + PULL_ALLOWANCE_SECONDS


def labels(description: ServiceDescription) -> dict[str, str]:
    """The recommended Kubernetes labels: name, version (when the tag is a valid label value), managed-by."""
    result = {LABEL_NAME: description.name}
    version = description.version
    if len(version) <= _LABEL_VALUE_MAX and version[0].isalnum() and version[-1].isalnum():
        result["app.kubernetes.io/version"] = version
    result["app.kubernetes.io/managed-by"] = MANAGED_BY
    return result


def environment(settings: ServerSettings) -> list[dict[str, str]]:
    """The worker settings as environment variables, so the image runs as the manifests promise."""
    return [{"name": name, "value": value} for name, value in settings.environment().items()]


def resources(description: ServiceDescription) -> dict[str, dict[str, str]]:
    """Requests equal to limits: the scheduler reserves what the replica may use."""
    amounts = {"cpu": description.cpu, "memory": description.memory}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def probes(description: ServiceDescription, port: str | None) -> dict[str, dict[str, Any]]:
    """Readiness on the ready path, liveness on the live path, and a start-up allowance.

    :param port: the container port's name for Kubernetes; None for Knative, which
        probes the one port it knows and refuses any other.
    """

    def get(path: str) -> dict[str, Any]:
        return {"path": path} if port is None else {"path": path, "port": port}

    readiness = {
        "httpGet": get(READY_PATH),
        "periodSeconds": READINESS_PERIOD_SECONDS,
        "timeoutSeconds": PROBE_TIMEOUT_SECONDS,
        "failureThreshold": READINESS_FAILURES,
    }
    liveness: dict[str, Any] = {"httpGet": get(LIVE_PATH)}
    if port is None:
        # Knative: a startup probe would turn off its fast readiness probing and slow every cold
        # start, so liveness waits out the start-up allowance instead; readiness holds traffic back.
        liveness["initialDelaySeconds"] = description.startup_seconds
    liveness.update(periodSeconds=LIVENESS_PERIOD_SECONDS, timeoutSeconds=PROBE_TIMEOUT_SECONDS,
                    failureThreshold=LIVENESS_FAILURES)
    if port is None:
        return {"readinessProbe": readiness, "livenessProbe": liveness}
    startup = {
        "httpGet": get(LIVE_PATH),
        "periodSeconds": STARTUP_PERIOD_SECONDS,
        "timeoutSeconds": PROBE_TIMEOUT_SECONDS,
        "failureThreshold": math.ceil(description.startup_seconds / STARTUP_PERIOD_SECONDS),
    }
    return {"startupProbe": startup, "readinessProbe": readiness, "livenessProbe": liveness}


def security_context(read_only_root: bool) -> dict[str, Any]:
    """Non-root, no privilege escalation, no capabilities, the runtime's seccomp profile."""
    context: dict[str, Any] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    if read_only_root:
        context["readOnlyRootFilesystem"] = True
    context["runAsNonRoot"] = True
    context["seccompProfile"] = {"type": "RuntimeDefault"}
    return context
