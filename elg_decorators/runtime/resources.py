"""Resources created once per process: a model, a tokenizer, a connection pool.

A resource is a function whose return value (or first yielded value) handlers receive as the
argument of the same name. Per-worker resources are created in a background thread of each worker
process, so that the worker answers liveness probes meanwhile; shared resources are created once in
the server's master process before it forks its workers, which then share its memory pages
copy-on-write. The code after a generator's ``yield`` runs when the process that created the
resource exits. Async resources are created and cleaned up on the process's event loop
(:mod:`elg_decorators.protocol.event_loop`), which runs the async handlers too.
"""
from __future__ import annotations

import atexit
import inspect
import os
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from typing import Any

from ..errors import ProcessingError
from ..logger import logger
from ..model.status import StatusMessage
from ..protocol import event_loop
from ..settings import RETRY_AFTER_SECONDS
from . import process

#: The failure code of a request the service cannot answer yet (or any more): not a standard ELG code.
UNAVAILABLE_CODE = "elg.service.unavailable"

PENDING, CREATING, READY, FAILED = "pending", "creating", "ready", "failed"


def unavailable(reason: str, *, retry_after: int | None = RETRY_AFTER_SECONDS) -> ProcessingError:
    """503 ``elg.service.unavailable`` saying why, with ``Retry-After`` when trying again may help."""
    message = StatusMessage(code=UNAVAILABLE_CODE, text="Service unavailable: {0}", params=[reason])
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ProcessingError(message, status=503, headers=headers)


class Resource:
    """One named resource, its state in this process, and how to tear it down.

    :param factory: a function (or generator function; async ones too) taking no argument.
    :param shared: create it in the master process before the workers are forked.
    """

    def __init__(self, factory: Callable[[], Any], *, shared: bool = False) -> None:
        self.factory = factory
        self.name: str = factory.__name__
        self.shared = shared
        self.state = PENDING
        self.value: Any = None
        self.error: BaseException | None = None
        #: Seconds its creation took (None until it ended).
        self.seconds: float | None = None
        self._lock = threading.Lock()
        self._finish: Callable[[], None] | None = None
        self._creator_pid: int | None = None
        #: Every POST waits for it, not only those whose handler names it (a classic service's setup).
        self.guards_every_request = False

    def current(self) -> Any:
        """The resource's value, or a 503 ProcessingError while it does not exist (for a request)."""
        if self.state is READY:
            return self.value
        if self.state is FAILED:
            raise unavailable(f"resource {self.name!r} could not be created: {describe_error(self.error)}",
                              retry_after=None)
        raise unavailable(f"resource {self.name!r} is still being created")

    def create(self) -> None:
        """Create the resource in this thread unless it exists (or failed) already; never raises."""
        with self._lock:
            if self.state in (READY, FAILED):
                return
            self.state = CREATING
            started = time.perf_counter()
            try:
                self.value, self._finish = _call_factory(self.factory)
            except BaseException as exc:  # noqa: B902 - a failed resource is reported, not fatal
                self.seconds = time.perf_counter() - started
                self.error = exc
                self.state = FAILED
                logger.error("resource %r could not be created (%s): %s; the service stays not ready",
                             self.name, _where(self.factory), describe_error(exc), exc_info=exc)
                if not isinstance(exc, Exception):
                    raise
                return
            self.seconds = time.perf_counter() - started
            self._creator_pid = os.getpid()
            self.state = READY
        logger.info("resource %r created in %.2fs%s", self.name, self.seconds, " (shared)" if self.shared else "")

    def tear_down(self) -> None:
        """Run the code after the generator's ``yield``, in the process that created it only."""
        finish, self._finish = self._finish, None
        if finish is None or self._creator_pid != os.getpid():
            return
        try:
            finish()
        except Exception:
            logger.exception("resource %r: its teardown (after yield) failed", self.name)

    def __repr__(self) -> str:
        return f"<Resource {self.name!r} {self.state}{' shared' if self.shared else ''}>"


