"""Packaging a service as a Docker image that builds without a network.

``plan`` checks a ``build`` request whole; ``requirements``, ``wheel``, ``target`` and ``wheelhouse``
make the wheelhouse and its hash lock for the base image's platform; ``dockerfile`` writes the
Dockerfile; ``engine``, ``pull`` and ``image`` build and push through the Docker engine. Nothing
here imports the docker SDK until the engine is asked something, nor Flask until a script's
handlers are looked for.
"""
from __future__ import annotations
