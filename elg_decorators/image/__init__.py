"""Packaging a service as a Docker image that builds without a network.

``sources`` keeps the build folder (``.elg-build/<script name>/`` by default) and the copies of the
service's files in it; ``requirements``, ``wheel``, ``target`` and ``wheelhouse`` make the
wheelhouse and its hash lock for the base image's platform; ``dockerfile`` writes the Dockerfile;
``engine``, ``pull``, ``context_archive``, ``leftovers`` and ``image`` build and push through the
Docker engine. ``extra`` names what only building and deploying need (the ``build`` extra). Nothing
here imports the docker SDK until the engine is asked something, nor Flask until a script's
handlers are looked for.
"""
from __future__ import annotations
