"""``python -m elg_decorators serve``: serve a script's or module's handlers with gunicorn."""
from __future__ import annotations

import argparse

from ..settings import LOG_LEVELS, ServerSettings

SERVE_EXAMPLES = """\
examples:
  python -m elg_decorators serve my_service.py
  python -m elg_decorators serve my_service.py --port 8080 --workers 4 --timeout 120
  PORT=9000 WORKERS=2 python -m elg_decorators serve my_package.ner

Options left out come from the environment (HOST, PORT, WORKERS, THREADS, TIMEOUT,
GRACEFUL_TIMEOUT, REQUEST_TIMEOUT, WORKER_CLASS, LOG_LEVEL), else the defaults shown;
READ_TIMEOUT, KEEPALIVE, MAX_QUEUE, MAX_REQUESTS and MAX_WORKER_MEMORY come from the
environment only (see the README's "Deployment").
"""


def add_serve_parser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a script's or module's handlers with gunicorn",
        description="Serve the ELG handlers that a script or module defines, under gunicorn.",
        epilog=SERVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", help="the service: a path to a .py script or a module name")
    defaults = ServerSettings()
    parser.add_argument("--host", help=f"interface to bind (default {defaults.host})")
    parser.add_argument("--port", type=int, help=f"port to bind (default {defaults.port})")
    parser.add_argument("--workers", type=int, help=f"worker processes (default {defaults.workers})")
    parser.add_argument("--threads", type=int,
                        help=f"threads per worker (default {defaults.threads}; 1 with --worker-class sync)")
    parser.add_argument("--timeout", type=int,
                        help=f"seconds before a silent worker is replaced (default {defaults.timeout})")
    parser.add_argument("--graceful-timeout", type=int,
                        help=f"seconds requests in flight get after SIGTERM (default {defaults.graceful_timeout})")
    parser.add_argument("--request-timeout", type=int,
                        help=f"seconds a request may take, 0 for no limit (default {defaults.request_timeout})")
    parser.add_argument("--worker-class", help=f"gunicorn worker class (default {defaults.worker_class})")
    parser.add_argument("--log-level", help=f"{', '.join(LOG_LEVELS)} (default {defaults.log_level})")
    parser.add_argument("--reload", action="store_true", help="restart workers when source files change")
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from ..server import serve

    serve(
        args.target, host=args.host, port=args.port, workers=args.workers, threads=args.threads,
        timeout=args.timeout, graceful_timeout=args.graceful_timeout, request_timeout=args.request_timeout,
        worker_class=args.worker_class, log_level=args.log_level, reload=args.reload,
    )
    return 0
