"""The Knative Serving ``Service`` (``serving.knative.dev/v1``) of a service."""
from __future__ import annotations

from typing import Any

from . import container
from .description import ServiceDescription

__all__ = ["knative_service", "KNATIVE_PORT_NAME"]

#: The port name Knative takes for HTTP/1 (the only other is ``h2c``).
KNATIVE_PORT_NAME = "http1"


def knative_service(description: ServiceDescription) -> dict[str, Any]:
    """The Knative Service: scales from ``min_scale`` (0: to zero) to ``max_scale`` replicas.

    Knative sends each replica at most ``containerConcurrency`` requests at once,
    what its workers and threads can process, and cuts requests off a little after
    the service's own deadline. The root filesystem stays writable here: Knative
    allows no ``emptyDir`` for ``/tmp`` unless the cluster's operator enables it.
    """
    settings = description.settings
    annotations = {
        "autoscaling.knative.dev/min-scale": str(description.min_scale),
        "autoscaling.knative.dev/max-scale": str(description.max_scale),
        "serving.knative.dev/progress-deadline": f"{container.progress_deadline_seconds(description)}s",
    }
    spec: dict[str, Any] = {"containerConcurrency": settings.concurrency}
    timeout = container.revision_timeout_seconds(settings)
    if timeout is not None:
        spec["timeoutSeconds"] = timeout
    spec["containers"] = [{
        "name": container.CONTAINER_NAME,
        "image": description.image,
        "ports": [{"name": KNATIVE_PORT_NAME, "containerPort": settings.port}],
        "env": container.environment(settings),
        "resources": container.resources(description),
        **container.probes(description, port=None),
        "securityContext": container.security_context(read_only_root=False),
    }]
    labels = container.labels(description)
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": description.name, "labels": labels},
        "spec": {
            "template": {
                "metadata": {"labels": labels, "annotations": annotations},
                "spec": spec,
            },
        },
    }
