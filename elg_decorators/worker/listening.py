"""The master's listening sockets, made once and at once: a port that cannot be had is one line.

gunicorn tries each address five times, a second apart, logging each failure, then exits
with "Can't connect to ('127.0.0.1', 8000)". A service binds before it loads (a model may
take minutes to load: the port is checked first), makes no second attempt, and says what
to change.
"""
from __future__ import annotations

import errno
import os
import socket
from typing import Any

from gunicorn import sock

from ..errors import ElgDecoratorsError

#: Environment variables through which a listening socket is inherited (systemd, gunicorn's re-exec).
INHERITED_SOCKETS = ("LISTEN_FDS", "GUNICORN_FD")


class CannotListen(ElgDecoratorsError):
    """An address to serve on cannot be listened on; the message says why and what to change."""


def listen(cfg: Any, log: Any) -> list[Any]:
    """gunicorn listeners bound to each address of ``cfg`` (none if sockets are inherited).

    :raises CannotListen: at the first address that cannot be bound, naming it and the fix.
    """
    if any(os.environ.get(name) for name in INHERITED_SOCKETS) or cfg.reuse_port:
        return []  # gunicorn's own way: inherited sockets, or one socket per worker
    listeners: list[Any] = []
    for address in cfg.address:
        try:
            listeners.append(sock._sock_type(address)(address, cfg, log))
        except OSError as exc:
            for listener in listeners:
                listener.close()
            raise CannotListen(cannot_listen(address, exc)) from None
    return listeners


def cannot_listen(address: Any, error: OSError) -> str:
    """Why ``address`` (``(host, port)`` or a socket path) cannot be listened on, and what to do, in one line."""
    if not isinstance(address, tuple):
        return f"cannot listen on {address}: {error.strerror or error}"
    host, port = address[0], address[1]
    other = f"--port {port + 1 if port < 65535 else 8000}, PORT={port + 1 if port < 65535 else 8000}"
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} is already in use on {host}: stop the program listening there, "
                f"or choose another port ({other}, or serve(port=...) in a script)")
    if error.errno == errno.EACCES:
        return (f"no permission to listen on port {port} of {host} (ports below 1024 need privileges): "
                f"choose another port ({other}, or serve(port=...) in a script)")
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return (f"cannot listen on {host}: it is not an address of this machine ({error.strerror or error}); "
                "choose another host (--host 127.0.0.1 or HOST=127.0.0.1 for this machine only, 0.0.0.0 for all)")
    return f"cannot listen on {host}:{port}: {error.strerror or error}"
