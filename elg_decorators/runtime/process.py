"""Which process this is, cheaply: a number that changes in every child after a fork.

Per-process state (resources started, the metrics flusher, the request-id prefix) compares a
stored generation with :data:`generation` rather than asking the kernel for its pid on every
request.
"""
from __future__ import annotations

import itertools
import os
import re

#: Incremented in the child after every ``os.fork()`` (gunicorn forks its workers).
generation = 0

_id_prefix = os.urandom(6).hex()
_id_counter = itertools.count(1)


#: The header a request id comes in and goes back in.
REQUEST_ID_HEADER = "X-Request-ID"
# What a client's id may be: it goes into log lines and back into a response header as it is.
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def new_request_id() -> str:
    """A request id unique to this process and this request: 24 hex digits (a random prefix drawn
    for each process, forks included, then a counter: cheaper than a uuid4 each)."""
    return f"{_id_prefix}{next(_id_counter):012x}"


def accepted_request_id(sent: str | None) -> str | None:
    """A client's ``X-Request-ID`` if it is well formed (letters, digits, ``._:/+=@-``, at most 128), else None."""
    return sent if sent and _ACCEPTED_REQUEST_ID.fullmatch(sent) else None


def _after_fork_in_child() -> None:
    global generation, _id_prefix, _id_counter
    generation += 1
    _id_prefix = os.urandom(6).hex()  # a child must not repeat its parent's (or a sibling's) ids
    _id_counter = itertools.count(1)


if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
    os.register_at_fork(after_in_child=_after_fork_in_child)
