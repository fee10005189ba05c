"""The kinds of ELG request, each described once, and the syntax of URL variables in a path.

* :mod:`.requests`: :class:`RequestKind` rows of the :data:`REQUEST_KINDS` table (``text``,
  ``structuredText``, ``audio``, ``image``).
* :mod:`.endpoints`: the one definition of the URL-variable syntax (:func:`url_variables`).

This layer knows the models, not Flask: the registry, the services, the OpenAPI
document, ``deploy`` and the test client all read it.
"""
from __future__ import annotations

from .endpoints import UrlVariable as UrlVariable
from .endpoints import fill_path as fill_path
from .endpoints import url_variables as url_variables
from .requests import REQUEST_KINDS as REQUEST_KINDS
from .requests import RawBody as RawBody
from .requests import RequestKind as RequestKind
from .requests import RequestKinds as RequestKinds

__all__ = [
    "REQUEST_KINDS",
    "RawBody",
    "RequestKind",
    "RequestKinds",
    "UrlVariable",
    "fill_path",
    "url_variables",
]
