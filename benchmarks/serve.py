"""How long a small check waits while large archives are being checked by ``dlint serve``.

Starts the real server on 127.0.0.1, sends two large generated archives (with a few errors, so that
they take the ordinary path) and, while both are in flight, a small annotation file of about 1 KB;
times the small check and the large ones, taking turns ``--repeat`` times. Target: the small check
answers within 2 s.

    python benchmarks/serve.py                       # 12,000 items (about 30 MB), 5 turns
    python benchmarks/serve.py --items 4000 --repeat 3 --json serve.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
SMALL = HERE.parent / "examples" / "cvat-docs" / "annotations" / "default.json"
TARGET = 2.0
STARTUP = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def large_archive(folder: Path, items: int, errors: int, python: str) -> bytes:
    """A generated annotation file of ``items`` items, zipped."""
    target = folder / "large.json"
    command = [python, str(GENERATOR), "--items", str(items), "--seed", "0", "--errors", str(errors)]
    subprocess.run([*command, "--out", str(target)], check=True, stdout=subprocess.DEVNULL)
    archive = folder / "large.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(target, "annotations/default.json")
    return archive.read_bytes()


def post(port: int, body: bytes, media_type: str) -> tuple[int, float]:
    """POST /v1/check: the status and the seconds to the whole answer."""
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/check", data=body, headers={"Content-Type": media_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()
            status = int(answer.status)
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {STARTUP} s")


def turn(port: int, large: bytes, small: bytes) -> dict[str, Any]:
    """Two large checks, and a small one once both have been sent for a second."""
    results: list[tuple[int, float]] = []
    threads = [
        threading.Thread(target=lambda: results.append(post(port, large, "application/zip")))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    status, seconds = post(port, small, "application/json")
    in_flight = sum(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join()
    return {
        "small_status": status,
        "small_seconds": seconds,
        "large_in_flight": in_flight,
        "large": [{"status": code, "seconds": took} for code, took in results],
    }


def table(turns: list[dict[str, Any]], items: int, size: int) -> str:
    small = [t["small_seconds"] for t in turns]
    large = [entry["seconds"] for t in turns for entry in t["large"]]
    flying = min(t["large_in_flight"] for t in turns)
    rows = [
        "| row | median | max | note |",
        "|---|---|---|---|",
        f"| 1 KB check, 2 large archives in flight | {statistics.median(small):.2f} s | {max(small):.2f} s "
        f"| target < {TARGET:g} s; large ones still in flight when it answered: at least {flying} of 2 |",
        f"| large archive check ({items} items, {size / 1e6:.1f} MB zipped), 2 at once | "
        f"{statistics.median(large):.2f} s | {max(large):.2f} s | |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=12000, help="items of each large archive")
    parser.add_argument("--errors", type=int, default=20, help="errors injected in the large archive")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the server")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dlint-serve-bench-") as work:
        folder = Path(work)
        large = large_archive(folder, args.items, args.errors, args.python)
        small = SMALL.read_bytes()
        port = free_port()
        command = [args.python, "-m", "dlint", "serve", "--port", str(port), "--max-body-size", "1GiB"]
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen(
                command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ)
            )
        try:
            wait_until_up(port, server)
            turns = [turn(port, large, small) for _ in range(args.repeat)]
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(table(turns, args.items, len(large)))
    if args.json:
        args.json.write_text(
            json.dumps({"items": args.items, "zipped_bytes": len(large), "turns": turns}, indent=2)
        )
    ok = all(t["small_status"] == 200 and t["small_seconds"] < TARGET for t in turns)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
