"""Packaging a service as a Docker image: requirements, Dockerfile, build and push.

Nothing here imports the docker SDK until an image is actually built or pushed.
"""
from __future__ import annotations
