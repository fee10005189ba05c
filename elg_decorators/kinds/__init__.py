"""The kinds of ELG request and response, each described once, and the description of a service's endpoints.

* :mod:`.requests`: :class:`RequestKind` rows of the :data:`REQUEST_KINDS` table (``text``,
  ``structuredText``, ``audio``, ``image``).
* :mod:`.responses`: :class:`ResponseKind` rows of the :data:`RESPONSE_KINDS` table (``annotations``,
  ``classification``, ``texts``, ``audio``).
* :mod:`.returns`: what a handler's return annotation declares.
* :mod:`.endpoints`: :class:`Endpoint`, what a service serves on each path, and the one definition of
  the URL-variable syntax (:func:`url_variables`).

This layer knows the models, not Flask: the registry, the services, the OpenAPI
document, ``deploy`` and the test client all read it.
"""
from __future__ import annotations

from .endpoints import NO_DEFAULT as NO_DEFAULT
from .endpoints import Endpoint as Endpoint
from .endpoints import EndpointHandler as EndpointHandler
from .endpoints import Parameter as Parameter
from .endpoints import ParameterSource as ParameterSource
from .endpoints import UrlVariable as UrlVariable
from .endpoints import fill_path as fill_path
from .endpoints import url_variables as url_variables
from .requests import REQUEST_KINDS as REQUEST_KINDS
from .requests import RawBody as RawBody
from .requests import RequestKind as RequestKind
from .requests import RequestKinds as RequestKinds
from .responses import RESPONSE_KINDS as RESPONSE_KINDS
from .responses import ResponseKind as ResponseKind
from .responses import ResponseKinds as ResponseKinds
from .returns import DeclaredReturn as DeclaredReturn
from .returns import declared_return as declared_return
from .share import JSON_TEXT as JSON_TEXT
from .share import ShareResource as ShareResource

__all__ = [
    "JSON_TEXT",
    "NO_DEFAULT",
    "REQUEST_KINDS",
    "RESPONSE_KINDS",
    "DeclaredReturn",
    "Endpoint",
    "EndpointHandler",
    "Parameter",
    "ParameterSource",
    "RawBody",
    "RequestKind",
    "RequestKinds",
    "ResponseKind",
    "ResponseKinds",
    "ShareResource",
    "UrlVariable",
    "declared_return",
    "fill_path",
    "url_variables",
]
