"""How a process uses memory: the one policy, set once by the process (not by the engine).

A run over many files peaks at its largest file, not at their sum: a big file's data is released
before the next big file is read. In a process that exits when done, it is released no sooner:
freeing millions of objects one by one costs a twentieth of a check, for nothing when the process
exits right after (:func:`release`).

The other difference between processes is the C allocator. The column pass allocates and frees
arrays of about a megabyte thousands of times. By default the C library maps each such block afresh
and unmaps it when it is freed, so every page of every block faults in again; once the process has
forked, pages it shares with the other half fault a second time. Keeping freed memory for reuse
removed a quarter of the page faults and about 4% of a check's time on the 30k-item benchmark file.
A long-running process (the HTTP service) must not hold on to memory like this, so only processes
that exit when done (the command line, a service worker) ask for it.
"""

from __future__ import annotations

import gc
import sys

#: glibc's ``mallopt`` parameters: the free memory at the top of the heap kept rather than given back,
#: and the size from which a block is mapped on its own.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: Blocks below this come from the heap, where freed memory is reused.
MAPPED_FROM = 64 << 20
#: Free memory kept at the top of the heap.
KEPT = 512 << 20

_exits = False
_done = False
#: What :func:`release` keeps until the next big file, in a process that exits when done.
_held: list[object] = []


def exits_when_done(exits: bool = True) -> None:
    """Declare that this process exits when its work is done (the command line, a service worker) or
    lives on (the service): only the former keeps freed memory (see :func:`for_big_work`)."""
    global _exits
    _exits = exits


def release(data: object) -> None:
    """The data of a big file whose check is done: in a process that exits when done, kept until the
    next big file begins (:func:`for_big_work`) or the process exits; elsewhere freed now."""
    if _exits:
        _held.append(data)
        gc.freeze()  # out of the collector's way meanwhile (a parsed file is millions of objects)


def for_big_work() -> None:
    """Called before work on a big file: the previous big file's data goes first; in a process that
    exits when done, the C allocator keeps freed memory for reuse (Linux with glibc; elsewhere nothing
    happens)."""
    global _done
    _held.clear()
    if _done or not _exits or sys.platform != "linux":
        return
    _done = True
    import ctypes  # imported here: only big files need it

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): the defaults stay
        return
    mallopt(M_MMAP_THRESHOLD, MAPPED_FROM)
    mallopt(M_TRIM_THRESHOLD, KEPT)
