"""The try-out page: ``GET /try``, a form per endpoint that calls the service and shows its answers.

The page is one HTML file, one style sheet and one script, shipped in the
package (no CDN, no build step). It reads ``GET /try/endpoints.json``, which
:mod:`.description` builds from the service's description of its endpoints,
and calls only the service's own POST paths. Every answer carries a strict
``Content-Security-Policy``. ``TRY_PAGE=0`` turns it off.
"""
from __future__ import annotations

from .description import describe as describe
from .routes import CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY
from .routes import TRY_PATH as TRY_PATH
from .routes import install_try_page as install_try_page
