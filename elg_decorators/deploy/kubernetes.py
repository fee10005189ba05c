"""The service on a plain Kubernetes cluster: Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget."""
from __future__ import annotations

from typing import Any

from . import container
from .description import ServiceDescription

__all__ = ["kubernetes_objects", "PORT_NAME", "SERVICE_PORT", "CPU_TARGET_PERCENT", "TMP_PATH"]

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
        "lifecycle": {"preStop": {"sleep": {"seconds": container.PRE_STOP_SECONDS}}},
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
    """Scales on CPU between the scale limits; Kubernetes keeps at least one replica (no scale to zero)."""
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
