"""The GET routes of the try-out page, each answer with a strict Content-Security-Policy."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from collections.abc import Callable, Sequence

from flask import Flask, Response

from ..kinds import Endpoint
from .description import describe

#: Where the page is served; its files and the description of the endpoints are below it.
TRY_PATH = "/try"

#: Only the page's own files run and style it; it may call only its own origin; nothing may frame it.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
#: The page's files, under ``static/`` in the package, and their content types.
_FILES = {
    "try.html": "text/html; charset=utf-8",
    "try.css": "text/css; charset=utf-8",
    "try.js": "text/javascript; charset=utf-8",
}


@cache
def _read(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


def _answer(body: bytes | str, content_type: str) -> Response:
    return Response(body, status=200, content_type=content_type, headers=dict(_HEADERS))


def _file_view(name: str) -> Callable[[], Response]:
    def view() -> Response:
        return _answer(_read(name), _FILES[name])
    return view


def install_try_page(app: Flask, name: str, endpoints: Callable[[], Sequence[Endpoint]]) -> None:
    """Add ``GET /try``, its files and ``GET /try/endpoints.json`` to ``app``, unless it answers them itself.

    ``endpoints`` is called when the description is first asked for, once the service has all its paths.
    """
    taken = {rule.rule for rule in app.url_map.iter_rules()}
    description: list[bytes] = []

    def page() -> Response:
        return _answer(_read("try.html"), _FILES["try.html"])

    def endpoints_json() -> Response:
        if not description:
            description.append(json.dumps(describe(name, endpoints()), ensure_ascii=False).encode())
        return _answer(description[0], "application/json")

    routes: list[tuple[str, str, Callable[[], Response]]] = [
        (TRY_PATH, "try_page", page), (f"{TRY_PATH}/endpoints.json", "try_endpoints", endpoints_json),
    ]
    routes += [(f"{TRY_PATH}/{file_name}", f"try_{file_name}", _file_view(file_name))
               for file_name in _FILES if file_name != "try.html"]
    for path, endpoint, view in routes:
        if path not in taken:
            app.add_url_rule(path, endpoint, view, methods=["GET"], provide_automatic_options=False)
