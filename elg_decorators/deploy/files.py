"""The four files ``deploy`` writes: rendered whole in memory first, then written."""
from __future__ import annotations

import os
from pathlib import Path

from ..settings import TRY_PAGE
from .description import ServiceDescription
from .elg_deployment import elg_deployment
from .inputs import DeployError
from .knative import knative_service
from .kubernetes import header_comments, kubernetes_objects
from .metadata import metadata_record
from .yaml_files import dump_documents

__all__ = ["KNATIVE_FILE", "KUBERNETES_FILE", "ELG_DEPLOYMENT_FILE", "METADATA_FILE", "render_files", "write_files"]

KNATIVE_FILE = "knative-service.yaml"
KUBERNETES_FILE = "kubernetes.yaml"
ELG_DEPLOYMENT_FILE = "elg-deployment.yaml"
METADATA_FILE = "elg-metadata.xml"
#: How the manifests say to turn the try-out page off in production.
TRY_PAGE_COMMENT = (f"The try-out page (GET /try) is on; add {TRY_PAGE.env}=0 to the container's env to turn it "
                    "off in production.")


def render_files(description: ServiceDescription) -> dict[str, bytes]:
    """Each file's name and bytes; the same description always gives the same bytes."""
    return {
        KNATIVE_FILE: dump_documents([knative_service(description)], [TRY_PAGE_COMMENT]),
        KUBERNETES_FILE: dump_documents(kubernetes_objects(description),
                                        [*header_comments(description), TRY_PAGE_COMMENT]),
        ELG_DEPLOYMENT_FILE: dump_documents([elg_deployment(description)]),
        METADATA_FILE: metadata_record(description),
    }


def check_output_folder(folder: Path) -> None:
    """Refuse a folder that cannot hold the files, before anything is written."""
    for existing in [folder, *folder.parents]:
        if existing.exists():
            if not existing.is_dir():
                raise DeployError(f"--output {str(folder)!r} cannot be a folder: {str(existing)!r} is a file")
            if not os.access(existing, os.W_OK):
                raise DeployError(f"--output {str(folder)!r}: cannot write into {str(existing)!r}")
            return


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` into ``folder`` (created if missing), each replaced whole; return their paths."""
    check_output_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = folder / name
        partial = folder / f".{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, target)
        written.append(target)
    return written
