"""Load one benchmark app and send it COUNT requests of SCENARIO in-process, through WSGI.

Used by ``instructions.py`` under valgrind: ``python wsgi_driver.py APP SCENARIO COUNT``.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "apps"), str(HERE)]

import scenarios  # noqa: E402 - after the path is set

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def load(app: str) -> WSGIApp:
    if app == "ours":
        from elg_decorators import wsgi

        loader = getattr(wsgi, "load_app", None) or wsgi.create_app  # older versions: create_app
        return loader(str(HERE / "apps" / "ours_app.py"))  # type: ignore[no-any-return]
    return __import__(f"{app}_app").app  # type: ignore[no-any-return]


def call(app: WSGIApp, scenario: scenarios.Scenario) -> int:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/process", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(scenario.body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "CONTENT_TYPE": scenario.content_type, "CONTENT_LENGTH": str(len(scenario.body)),
        "HTTP_ACCEPT": scenario.accept,
    }
    statuses: list[str] = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    size = sum(len(chunk) for chunk in body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    if not statuses[0].startswith(("200", "400")):
        raise RuntimeError(f"{statuses[0]}: a benchmark request failed")
    return size


def main() -> None:
    app_name, scenario_name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    app = load(app_name)
    scenario = scenarios.build([scenario_name])[0]
    for _ in range(count):
        call(app, scenario)


if __name__ == "__main__":
    main()
