"""WSGI entry points for running a service under any WSGI server.

.. code-block:: console

    gunicorn "elg_decorators.wsgi:load_app('my_service.py')"
    ELG_SERVICE=my_service.py gunicorn elg_decorators.wsgi:app
"""
from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask

from .discovery import load_service
from .errors import ServiceLoadError
from .logs import configure_logging
from .worker.hooks import prepare_master

SERVICE_ENV = "ELG_SERVICE"


def load_app(target: str | None = None) -> Flask:
    """The application serving ``target`` (a script path or module; default ``$ELG_SERVICE``)."""
    target = target or os.environ.get(SERVICE_ENV)
    if not target:
        raise ServiceLoadError(f"name the service: load_app('my_service.py') or {SERVICE_ENV}=my_service.py")
    configure_logging()
    app = load_service(target).app()
    prepare_master(app)  # shared resources: once before the fork with --preload, else in each worker
    # Everything loaded so far (modules, models, schemas) lives as long as the process: keep the
    # cyclic garbage collector from scanning it again on every collection a large request triggers.
    gc.freeze()
    return app


def __getattr__(name: str) -> Any:
    if name in ("app", "application"):
        return load_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
