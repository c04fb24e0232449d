"""Benchmark dlint against a mere parse of the same generated Datumaro files.

Every command runs as its own process; the commands take turns (round-robin, the starting command
rotating every repetition) so that machine noise hits all of them alike. Wall time comes from
``time.perf_counter`` around the process and peak memory from that child's own ``ru_maxrss``
(``os.wait4``). See benchmarks/README.md for what each row means.

    python benchmarks/run.py                                  # 10000 items, 5 repetitions
    python benchmarks/run.py --items 1000 10000 30000 --repeat 3 --json out.json
    python benchmarks/run.py --items 2000 --errors 70         # also checks recall
    python benchmarks/run.py --cost --repeat 3                # hostile files: cost follows size
"""

from __future__ import annotations

import argparse
import bisect
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = HERE / "generate.py"
LAUNCHER = HERE / "measure.py"
DEFAULT_WORKDIR = HERE / "out"
DEFAULT_SCHEMA = ROOT / "schemas" / "datumaro-1.0" / "v1.schema.json"
LINT_EXIT_CODES = (0, 1)  # 1 = diagnostics found
MISSING = ("No module named", "cannot start", "timed out")  # probe failures meaning "not there"
ANNOTATION_DEPTH = 4  # /items/<i>/annotations/<j>: the shallowest ancestor that counts as a match

