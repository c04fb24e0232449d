"""Run one command and print its wall time, peak RSS and exit code as one JSON line.

    python benchmarks/measure.py --timeout 600 -- python -c "import orjson"
    {"wall_s": 0.041, "peak_rss_kib": 12140, "exit": 0, "timed_out": false, "stderr_tail": ""}

Why a separate small process: Linux carries the parent's peak RSS over into a child's
``ru_maxrss`` when the child is started with vfork/fork + exec (exec records the old address
space's high-water mark). A benchmark runner that has grown to hundreds of MiB would make every
child look at least that big. This launcher stays near the size of a bare interpreter (stdlib
only, ~11.5 MiB), so the numbers it reports are the command's own for anything bigger than that
(a bare ``python -c pass`` is ~8.5 MiB; with ``import orjson`` ~12 MiB).

The command's stdout goes to /dev/null; of its stderr only the last line is kept. After
``--timeout`` seconds (default 600) the command is killed (exit -9). Imports are kept to the
minimum on purpose (no argparse, no tempfile): each one raises the floor described above.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

USAGE = "usage: measure.py [--timeout SECONDS] -- COMMAND [ARG ...]"
TAIL_BYTES = 4096
_LOCK = threading.Lock()


def tail(text: bytes, limit: int = 160) -> str:
    """The last non-empty line of some output, shortened to ``limit`` characters."""
    lines = [line.strip() for line in text.decode(errors="replace").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= limit else last[: limit - 3] + "..."


def _killer(proc: subprocess.Popen[bytes], fired: list[bool]) -> Callable[[], None]:
    """A callback that kills ``proc``'s process group unless ``proc`` has exited (see _reap)."""

    def kill() -> None:
        with _LOCK:
            if proc.returncode is None:
                fired.append(True)
                os.killpg(proc.pid, signal.SIGKILL)

    return kill


def _reap(proc: subprocess.Popen[bytes], timer: threading.Timer) -> tuple[int, int]:
    """Wait for ``proc``; return (exit code, its own peak RSS in KiB) from os.wait4."""
    # Wait without reaping first, so that the timer can never signal a recycled pid.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    with _LOCK:
        proc.returncode = -1  # exited; the real code is set below
    timer.cancel()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


def _drain(stream: int) -> bytes:
    """Read a pipe to its end, keeping only the last TAIL_BYTES bytes."""
    kept = b""
    while chunk := os.read(stream, 65536):
        kept = (kept + chunk)[-TAIL_BYTES:]
    return kept


def measure(argv: Sequence[str], timeout: float) -> dict[str, object]:
    """Run ``argv``; its wall seconds, own peak RSS (KiB), exit code and last stderr line."""
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a timeout kills the whole process group
        )
    except OSError as exc:
        return {"wall_s": None, "peak_rss_kib": None, "exit": 127, "stderr_tail": f"cannot start: {exc}"}
    assert proc.stderr is not None
    fired: list[bool] = []
    timer = threading.Timer(timeout, _killer(proc, fired))
    timer.start()
    err = _drain(proc.stderr.fileno())
    code, rss = _reap(proc, timer)
    wall = time.perf_counter() - start
    proc.stderr.close()
    return {
        "wall_s": wall,
        "peak_rss_kib": rss,
        "exit": code,
        "timed_out": bool(fired),
        "stderr_tail": tail(err),
    }


def parse(argv: list[str]) -> tuple[float, list[str]]:
    """``[--timeout SECONDS] -- COMMAND...`` -> (timeout, command)."""
    timeout = 600.0
    if argv[:1] == ["--timeout"] and len(argv) > 1:
        timeout = float(argv[1])
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv or argv[0].startswith("-"):
        raise SystemExit(USAGE)
    return timeout, argv


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exits 0 once the command has run, whatever its exit code."""
    timeout, command = parse(sys.argv[1:] if argv is None else argv)
    print(json.dumps(measure(command, timeout)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
