"""The processes of a server, read from /proc: its descendants, the worker processes among them (each
leads a process group of its own), and the CPU time they used."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (field 3, the state, first)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rfind(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                parents[int(entry)] = int(fields[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        found += children
        frontier += children
    return found


def workers(pid: int) -> list[int]:
    """The worker processes of the server ``pid`` (zombies excluded): the leaders of process groups."""
    found = []
    for child in descendants(pid):
        fields = _stat(child)
        if fields is not None and fields[0] != "Z" and int(fields[2]) == child:
            found.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used by the server and its processes, living or reaped."""
    total = 0
    for process in [pid, *descendants(pid)]:
        fields = _stat(process)
        if fields is not None:
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICKS


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether ``condition`` became true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