BASELINE_CODE = "import gc, sys, orjson; gc.disable(); orjson.loads(open(sys.argv[1], 'rb').read())"
ORJSON_GC_CODE = "import gc, sys, orjson; orjson.loads(open(sys.argv[1], 'rb').read())"
FIX_BASELINE_CODE = (
    "import gc, sys, orjson; gc.disable(); data = open(sys.argv[1], 'rb').read(); "
    "open(sys.argv[1], 'wb').write(orjson.dumps(orjson.loads(data)))"
)
JSONSCHEMA_CODE = textwrap.dedent(
    """\
    import sys, pathlib, orjson, jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
    path = pathlib.Path(sys.argv[1]).resolve()
    pairs = []
    for other in sorted(path.parent.glob("*.json")):
        contents = orjson.loads(other.read_bytes())
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        pairs.append((other.as_uri(), resource))
        if isinstance(contents, dict) and isinstance(contents.get("$id"), str):
            pairs.append((contents["$id"], resource))
    schema = orjson.loads(path.read_bytes())
    if isinstance(schema, dict) and "$id" not in schema:
        schema = {**schema, "$id": path.as_uri()}
    validator = jsonschema.validators.validator_for(schema)(schema, registry=Registry().with_resources(pairs))
    document = orjson.loads(open(sys.argv[2], "rb").read())
    print(sum(1 for _ in validator.iter_errors(document)))
    """
)
DATUMARO_CODE = textwrap.dedent(
    """\
    import sys
    from datumaro.components.dataset import Dataset
    dataset = Dataset.import_from(sys.argv[1], "datumaro")
    print(sum(1 for _ in dataset))
    """
)
COMPILE_CODE = (
    "import compileall, os, dlint; compileall.compile_dir(os.path.dirname(dlint.__file__), quiet=1)"
)
ALL_COMMANDS = (
    "baseline",
    "orjson-gc",
    "dlint-check",
    "dlint-check-cached",
    "dlint-html",
    "fix-baseline",
    "dlint-fix",
    "jsonschema-py",
    "datumaro-import",
)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One timed process: wall seconds, peak RSS in KiB, exit code (negative: killed by signal)."""

    wall: float
    rss_kib: int
    code: int
    timed_out: bool = False


@dataclass
class Command:
    """A command line to time, with the exit codes that count as success."""

    name: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    prepare: Callable[[], None] | None = None  # runs before every repetition, outside the timing
    note: str = ""
    skipped: str = ""  # non-empty: not run, and why
    runs: list[Run] = field(default_factory=list)
    failure: str = ""  # non-empty: the command failed; no further repetitions

    def summary(self) -> dict[str, Any]:
        """Median/min wall time and median peak RSS over the runs."""
        if not self.runs or self.failure:
            return {}
        walls = [run.wall for run in self.runs]
        return {
            "median_s": statistics.median(walls),
            "min_s": min(walls),
            "median_rss_kib": statistics.median(run.rss_kib for run in self.runs),
            "exit_codes": sorted({run.code for run in self.runs}),
        }


@dataclass
class BenchFile:
    """A generated file and its commands."""

    items: int
    path: Path
    size: int
    annotations: int
    injected: list[dict[str, Any]]
    generate_s: float
    commands: list[Command] = field(default_factory=list)
    recall: dict[str, Any] = field(default_factory=dict)
    scratch: list[Path] = field(default_factory=list)  # extra files to delete afterwards


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


def _tail(text: bytes, limit: int = 160) -> str:
    """The last non-empty line of a process's output, shortened."""
    lines = [line.strip() for line in text.decode(errors="replace").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= limit else last[: limit - 3] + "..."


def measure(argv: Sequence[str], timeout: float) -> tuple[Run, str]:
    """Run ``argv`` through the small launcher (measure.py); its Run and last stderr line.

    The launcher starts the command with subprocess, times it with perf_counter and reads its
    own peak RSS with os.wait4; see measure.py for why this does not happen in this process.
    """
    launcher = [sys.executable, str(LAUNCHER), "--timeout", str(timeout), "--", *argv]
    proc = subprocess.run(launcher, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    try:
        result = orjson.loads(proc.stdout)
        wall, rss = result["wall_s"], result["peak_rss_kib"]
        timed_out = bool(result.get("timed_out"))
        run = Run(float("nan") if wall is None else wall, rss or 0, int(result["exit"]), timed_out)
        return run, str(result["stderr_tail"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return Run(float("nan"), 0, 127), f"launcher failed (exit {proc.returncode}): {_tail(proc.stderr)}"


def describe_failure(run: Run, stderr_tail: str, timeout: float) -> str:
    """A one-line reason for a failed run."""
    if run.timed_out:
        reason = f"timeout after {timeout:g} s"
    elif run.code < 0:
        try:
            reason = f"killed by {signal.Signals(-run.code).name}"
        except ValueError:
            reason = f"killed by signal {-run.code}"
    else:
        reason = f"exit {run.code}"
    return f"{reason}: {stderr_tail}" if stderr_tail else reason


def probe_command(argv: Sequence[str]) -> tuple[bool, str]:
    """Whether a command line exits 0 (and its stderr tail)."""
    try:
        proc = subprocess.run(list(argv), cwd=ROOT, capture_output=True, timeout=120)
    except OSError as exc:
        return False, f"cannot start: {exc}"
    except subprocess.TimeoutExpired:
        return False, "timed out"
    return proc.returncode == 0, _tail(proc.stderr)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def count_annotations(path: Path, chunk: int = 1 << 20) -> int:
    """Count ``"type":"`` keys (one per annotation) without holding the file in memory."""
    needle = b'"type":"'
    total, carry = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            window = carry + block
            total += window.count(needle)
            carry = window[-(len(needle) - 1) :]
    return total


def generate_file(workdir: Path, items: int, seed: int, errors: int, warnings: int = 0) -> BenchFile:
    """Generate one file in a child process (this process must stay small: see README)."""
    path = workdir / f"dm-{items}-s{seed}-e{errors}-w{warnings}.json"
    argv = [sys.executable, str(GENERATOR), "--items", str(items), "--seed", str(seed)]
    argv += ["--errors", str(errors), "--warnings", str(warnings)]
    start = time.perf_counter()
    proc = subprocess.run([*argv, "--out", str(path)], check=False)
    if proc.returncode:
        raise SystemExit(f"generating {path.name} failed (exit {proc.returncode})")
    seconds = time.perf_counter() - start
    errors_file = path.with_name(path.name[: -len(".json")] + ".errors.json")
    injected = orjson.loads(errors_file.read_bytes())
    bench = BenchFile(items, path, path.stat().st_size, count_annotations(path), injected, seconds)
    bench.scratch.append(errors_file)
    return bench


def dataset_dir(bench: BenchFile) -> Path:
    """A Datumaro dataset directory holding the file as annotations/default.json."""
    root = bench.path.with_name(bench.path.stem + "-dataset")
    target = root / "annotations" / "default.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(bench.path, target)
    except OSError:
        shutil.copyfile(bench.path, target)
    bench.scratch.append(root)
    return root


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """What the target interpreter can run (probed once)."""

    dlint: tuple[bool, str]
    dlint_fix: tuple[bool, str]
    datumaro: tuple[bool, str]


def compile_dlint(python: str) -> None:
    """Write dlint's bytecode before timing it, as an install does: an editable install left to
    compile its modules on first use (or never, under PYTHONDONTWRITEBYTECODE) would time the
    compiler too."""
    subprocess.run([python, "-c", COMPILE_CODE], check=False, capture_output=True, timeout=120)


def availability(python: str, wanted: set[str]) -> Availability:
    """Probe only for what was asked for."""
    no = (False, "not selected")
    dlint = probe_command([python, "-m", "dlint", "check", "--help"])
    if not dlint[0] and not any(marker in dlint[1] for marker in MISSING):
        dlint = (True, dlint[1])  # it exists but fails: time it anyway, so the failure shows
    if dlint[0]:
        compile_dlint(python)
    fix = probe_command([python, "-m", "dlint", "fix", "--help"]) if "dlint-fix" in wanted else no
    dm = probe_command([python, "-c", "import datumaro"]) if "datumaro-import" in wanted else no
    return Availability(dlint, fix, dm)


def _copier(source: Path, target: Path) -> Callable[[], None]:
    def copy() -> None:
        shutil.copyfile(source, target)

    return copy


def build_commands(
    bench: BenchFile, args: argparse.Namespace, wanted: set[str], avail: Availability
) -> list[Command]:
    """The commands to time for one file, in their round-robin order; skipped ones carry a reason."""
    py, file = args.python, str(bench.path)
    scratch = bench.path.with_name(bench.path.stem + ".fix.json")
    commands = [
        Command("baseline", [py, "-c", BASELINE_CODE, file], note="orjson.loads, collector off"),
        Command("orjson-gc", [py, "-c", ORJSON_GC_CODE, file], note="orjson.loads, collector on"),
        _dlint_check(bench, py, avail),
        _dlint_check_cached(bench, py, avail),
        _dlint_html(bench, py, avail),
        Command(
            "fix-baseline",
            [py, "-c", FIX_BASELINE_CODE, str(scratch)],
            note="loads + dumps + write, collector off",
        ),
        _dlint_fix(py, scratch, avail),
        _jsonschema(bench, args),
        _datumaro(bench, py, avail),
    ]
    copy = _copier(bench.path, scratch)
    for command in commands:
        if command.name in ("fix-baseline", "dlint-fix"):
            command.prepare = copy
    if "dlint-fix" in wanted and not avail.dlint_fix[0]:
        wanted = wanted - {"fix-baseline"}
    bench.scratch.append(scratch)
    return [command for command in commands if command.name in wanted]


def _dlint_check(bench: BenchFile, py: str, avail: Availability) -> Command:
    argv = [py, "-m", "dlint", "check", str(bench.path), "--output-format", "json", "--no-cache"]
    skipped = "" if avail.dlint[0] else f"python -m dlint is not available ({avail.dlint[1]})"
    return Command("dlint-check", argv, LINT_EXIT_CODES, note="output to /dev/null", skipped=skipped)


def _dlint_html(bench: BenchFile, py: str, avail: Availability) -> Command:
    """The same check writing the visual report (its items drawn, at most 200) to a file."""
    page = bench.path.with_name(bench.path.stem + ".report.html")
    bench.scratch.append(page)
    argv = [
        py,
        "-m",
        "dlint",
        "check",
        str(bench.path),
        "--output-format",
        "html",
        "--no-cache",
        "-o",
        str(page),
    ]
    skipped = "" if avail.dlint[0] else f"python -m dlint is not available ({avail.dlint[1]})"
    return Command("dlint-html", argv, LINT_EXIT_CODES, note="visual report to a file", skipped=skipped)


def _dlint_check_cached(bench: BenchFile, py: str, avail: Availability) -> Command:
    """The same check answered from a warm cache (the cache is filled outside the timing)."""
    cache = bench.path.with_name(bench.path.stem + ".cache")
    bench.scratch.append(cache)
    argv = [py, "-m", "dlint", "check", str(bench.path), "--output-format", "json", "--cache-dir", str(cache)]
    skipped = "" if avail.dlint[0] else f"python -m dlint is not available ({avail.dlint[1]})"
    command = Command(
        "dlint-check-cached", argv, LINT_EXIT_CODES, note="unchanged file, warm cache", skipped=skipped
    )

    def fill_cache() -> None:
        subprocess.run(argv, capture_output=True, check=False)

    command.prepare = fill_cache
    return command


def _dlint_fix(py: str, scratch: Path, avail: Availability) -> Command:
    skipped = (
        ""
        if avail.dlint_fix[0]
        else f"`python -m dlint fix --help` failed ({avail.dlint_fix[1] or 'no output'})"
    )
    note = "on a fresh copy each repetition; compare with fix-baseline"
    return Command(
        "dlint-fix", [py, "-m", "dlint", "fix", str(scratch)], LINT_EXIT_CODES, note=note, skipped=skipped
    )


def _jsonschema(bench: BenchFile, args: argparse.Namespace) -> Command:
    schema: Path = args.schema
    argv = [args.python, "-c", JSONSCHEMA_CODE, str(schema), str(bench.path)]
    skipped = ""
    if not schema.is_file():
        skipped = f"no schema at {schema} (give --schema PATH)"
    elif bench.items > args.jsonschema_max_items:
        skipped = f"{bench.items} items > --jsonschema-max-items {args.jsonschema_max_items}"
    return Command("jsonschema-py", argv, note=f"pure-Python jsonschema, {schema.name}", skipped=skipped)


def _datumaro(bench: BenchFile, py: str, avail: Availability) -> Command:
    if not avail.datumaro[0]:
        return Command("datumaro-import", [], skipped="`import datumaro` fails in the target interpreter")
    root = dataset_dir(bench)
    note = "Dataset.import_from(dir, 'datumaro') + iterate; masks stay undecoded"
    if bench.injected:
        note = "fails at the first injected error, as expected"
    return Command("datumaro-import", [py, "-c", DATUMARO_CODE, str(root)], note=note)


def selected(only: str | None) -> set[str]:
    """Command names to run; baseline always, fix-baseline with dlint-fix."""
    if not only:
        return set(ALL_COMMANDS)
    names = {name.strip() for name in only.split(",") if name.strip()}
    unknown = names - set(ALL_COMMANDS)
    if unknown:
        raise SystemExit(
            f"unknown command(s) in --only: {', '.join(sorted(unknown))}; known: {', '.join(ALL_COMMANDS)}"
        )
    names.add("baseline")
    if "dlint-fix" in names:
        names.add("fix-baseline")
    return names


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def time_commands(commands: list[Command], repeat: int, timeout: float) -> None:
    """Round-robin over the commands ``repeat`` times; a failing command leaves the rotation."""
    active = [command for command in commands if not command.skipped]
    for rep in range(repeat):
        shift = rep % len(active) if active else 0
        for command in active[shift:] + active[:shift]:
            if command.failure:
                continue
            if command.prepare:
                command.prepare()
            run, tail = measure(command.argv, timeout)
            command.runs.append(run)
            if run.timed_out or run.code not in command.ok_codes:
                command.failure = describe_failure(run, tail, timeout)
            print(
                f"  [{rep + 1}/{repeat}] {command.name}: {run.wall:.3f} s, {run.rss_kib / 1024:.0f} MiB, "
                f"exit {run.code}",
                file=sys.stderr,
            )


# ---------------------------------------------------------------------------------------------
# Recall
# ---------------------------------------------------------------------------------------------


def matches(injected: str, pointers: list[str]) -> list[str]:
    """Diagnostic pointers equal to, under, or over ``injected`` (sorted ``pointers``).

    An ancestor counts only from the annotation level down (/items/i/annotations/j), so a
    diagnostic about the whole file or a whole item does not claim every error in it.
    """
    found = []
    parts = injected.split("/")
    for depth in range(ANNOTATION_DEPTH, len(parts)):
        ancestor = "/".join(parts[: depth + 1])
        index = bisect.bisect_left(pointers, ancestor)
        if index < len(pointers) and pointers[index] == ancestor:
            found.append(ancestor)
    prefix = injected + "/"
    index = bisect.bisect_left(pointers, prefix)
    while index < len(pointers) and pointers[index].startswith(prefix):
        found.append(pointers[index])
        index += 1
    return found


def _diagnostics(payload: Any) -> list[dict[str, Any]]:
    """The diagnostics of ``--output-format json``: an array, or an object with a list of them."""
    if isinstance(payload, dict):
        payload = payload.get("diagnostics", [])
    if not isinstance(payload, list):
        raise ValueError("expected a JSON array of diagnostics")
    return [entry for entry in payload if isinstance(entry, dict)]


def check_recall(bench: BenchFile, python: str, timeout: float) -> dict[str, Any]:
    """Run dlint check once and match each injected error to a diagnostic by pointer."""
    argv = [python, "-m", "dlint", "check", str(bench.path), "--output-format", "json"]
    try:
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=timeout)
    except OSError as exc:
        return {"checked": True, "error": f"cannot start: {exc}"}
    except subprocess.TimeoutExpired:
        return {"checked": True, "error": f"timeout after {timeout:g} s"}
    if proc.returncode not in LINT_EXIT_CODES:
        run = Run(0.0, 0, proc.returncode)
        return {"checked": True, "error": describe_failure(run, _tail(proc.stderr), timeout)}
    try:
        diagnostics = _diagnostics(orjson.loads(proc.stdout))
    except (orjson.JSONDecodeError, ValueError) as exc:
        return {"checked": True, "error": f"unreadable output: {exc}"}
    by_pointer: dict[str, list[str]] = {}
    for diag in diagnostics:
        if isinstance(diag.get("pointer"), str):
            by_pointer.setdefault(diag["pointer"], []).append(str(diag.get("code", "?")))
    pointers = sorted(by_pointer)
    results = []
    for record in bench.injected:
        hits = matches(record["pointer"], pointers)
        codes = sorted({code for hit in hits for code in by_pointer[hit]})
        results.append({**record, "matched_pointers": hits, "codes": codes})
    found = sum(1 for result in results if result["matched_pointers"])
    return {
        "checked": True,
        "found": found,
        "injected": len(results),
        "diagnostics": len(diagnostics),
        "errors": results,
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}x" if value and reference else "-"


def table(bench: BenchFile) -> str:
    """A Markdown table of one file's results."""
    mb = bench.size / 1e6
    lines = [
        f"### {bench.items:,} items: {mb:.1f} MB ({bench.size:,} bytes), {bench.annotations:,} annotations, "
        f"{_injected(bench.injected)}",
        "",
        "| command | median s | min s | peak RSS MiB | time / baseline | RSS / baseline | exit | note |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    stats = {command.name: command.summary() for command in bench.commands}
    base = stats.get("baseline", {})
    for command in bench.commands:
        lines.append(_row(command, stats[command.name], base, stats.get("fix-baseline", {})))
    return "\n".join(lines)


def _row(command: Command, stat: dict[str, Any], base: dict[str, Any], fix_base: dict[str, Any]) -> str:
    if command.skipped:
        return f"| {command.name} | - | - | - | - | - | - | skipped: {command.skipped} |"
    if not stat:
        reason = (command.failure or "no runs").replace("|", "/")
        return f"| {command.name} | - | - | - | - | - | FAILED | {reason} ({command.note}) |"
    note = command.note
    if command.name == "dlint-fix" and fix_base:
        note += (
            f" ({_ratio(stat['median_s'], fix_base['median_s'])} time, "
            f"{_ratio(stat['median_rss_kib'], fix_base['median_rss_kib'])} RSS of fix-baseline)"
        )
    exits = ",".join(str(code) for code in stat["exit_codes"])
    rss_mib = stat["median_rss_kib"] / 1024
    return (
        f"| {command.name} | {stat['median_s']:.3f} | {stat['min_s']:.3f} | {rss_mib:.0f} | "
        f"{_ratio(stat['median_s'], base.get('median_s'))} | "
        f"{_ratio(stat['median_rss_kib'], base.get('median_rss_kib'))} | {exits} | {note} |"
    )


def _injected(records: list[dict[str, Any]]) -> str:
    """How many errors and warnings were injected, as the table's heading says it."""
    warnings = sum(1 for record in records if record.get("severity") == "warning")
    said = f"{len(records) - warnings} injected errors"
    return said + (f", {warnings} injected warnings" if warnings else "")


def recall_report(bench: BenchFile) -> str:
    """A few lines about recall for one file."""
    recall = bench.recall
    if not recall:
        return ""
    head = f"Recall on {bench.path.name}: "
    if not recall.get("checked"):
        return head + f"not checked ({recall['reason']})"
    if "error" in recall:
        return head + f"dlint check failed: {recall['error']}"
    lines = [
        head + f"{recall['found']}/{recall['injected']} injected findings found "
        f"({recall['diagnostics']} diagnostics in all)"
    ]
    for result in recall["errors"]:
        mark = ", ".join(result["codes"]) if result["matched_pointers"] else "MISSED"
        lines.append(f"- {result['code_hint']} at {result['pointer']}: {mark}")
    return "\n".join(lines)


def recall_ok(bench: BenchFile) -> bool:
    """False only when recall was checked and fell short of 100%."""
    recall = bench.recall
    if not recall.get("checked"):
        return True
    return "error" not in recall and recall["found"] == recall["injected"]


def to_json(benches: list[BenchFile], args: argparse.Namespace) -> dict[str, Any]:
    """Raw numbers for --json."""
    return {
        "machine": {
            "python": args.python,
            "runner_python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "repeat": args.repeat,
        "seed": args.seed,
        "files": [
            {
                "items": bench.items,
                "path": str(bench.path),
                "bytes": bench.size,
                "annotations": bench.annotations,
                "generate_s": bench.generate_s,
                "injected": len(bench.injected),
                "commands": [_command_json(command) for command in bench.commands],
                "recall": bench.recall,
            }
            for bench in benches
        ],
    }


def _command_json(command: Command) -> dict[str, Any]:
    return {
        "name": command.name,
        "argv": command.argv,
        "note": command.note,
        "skipped": command.skipped,
        "failure": command.failure,
        "runs": [
            {"wall_s": run.wall, "peak_rss_kib": run.rss_kib, "exit": run.code, "timed_out": run.timed_out}
            for run in command.runs
        ],
        **command.summary(),
    }


# ---------------------------------------------------------------------------------------------
# Cost rows: files whose cost must follow their size, not what is wrong with them (--cost)
# ---------------------------------------------------------------------------------------------

ARCHIVE_BASELINE_CODE = (
    "import gc, sys, zipfile, orjson; gc.disable(); archive = zipfile.ZipFile(sys.argv[1]); "
    "[orjson.loads(archive.read(name)) for name in archive.namelist() if name.endswith('.json')]"
)


@dataclass
class CostCase:
    """One hostile file, dlint's commands on it and the baseline they are compared with."""

    name: str
    path: Path
    target: str
    commands: list[Command] = field(default_factory=list)
    scratch: list[Path] = field(default_factory=list)  # every file made for it, deleted afterwards
    size: int = 0

    def __post_init__(self) -> None:
        self.size = self.path.stat().st_size


def _shape(workdir: Path, shape: str, count: int, suffix: str = ".json") -> Path:
    """A file of generate.py's ``--shape`` made in a child process (this one must stay small)."""
    path = workdir / f"cost-{shape}-{count}{suffix}"
    argv = [sys.executable, str(GENERATOR), "--shape", shape, "--items", str(count), "--out", str(path)]
    if subprocess.run(argv, check=False).returncode:
        raise SystemExit(f"generating {path.name} failed")
    return path


def cost_cases(args: argparse.Namespace) -> list[CostCase]:
    """Generate the hostile files and their commands: long strings, many diagnostics (check and
    fix), archives of many datasets, and a file cut short (next to a parse of the whole file)."""
    py, workdir, cases = args.python, args.workdir, []
    check = [py, "-m", "dlint", "check", "--output-format", "json", "--no-cache"]
    for mib in args.cost_string_mib:
        path = _shape(workdir, "long-string", mib << 20)
        cases.append(CostCase(f"one string of {mib} MiB", path, "RSS at most 3x the size + 100 MB"))
    for count in args.cost_diagnostics:
        path = _shape(workdir, "defective", count)
        cases.append(CostCase(f"{count:,} diagnostics", path, "time x2.2 at most for x2 diagnostics"))
    for count in args.cost_datasets:
        path = _shape(workdir, "datasets-archive", count, ".zip")
        cases.append(CostCase(f"zip of {count:,} datasets", path, "time in proportion to the datasets"))
    if args.cost_invalid_items:
        whole = generate_file(workdir, args.cost_invalid_items, args.seed, 0).path
        cut = whole.with_name(whole.stem + ".cut.json")
        with whole.open("rb") as source, cut.open("wb") as target:
            target.write(source.read(whole.stat().st_size - 100))
        case = CostCase("file cut short", cut, "about one failed parse; baseline parses the whole file")
        case.scratch += [whole, errors_path_of(whole)]
        case.commands.append(Command("baseline", [py, "-c", BASELINE_CODE, str(whole)], note="whole file"))
        cases.append(case)
    for case in cases:
        zipped = case.path.suffix == ".zip"
        if not case.commands:
            code = ARCHIVE_BASELINE_CODE if zipped else BASELINE_CODE
            case.commands.append(Command("baseline", [py, "-c", code, str(case.path)], note="orjson.loads"))
        case.commands.append(Command("dlint-check", [*check, str(case.path)], LINT_EXIT_CODES))
        if "diagnostics" in case.name:
            scratch = case.path.with_name(case.path.stem + ".fix.json")
            fix = Command("dlint-fix", [py, "-m", "dlint", "fix", str(scratch)], LINT_EXIT_CODES)
            fix.prepare = _copier(case.path, scratch)
            case.commands.append(fix)
            case.scratch.append(scratch)
        case.scratch.append(case.path)
    return cases


def errors_path_of(path: Path) -> Path:
    """The list of injected errors written next to a generated file."""
    return path.with_name(path.name[: -len(".json")] + ".errors.json")


def cost_table(cases: list[CostCase]) -> str:
    """One Markdown table for all cost rows; RSS / size is the peak over the file's size."""
    lines = [
        "| case | MB | command | median s | min s | peak RSS MiB | time / baseline | RSS / baseline | "
        "RSS / size | exit | target |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for case in cases:
        base = case.commands[0].summary()
        for command in case.commands:
            stat = command.summary()
            if not stat:
                lines.append(f"| {case.name} | | {command.name} | FAILED: {command.failure} | | | | | | | |")
                continue
            rss = stat["median_rss_kib"] * 1024
            time_ratio = _ratio(stat["median_s"], base.get("median_s"))
            lines.append(
                f"| {case.name} | {case.size / 1e6:.1f} | {command.name} | {stat['median_s']:.2f} | "
                f"{stat['min_s']:.2f} | {rss / 2**20:.0f} | {time_ratio} | "
                f"{_ratio(stat['median_rss_kib'], base.get('median_rss_kib'))} | {rss / case.size:.1f}x | "
                f"{','.join(str(code) for code in stat['exit_codes'])} | {case.target} |"
            )
    return "\n".join(lines)


def cost_benchmark(args: argparse.Namespace) -> int:
    """Generate, time and print the cost rows; the generated files are deleted unless --keep."""
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_dlint(args.python)
    cases = cost_cases(args)
    try:
        for case in cases:
            print(f"{case.name} ...", file=sys.stderr)
            time_commands(case.commands, args.repeat, args.timeout)
    finally:
        if not args.keep:
            for path in (path for case in cases for path in case.scratch):
                path.unlink(missing_ok=True)
    print(f"Python {platform.python_version()}, {platform.platform()}, {args.repeat} repetitions\n")
    print(cost_table(cases))
    return 0


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--items", type=int, nargs="+", default=[10_000], help="file sizes in items (default 10000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per command (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--errors", type=int, default=0, help="inject K errors and check recall (default 0)")
    parser.add_argument(
        "--warnings",
        type=int,
        default=0,
        help="inject K zero-area polygons (warnings) and check recall (default 0)",
    )
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(ALL_COMMANDS)}")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for every command (default: this one)"
    )
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA, help="JSON Schema for jsonschema-py")
    parser.add_argument(
        "--jsonschema-max-items", type=int, default=2000, help="skip jsonschema-py above this"
    )
    parser.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help="where files go (default benchmarks/out)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds before a run is killed (default 600)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--cost", action="store_true", help="time the cost rows instead (hostile files: see README)"
    )
    parser.add_argument("--cost-string-mib", type=int, nargs="*", default=[16, 300], help="string sizes")
    parser.add_argument(
        "--cost-diagnostics", type=int, nargs="*", default=[16_000, 32_000, 64_000, 100_000], help="counts"
    )
    parser.add_argument("--cost-datasets", type=int, nargs="*", default=[10_000, 20_000], help="counts")
    parser.add_argument(
        "--cost-invalid-items", type=int, default=80_000, help="items of the file cut short (0: none)"
    )
    parser.add_argument("--json", type=Path, help="also write raw numbers to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def cleanup(benches: list[BenchFile]) -> None:
    """Delete the files this run made."""
    for bench in benches:
        for path in [bench.path, *bench.scratch]:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def benchmark(args: argparse.Namespace, benches: list[BenchFile]) -> None:
    """Generate, time and (with --errors) check recall; fills ``benches``."""
    wanted = selected(args.only)
    avail = availability(args.python, wanted)
    args.workdir.mkdir(parents=True, exist_ok=True)
    for items in args.items:
        print(f"generating {items} items ...", file=sys.stderr)
        bench = generate_file(args.workdir, items, args.seed, args.errors, args.warnings)
        benches.append(bench)
        bench.commands = build_commands(bench, args, wanted, avail)
        time_commands(bench.commands, args.repeat, args.timeout)
    # Recall runs last: reading diagnostics grows this process, and a child started by a big
    # parent inherits the parent's peak RSS in its own ru_maxrss.
    for bench in benches:
        if bench.injected and avail.dlint[0]:
            bench.recall = check_recall(bench, args.python, args.timeout)
        elif bench.injected:
            bench.recall = {
                "checked": False,
                "reason": f"python -m dlint is not available ({avail.dlint[1]})",
            }


def main(argv: list[str] | None = None) -> int:
    """Entry point; exits 1 when recall was checked and is below 100%."""
    args = parse_args(argv)
    if args.cost:
        return cost_benchmark(args)
    benches: list[BenchFile] = []
    try:
        benchmark(args, benches)
    finally:
        if not args.keep:
            cleanup(benches)
    print(
        f"Python {platform.python_version()} ({args.python}), {platform.platform()}, "
        f"{os.cpu_count()} CPUs, {args.repeat} repetitions\n"
    )
    for bench in benches:
        print(table(bench))
        report = recall_report(bench)
        print(f"\n{report}\n" if report else "")
    if args.json:
        args.json.write_bytes(orjson.dumps(to_json(benches, args), option=orjson.OPT_INDENT_2))
    return 0 if all(recall_ok(bench) for bench in benches) else 1


if __name__ == "__main__":
    sys.exit(main())
