"""The ``build`` extra: what only ``build`` and ``deploy`` need, kept out of the service's image.

A service's image installs the framework's run-time requirements (Flask, gunicorn, pydantic …);
the docker SDK (with requests, urllib3, certifi, charset-normalizer and idna) and PyYAML come with
``pip install 'elg_decorators[build]'`` on the machine that builds and deploys.
"""
from __future__ import annotations

from importlib.util import find_spec

from ..errors import BuildError

__all__ = ["EXTRA_INSTALL", "EXTRA_MODULES", "extra_error", "missing_extra", "require_extra"]

#: How to install the extra.
EXTRA_INSTALL = "pip install 'elg_decorators[build]'"
#: The modules of the extra, and the distributions that provide them.
EXTRA_MODULES = {"docker": "the docker SDK", "yaml": "PyYAML"}


def extra_error(command: str, modules: tuple[str, ...]) -> BuildError:
    """The one-line error saying that ``command`` needs ``modules`` (keys of :data:`EXTRA_MODULES`).

    :param command: what needs them, as the message names it (``"build"``, ``"deploy"``).
    """
    names = [EXTRA_MODULES[name] for name in modules]
    verb = "is" if len(names) == 1 else "are"
    return BuildError(f"{command} needs {' and '.join(names)}, which {verb} not installed here: {EXTRA_INSTALL}")


def missing_extra(command: str, modules: tuple[str, ...]) -> BuildError | None:
    """:func:`extra_error` for those of ``modules`` that are not installed; None when all are."""
    missing = tuple(name for name in modules if find_spec(name) is None)
    return extra_error(command, missing) if missing else None


def require_extra(command: str, *modules: str) -> None:
    """Raise the one-line :class:`~elg_decorators.errors.BuildError` of :func:`missing_extra`, if any."""
    error = missing_extra(command, modules)
    if error is not None:
        raise error
