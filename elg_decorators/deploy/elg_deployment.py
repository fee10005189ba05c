"""``elg-deployment.yaml``: what ELG's operators need to run the service as an ELG-hosted service."""
from __future__ import annotations

from typing import Any

from .description import ServiceDescription

__all__ = ["elg_deployment"]


def elg_deployment(description: ServiceDescription) -> dict[str, Any]:
    """The image, its memory limit and how it scales.

    ``scalability`` says whether more than one replica may run; ``minScale`` 0 lets
    the platform stop the service while nobody calls it.
    """
    return {
        "image": description.image,
        "limits_memory": description.memory,
        "scalability": description.max_scale > 1,
        "minScale": description.min_scale,
        "maxScale": description.max_scale,
    }
