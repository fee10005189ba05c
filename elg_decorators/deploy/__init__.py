"""Deploying a service: Knative and Kubernetes manifests, ELG's deployment file and metadata record.

The builders take a plain :class:`~elg_decorators.deploy.description.ServiceDescription`;
only the ``deploy`` command (:mod:`elg_decorators.cli.deploy`) loads a script, and with it
Flask, to fill one in.
"""
from __future__ import annotations
