"""Which process this is, cheaply: a number that changes in every child after a fork.

Per-process state (resources started, the metrics flusher, the request-id prefix) compares a
stored generation with :data:`generation` rather than asking the kernel for its pid on every
request.
"""
from __future__ import annotations

import itertools
import os

#: Incremented in the child after every ``os.fork()`` (gunicorn forks its workers).
generation = 0

_id_prefix = os.urandom(6).hex()
_id_counter = itertools.count(1)


def new_request_id() -> str:
    """A request id unique to this process and this request: 24 hex digits."""
    return f"{_id_prefix}{next(_id_counter):012x}"


def _after_fork_in_child() -> None:
    global generation, _id_prefix, _id_counter
    generation += 1
    _id_prefix = os.urandom(6).hex()  # a child must not repeat its parent's (or a sibling's) ids
    _id_counter = itertools.count(1)


if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
    os.register_at_fork(after_in_child=_after_fork_in_child)
