"""Checks and fixes in worker processes that can be stopped.

A check is CPU work in the engine: a thread running it cannot be stopped, and the engine forks its
own helpers only from a process's only thread. So each check or fix runs in a process of its own,
forked from a process server (multiprocessing's ``forkserver``: one single-threaded process started
with the server, with the engine already imported, so a fork costs milliseconds). Each worker leads
a process group of its own: when a request's client goes away or its time budget runs out, the whole
group is killed (the worker and any copy of it the engine forked), and the CPU work stops at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from dlint.limits import Limits
from dlint.server.problems import Problem

T = TypeVar("T")
#: What the process server imports once, for every worker it forks.
PRELOAD = ["dlint.server.jobs"]
_CONTEXT = multiprocessing.get_context("forkserver")


class WorkerError(RuntimeError):
    """A worker that failed (an unexpected exception in it) or died without answering."""


def warm() -> None:
    """Start the process server now rather than at the first request."""
    _CONTEXT.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()


async def run(limits: Limits, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker process under ``limits``: its value, or the problem it raised.
    Cancelled, the worker and what it forked are killed."""
    reader, writer = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_work, args=(writer, limits, function, args), daemon=True)
    try:
        process.start()
    finally:
        writer.close()
    try:
        await anyio.wait_readable(reader.fileno())
        try:
            outcome = reader.recv()
        except EOFError:
            outcome = ("error", f"the worker process ended with {process.exitcode or 'a signal'}")
    except BaseException:
        stop(process.pid)
        raise
    finally:
        reader.close()
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(process.join, 30)
    answer: T = _answer(outcome)
    return answer


def stop(pid: int | None) -> None:
    """Kill a worker's process group (itself and its forks), or the worker alone if it has not yet
    made its group."""
    if pid is None:
        return
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(target, signal.SIGKILL)


def _answer(outcome: tuple[Any, ...]) -> Any:
    kind, *rest = outcome
    if kind == "ok":
        return rest[0]
    if kind == "problem":
        status, slug, detail, extra, headers = rest
        raise Problem(status, slug, detail, extra=extra, headers=headers)
    raise WorkerError(rest[0])


def _work(writer: Connection, limits: Limits, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The worker: lead a process group, run the function, send the outcome."""
    os.setpgid(0, 0)
    from dlint import limits as run_limits
    from dlint import memory

    memory.exits_when_done()  # the worker exits when done: its memory goes with it
    run_limits.activate(limits)
    outcome: tuple[Any, ...]
    try:
        outcome = ("ok", function(*args))
    except Problem as exc:
        outcome = ("problem", exc.status, exc.slug, exc.detail, exc.extra, exc.headers)
    except Exception as exc:  # reported to the server, which answers 500 and logs one line
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    with writer:
        writer.send(outcome)
