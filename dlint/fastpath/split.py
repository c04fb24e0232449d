"""Two halves of a check run side by side, the second in a forked copy of the process.

A fork shares the decoded file with the child for free (copy-on-write), where handing it to a worker
process would mean serialising it. It is used only where it is safe and worth it: on Linux, from the
only thread of the process, for big enough work. Anywhere else, or when the fork fails, both halves
run here, one after the other. The child answers with one byte; a child that dies answers nothing,
which counts as "not clean" (the file then takes the ordinary path).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

Check = Callable[[], bool]


def can_fork() -> bool:
    """Whether forking is safe here: Linux, and no other thread (a server, say) that a fork would copy
    in the middle of its work."""
    return (
        sys.platform == "linux"
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
    )


def both(first: Check, second: Check, *, fork: bool) -> bool:
    """``first() and second()``, with ``second`` in a forked child meanwhile when ``fork`` is set and
    :func:`can_fork` allows it."""
    if not (fork and can_fork()):
        return first() and second()
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return first() and second()
    if pid == 0:  # the child: answer and leave at once (no exit handlers, no buffers flushed)
        os.close(reader)
        try:
            answer = b"1" if second() else b"0"
        except BaseException:
            answer = b"0"
        os.write(writer, answer)
        os._exit(0)
    os.close(writer)
    try:
        mine = first()
    finally:
        with os.fdopen(reader, "rb") as pipe:
            theirs = pipe.read(1)
        os.waitpid(pid, 0)
    return mine and theirs == b"1"
