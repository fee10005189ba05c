"""The service on a plain Kubernetes cluster: Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget.

The objects use nothing newer than ``autoscaling/v2`` (Kubernetes 1.23); the file names
:data:`MINIMUM_KUBERNETES`, the oldest release whose schemas the tests check them against.
"""
from __future__ import annotations

from typing import Any

from . import container
from .description import ServiceDescription

__all__ = [
    "kubernetes_objects", "header_comments", "notes", "pre_stop", "MINIMUM_KUBERNETES", "PORT_NAME", "SERVICE_PORT",
    "CPU_TARGET_PERCENT", "TMP_PATH",
]

#: The oldest Kubernetes release the file is made for, named at its top (and validated against in the tests).
MINIMUM_KUBERNETES = "1.25"

#: The name of the container's port, which the probes and the Service refer to.
PORT_NAME = "http"
#: The port the cluster Service listens on (it forwards to the container's port).
SERVICE_PORT = 80
#: Average CPU use, in percent of the request, that the autoscaler keeps replicas at.
CPU_TARGET_PERCENT = 70
#: Where the service writes temporary files (uploads) when the root filesystem is read-only.
TMP_PATH = "/tmp"


def kubernetes_objects(description: ServiceDescription) -> list[dict[str, Any]]:
    """The four objects, in the order ``kubectl apply`` should create them."""
    return [
        deployment(description),
        service(description),
        horizontal_pod_autoscaler(description),
        pod_disruption_budget(description),
    ]


def header_comments(description: ServiceDescription) -> list[str]:
    """What the top of the file says: the Kubernetes release it needs, and a minimum scale it cannot keep."""
    lines = [f"Needs Kubernetes {MINIMUM_KUBERNETES} or later."]
    if description.min_scale == 0:
        lines.append("minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot scale to zero "
                     "(Knative can).")
    return lines


def notes(description: ServiceDescription) -> list[str]:
    """What the user should know about the objects, each said after the file's name: a minimum scale of 0
    that they cannot keep."""
    if description.min_scale != 0:
        return []
    return ["minReplicas is 1, not --min-scale 0: a HorizontalPodAutoscaler cannot scale to zero, Knative can; "
            "give --min-scale 1 for the same minimum on both"]


def pre_stop() -> dict[str, Any]:
    """The pause before SIGTERM while the endpoints drop the pod: an exec of the image's ``sleep``.

    Kubernetes' own ``sleep`` action would need 1.30 (it is off by default in 1.29, and older
    releases refuse the field); ``/bin/sleep`` is in every Debian-based image, the ones
    ``build`` makes included, and runs without a shell. In an image without it the hook fails, Kubernetes records a
    ``FailedPreStopHook`` event and stops the container without the pause.
    """
    return {"exec": {"command": ["/bin/sleep", str(container.PRE_STOP_SECONDS)]}}


def _metadata(description: ServiceDescription) -> dict[str, Any]:
    return {"name": description.name, "labels": container.labels(description)}


def _selector(description: ServiceDescription) -> dict[str, str]:
    # Only the name: a selector cannot change after creation, the version does with every release.
    return {container.LABEL_NAME: description.name}


def deployment(description: ServiceDescription) -> dict[str, Any]:
    """The Deployment; its replica count is left to the autoscaler."""
    settings = description.settings
    pod_container: dict[str, Any] = {
        "name": container.CONTAINER_NAME,
        "image": description.image,
        "ports": [{"name": PORT_NAME, "containerPort": settings.port, "protocol": "TCP"}],
        "env": container.environment(settings),
        "resources": container.resources(description),
        **container.probes(description, port=PORT_NAME),
        "lifecycle": {"preStop": pre_stop()},
        "securityContext": container.security_context(read_only_root=description.read_only_root),
    }
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": container.termination_grace_seconds(settings),
        "containers": [pod_container],
    }
    if description.read_only_root:
        pod_container["volumeMounts"] = [{"name": "tmp", "mountPath": TMP_PATH}]
        pod_spec["volumes"] = [{"name": "tmp", "emptyDir": {}}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(description),
        "spec": {
            "selector": {"matchLabels": _selector(description)},
            "progressDeadlineSeconds": container.progress_deadline_seconds(description),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": container.labels(description)},
                "spec": pod_spec,
            },
        },
    }


def service(description: ServiceDescription) -> dict[str, Any]:
    """The cluster-internal Service in front of the replicas."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(description),
        "spec": {
            "type": "ClusterIP",
            "selector": _selector(description),
            "ports": [{"name": PORT_NAME, "port": SERVICE_PORT, "targetPort": PORT_NAME, "protocol": "TCP"}],
        },
    }


def horizontal_pod_autoscaler(description: ServiceDescription) -> dict[str, Any]:
    """Scales on CPU between the scale limits; it keeps at least one replica (see :func:`notes`)."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(description),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": description.name},
            "minReplicas": max(1, description.min_scale),
            "maxReplicas": description.max_scale,
            "metrics": [{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": CPU_TARGET_PERCENT},
                },
            }],
        },
    }


def pod_disruption_budget(description: ServiceDescription) -> dict[str, Any]:
    """Voluntary disruptions (node drains) take one replica at a time, and never block a drain."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(description),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": _selector(description)},
        },
    }
