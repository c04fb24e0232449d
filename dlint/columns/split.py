"""Two halves of a check run side by side, the second in a forked copy of the process.

A fork shares the decoded file with the child for free (copy-on-write), where handing it to a worker
process would mean serialising it. It is used only where it is safe and worth it: on Linux, from the
only thread of the process, for big enough work. Anywhere else, or when the fork fails, both halves
run here, one after the other. The child answers through a pipe with its data, or with nothing; a
child that fails or dies answers nothing (the file is then decoded in one process, or read whole).
Work made of many jobs of unequal cost (the visual report's drawings) is shared out one job at a
time instead (:func:`share_out`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Protocol


class Pending(Protocol):
    """The answer of work begun by :func:`start` (call it exactly once): its bytes, or None when it
    gave none (it failed, or its process died). With ``abandon``, the answer is no longer wanted: a
    child is stopped at once."""

    def __call__(self, *, abandon: bool = False) -> bytes | None: ...


#: Children that had answered, or were stopped, but had not yet exited when their pipe closed. Their
#: exit (the kernel freeing their memory) takes about a hundredth of a second, which nobody needs to
#: wait for: they are reaped at the next fork, or when the process exits.
_exiting: list[int] = []


def can_fork() -> bool:
    """Whether forking is safe here: Linux, and no other thread (a server, say) that a fork would copy
    in the middle of its work."""
    return (
        sys.platform == "linux"
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
    )


def start(work: Callable[[], bytes | None], *, fork: bool) -> Pending:
    """Begin ``work`` in a forked child when ``fork`` is set and :func:`can_fork` allows it, and return
    the function that waits for its answer (a child that fails or dies answers None). Without a
    fork, ``work`` runs when its answer is asked for, unless it is abandoned."""

    def later(*, abandon: bool = False) -> bytes | None:
        return None if abandon else work()

    if not (fork and can_fork()):
        return later
    reap()
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return later
    if pid == 0:  # the child: answer and leave at once (no exit handlers, no buffers of the parent's)
        try:
            os.close(reader)
            try:
                answer = work()
                message = b"0" if answer is None else b"1" + answer
            except BaseException:
                message = b"0"
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(message)
        finally:
            os._exit(0)  # whatever happened, the child never returns into its caller
    os.close(writer)

    def wait(*, abandon: bool = False) -> bytes | None:
        if abandon:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        try:
            with os.fdopen(reader, "rb") as pipe:
                message = pipe.read()  # until the child closes its end: it has answered, or died
        finally:
            _exiting.append(pid)
            reap()
        return message[1:] if message[:1] == b"1" and not abandon else None

    return wait


def reap(*, block: bool = False) -> None:
    """Reap the children that have exited since they answered (with ``block``, wait for all of them)."""
    for pid in list(_exiting):
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere already
            done = pid
        if done:
            _exiting.remove(pid)


atexit.register(reap, block=True)


#: Jobs shared out by :func:`share_out` at most (their numbers must all fit in a pipe's buffer).
MAX_SHARED = 4096
_TOKEN = 4  # bytes of a job's number in the pipe


def share_out(
    count: int, do: Callable[[int], bytes], meanwhile: Callable[[], None], *, fork: bool
) -> list[bytes]:
    """``[do(0), ..., do(count - 1)]``, shared with a forked child when ``fork`` is set and
    :func:`can_fork` allows it: the job numbers wait in a pipe, the child takes them one at a time
    from the start while this process first runs ``meanwhile()`` and then takes its turns too, so
    that both finish together whatever each job costs. A job the child took but did not answer (it
    failed or died) is done here. Without a fork, ``meanwhile()`` then every job run here."""
    if not (fork and can_fork()) or count < 2 or count > MAX_SHARED:
        meanwhile()
        return [do(index) for index in range(count)]
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(index.to_bytes(_TOKEN, "little") for index in range(count)))
    finally:
        os.close(writer)  # (the queue ends where the numbers end: a read then finds nothing)

    def turns() -> dict[int, bytes]:
        done = {}
        while len(token := os.read(reader, _TOKEN)) == _TOKEN:  # (a read of a few bytes is atomic)
            index = int.from_bytes(token, "little")
            done[index] = do(index)
        return done

    def theirs() -> bytes:
        return b"".join(
            len(answer).to_bytes(8, "little") + index.to_bytes(_TOKEN, "little") + answer
            for index, answer in turns().items()
        )

    pending = None
    try:
        pending = start(theirs, fork=True)
        meanwhile()
        found = turns()
        answer = pending() or b""
        pending = None
    finally:
        if pending is not None:  # this process failed: the child's work is moot
            pending(abandon=True)
        os.close(reader)
    at = 0
    while at + 8 + _TOKEN <= len(answer):  # (a record cut short, by a child dying as it wrote, is not read)
        size = int.from_bytes(answer[at : at + 8], "little")
        index = int.from_bytes(answer[at + 8 : at + 8 + _TOKEN], "little")
        at += 8 + _TOKEN
        if at + size > len(answer) or index >= count:
            break
        found[index] = answer[at : at + size]
        at += size
    return [found[index] if index in found else do(index) for index in range(count)]
