"""Giving the memory a large request took back to the system once it is answered.

glibc's ``malloc`` keeps what a request freed in its heaps rather than returning it, and
after the first large block freed it raises its mmap threshold, so later large blocks come
from those heaps too. A worker that answered a few large uploads then looks, by its resident
size, as if it leaked, and ``MAX_WORKER_MEMORY`` would replace a healthy worker. Two remedies,
both for glibc only (elsewhere, musl or macOS, nothing is done):

* :func:`map_large_blocks`, once per worker process: blocks of :data:`MAP_THRESHOLD` bytes
  or more are mapped each on its own and unmapped when freed, in every thread. This is what
  returns a handler thread's memory: the heaps of threads other than the main one are
  shrunk only when a free leaves more than the trim threshold at their top, which
  ``malloc_trim`` does not change.
* :func:`after_request`, after a request with a large body: ``malloc_trim(0)`` hands back the
  free pages of every heap, and the top of the main thread's heap.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any

#: A request whose body was larger than this (bytes) is followed by :func:`release_freed_memory`.
TRIM_AFTER = 1024 * 1024
#: Blocks at least this large are mapped on their own once :func:`map_large_blocks` ran: a large
#: body's bytes, its decoded text, never the small and mid-sized blocks of every request.
MAP_THRESHOLD = 4 * 1024 * 1024
#: ``mallopt``'s parameter for the mmap threshold (``M_MMAP_THRESHOLD`` in glibc's ``malloc.h``).
_M_MMAP_THRESHOLD = -3

_UNSET: Any = object()
_libc: Any = _UNSET


def _glibc() -> Any | None:
    """The C library, if it is glibc (loaded once)."""
    global _libc
    if _libc is _UNSET:
        _libc = None
        try:
            if os.confstr("CS_GNU_LIBC_VERSION"):  # glibc answers "glibc 2.36"; others raise or give nothing
                libc = ctypes.CDLL(None)  # the process's own symbols: glibc is loaded already
                libc.malloc_trim.argtypes = [ctypes.c_size_t]
                libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
                _libc = libc
        except (ValueError, OSError, AttributeError):
            pass
    return _libc


def map_large_blocks(threshold: int = MAP_THRESHOLD) -> bool:
    """Have glibc map every block of ``threshold`` bytes or more on its own, and unmap it when it is
    freed, in every thread (this also stops glibc raising the threshold by itself). Call once in a
    worker process before it serves; False where there is no glibc or it refused."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold))


def release_freed_memory() -> bool:
    """Return the free memory of glibc's heaps to the system; False where there is no glibc.

    Costs a walk over the heaps (milliseconds for hundreds of MB), so it is meant for after
    large requests (:func:`after_request`), not every request. Safe from any thread; the GIL is
    released meanwhile.
    """
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def after_request(body_size: int) -> bool:
    """Call once a request is answered and its objects are gone: if its body was larger than
    :data:`TRIM_AFTER` bytes, release the memory reading it took (see :func:`release_freed_memory`).

    Returns whether memory was released.
    """
    return body_size > TRIM_AFTER and release_freed_memory()
