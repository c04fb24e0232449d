"""How much work runs at once, for how long, and for whom.

Checks and fixes run in two lanes, chosen by upload size, so that a small upload never waits behind
large ones: each lane runs a bounded number of jobs at once and lets a bounded number wait (first
come, first served); a request that finds its lane's queue full gets 503 at once, with
``Retry-After``. Each request has a time budget, waiting included: over it, its job is stopped and
it gets 503 (still waiting) or 504 (running). A request whose client hangs up is stopped too.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from starlette.requests import Request

from dlint.limits import Limits
from dlint.server import workers
from dlint.server.problems import Problem
from dlint.server.settings import ServerSettings

T = TypeVar("T")
#: Seconds a client is told to wait before it tries again after a 503.
RETRY_AFTER = 5


@dataclass
class Lane:
    """Up to ``slots`` jobs at once, up to ``queue`` more waiting."""

    slots: int
    queue: int
    waiting: int = 0
    _free: anyio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._free = anyio.Semaphore(self.slots)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot of the lane; 503 when none is free and the queue is full."""
        if self._free.value == 0 and self.waiting >= self.queue:
            raise busy("every slot is taken and the queue is full")
        self.waiting += 1
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()


@dataclass
class Lanes:
    """The lane of small uploads and the lane of the others."""

    small: Lane
    large: Lane
    small_size: int

    @classmethod
    def of(cls, settings: ServerSettings) -> Lanes:
        return cls(
            Lane(settings.small_jobs, settings.queue),
            Lane(settings.jobs, settings.queue),
            settings.small_size,
        )

    def for_size(self, size: int) -> Lane:
        return self.small if size <= self.small_size else self.large


def busy(why: str) -> Problem:
    detail = f"the service is busy ({why}); try again in {RETRY_AFTER} s"
    return Problem(
        503, "busy", detail, extra={"retry_after": RETRY_AFTER}, headers={"Retry-After": str(RETRY_AFTER)}
    )


def over_budget(budget: float) -> Problem:
    detail = f"the check did not end within the time budget of {budget:g} s, and was stopped"
    return Problem(504, "time-budget-exceeded", detail, extra={"budget": budget})


async def bounded(
    request: Request, lane: Lane, limits: Limits, budget: float, function: Callable[..., T], *args: Any
) -> T:
    """``function(*args)`` in a worker process, in a slot of ``lane``, within ``budget`` seconds;
    stopped when the client hangs up (400 ``client-disconnected``, which nobody reads)."""
    running = False
    failure: Exception | None = None
    result: list[T] = []
    async with anyio.create_task_group() as group:
        group.start_soon(_hang_up, request, group.cancel_scope)
        with anyio.move_on_after(budget) as deadline:
            try:
                async with lane.slot():
                    running = True
                    result.append(await workers.run(limits, function, *args))
            except Exception as exc:  # raised out of the task group, not wrapped in a group
                failure = exc
        group.cancel_scope.cancel()
    if failure is not None:
        raise failure
    if result:
        return result[0]
    if deadline.cancelled_caught:
        raise over_budget(budget) if running else busy(f"no slot was free within {budget:g} s")
    raise Problem(400, "client-disconnected", "the client went away before the answer")


async def _hang_up(request: Request, scope: anyio.CancelScope) -> None:
    """Cancel ``scope`` when the client disconnects (the body has been read: the next message the
    server sends is the disconnection)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