def describe_error(error: BaseException | None) -> str:
    """``Type: message`` of an exception, for failures and logs."""
    if error is None:
        return "unknown error"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _where(func: Callable[..., Any]) -> str:
    code = getattr(func, "__code__", None)
    return f"{func.__qualname__} in {code.co_filename}:{code.co_firstlineno}" if code else repr(func)


def _call_factory(factory: Callable[[], Any]) -> tuple[Any, Callable[[], None] | None]:
    """The factory's value, and what finishes it (the rest of a generator), if anything.

    An async factory runs on the process's event loop, its clean-up too: what it creates (a
    session, a pool, a task) belongs to the loop that runs the async handlers.
    """
    if inspect.isasyncgenfunction(factory):
        agen: AsyncGenerator[Any, None] = factory()
        value = event_loop.run(agen.__anext__())
        return value, lambda: event_loop.run(_finish_async(agen))
    if inspect.iscoroutinefunction(factory):
        return event_loop.run(factory()), None
    if inspect.isgeneratorfunction(factory):
        generator: Iterator[Any] = factory()
        value = next(generator)

        def finish() -> None:
            next(generator, None)
            generator.close()  # type: ignore[attr-defined]

        return value, finish
    return factory(), None


async def _finish_async(agen: AsyncGenerator[Any, None]) -> None:
    """Run an async generator past its ``yield`` and close it."""
    try:
        await agen.__anext__()
    except StopAsyncIteration:
        return
    await agen.aclose()


class ResourceSet:
    """The resources a service uses, by name, and their creation in this process."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self._resources: dict[str, Resource] = {resource.name: resource for resource in resources}
        self._started_in: int | None = None  # the fork generation that started creation
        self._start_lock = threading.Lock()

    def add(self, resource: Resource) -> Resource:
        self._resources[resource.name] = resource
        return resource

    def get(self, name: str) -> Resource | None:
        return self._resources.get(name)

    def names(self) -> list[str]:
        return list(self._resources)

    def providers(self) -> dict[str, Callable[[], Any]]:
        """For each name, what gives the resource's value to a request (see :meth:`Resource.current`)."""
        return {name: resource.current for name, resource in self._resources.items()}

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self._resources.values()))

    def __len__(self) -> int:
        return len(self._resources)

    @property
    def ready(self) -> bool:
        """True when every resource exists in this process."""
        return all(resource.state is READY for resource in self._resources.values())

    def not_ready(self) -> list[Resource]:
        """The resources that do not exist (yet, or because their creation failed)."""
        return [resource for resource in self._resources.values() if resource.state is not READY]

    def create_shared(self) -> None:
        """Create the shared resources now, in this thread (the master, before it forks its workers)."""
        shared = [resource for resource in self if resource.shared]
        for resource in shared:
            resource.create()
        if shared:
            _tear_down_at_exit(shared)

    @property
    def started(self) -> bool:
        """True once :meth:`start` ran in this process."""
        return self._started_in == process.generation

    def start(self, on_created: Callable[[Resource], None] | None = None) -> threading.Thread | None:
        """Create every resource not created yet, in a background thread of this process (once per process).

        ``on_created`` is called with each resource this process created (for metrics). The code
        after the resources' ``yield`` is registered to run when this process exits.
        """
        with self._start_lock:
            if self.started:
                return None
            self._started_in = process.generation
        pending = [resource for resource in self if resource.state is PENDING]
        if not pending:
            return None
        _tear_down_at_exit(pending)

        def create_all() -> None:
            for resource in pending:
                resource.create()
                if on_created is not None:
                    on_created(resource)

        thread = threading.Thread(target=create_all, name="elg-resources", daemon=True)
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> bool:
        """Start creation if needed and wait until no resource is being created; True if all exist."""
        thread = self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        if thread is not None:
            thread.join(timeout)
        while any(resource.state in (PENDING, CREATING) for resource in self):
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return self.ready


def _tear_down_at_exit(resources: list[Resource]) -> None:
    """Tear ``resources`` down when this process exits, the last created first."""

    def tear_down_all() -> None:
        for resource in reversed(resources):
            resource.tear_down()

    atexit.register(tear_down_all)
