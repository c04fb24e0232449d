"""Running the engine over many files: a content-hash cache, and files spread over processes.

The subset files of one dataset are compared with its first one, so a run goes in two phases:
the first file of every dataset, then all the other files, each phase spread over ``jobs``
processes. Results come back in the order of the files, whatever the number of processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from dlint import limits
from dlint.cache import Cache, content_digest, dump_diagnostic, key, load_diagnostic
from dlint.diagnostics import Diagnostic
from dlint.engine import lint_bytes, preload
from dlint.media import MediaStore
from dlint.parsecheck import Refused
from dlint.readers import parse_targets
from dlint.rules import RULES_BY_CODE
from dlint.rules.base import DatasetState, Reference
from dlint.sources import Source, discover, link_refusal

#: Below this much input in a phase, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
#: A file's recorded hash is used only when the file was last changed this long before the record.
RACY_NS = 2_000_000_000
#: Where the cache keeps those records.
STATUS = "status"


@dataclass(frozen=True)
class Task:
    """One file to lint, in a form another process can receive."""

    index: int
    source: Source
    rules: tuple[str, ...]
    dialect: str | None
    #: The readers the file must satisfy, by name (empty: the one its dialect is written for).
    targets: tuple[str, ...] = ()


def run(
    tasks: Sequence[Task], *, jobs: int = 1, cache: Cache | None = None, done: Iterable[Any] | None = None
) -> list[list[Diagnostic]]:
    """Each task's diagnostics, in task order; ``done`` is advanced by one per file linted (progress)."""
    ticks = iter(done) if done is not None else None
    states: dict[int, DatasetState] = {}
    results: list[list[Diagnostic]] = [[] for _ in tasks]
    firsts: list[Task] = []
    rest: list[Task] = []
    seen: set[int] = set()
    for task in tasks:
        dataset = id(task.source.dataset)
        (rest if dataset in seen else firsts).append(task)
        seen.add(dataset)
    for task in firsts:
        state = states.setdefault(id(task.source.dataset), _state(task.source))
        settle_reference(state, task.source, task.rules, task.dialect, cache)
    for phase in (firsts, rest):
        for task, (diagnostics, reference) in zip(phase, _map(phase, states, jobs, cache), strict=True):
            results[task.index] = diagnostics
            if ticks is not None:
                next(ticks, None)
            state = states.setdefault(id(task.source.dataset), _state(task.source))
            if state.reference is None and reference is not None:
                state.reference = reference
    return results


def settle_reference(
    state: DatasetState, first: Source, rules: tuple[str, ...], dialect: str | None, cache: Cache | None
) -> None:
    """Give ``state`` the reference a run over the whole dataset would give it: the first of the
    dataset's subset files, named or not, that is a dataset file. Files before ``first`` (the first
    one named) are read and checked for it, their diagnostics left out. So a file's diagnostics do
    not depend on which other files of its dataset a run was given (a hook given only the files a
    commit changes, or a batch of them)."""
    subsets = first.dataset.subsets
    if subsets is None:
        return
    for source in subsets():
        if state.reference is not None or source.path.name >= first.path.name:
            return
        _, reference = _lint(Task(-1, source, rules, dialect), state, cache)
        if state.reference is None and reference is not None:
            state.reference = reference


def _map(
    tasks: list[Task], states: dict[int, DatasetState], jobs: int, cache: Cache | None
) -> Iterable[tuple[list[Diagnostic], Reference | None]]:
    alone = jobs <= 1 or len(tasks) <= 1 or any(t.source.staged for t in tasks)  # (index: not found again)
    if alone or sum(_size(t.source) for t in tasks) < PARALLEL_MIN_BYTES:
        # one file at a time, lazily: progress advances as each file is done
        return (_lint(t, states.setdefault(id(t.source.dataset), _state(t.source)), cache) for t in tasks)
    references = [states.get(id(t.source.dataset), _state(t.source)).reference for t in tasks]
    from concurrent.futures import ProcessPoolExecutor  # only runs that need it pay for the import

    portable = [(t.source.name, t.source.subset, str(t.source.path), t.source.member) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = [
            pool.submit(
                _remote,
                where,
                t.rules,
                t.dialect,
                t.targets,
                reference,
                cache.folder if cache else None,
                limits.current(),
            )
            for where, t, reference in zip(portable, tasks, references, strict=True)
        ]
        return [future.result() for future in futures]


def _size(source: Source) -> int:
    try:
        return os.stat(source.path).st_size
    except OSError:
        return 0


def _state(source: Source) -> DatasetState:
    return DatasetState(source.dataset.name, source.dataset.media)


def _lint(task: Task, state: DatasetState, cache: Cache | None) -> tuple[list[Diagnostic], Reference | None]:
    waits: list[Callable[[], None]] = []  # for imports made while the file is read (see preload)
    try:
        return _checked(task, state, cache, waits)
    finally:
        for wait in waits:
            wait()


def _checked(
    task: Task, state: DatasetState, cache: Cache | None, waits: list[Callable[[], None]]
) -> tuple[list[Diagnostic], Reference | None]:
    rules = [RULES_BY_CODE[code] for code in task.rules]
    had_reference = state.reference is not None
    raw: bytes | None = None
    entry = ""
    if cache is not None:
        digest = _recorded_digest(task.source, cache)
        if digest is None:
            waits.append(preload(_size(task.source)))
            raw, digest = _read_and_record(task.source, cache)
        if not isinstance(raw, Refused):  # a refusal is no content: nothing to remember it by
            entry = _entry(task, digest, state)
        cached = cache.get(entry) if entry else None
        if cached is not None:
            diagnostics = [load_diagnostic(d) for d in cached["diagnostics"]]
            found = cached.get("reference")
            reference = Reference(found["file"], found["dialect"], found["top"]) if found else None
            return diagnostics, reference
    if raw is None:
        waits.append(preload(_size(task.source)))
        raw = task.source.read()
    for wait in waits:  # (no other thread may run when the check forks)
        wait()
    diagnostics = lint_bytes(
        raw,
        file=task.source.name,
        subset=task.source.subset,
        rules=rules,
        dialect=task.dialect,
        dataset=state,
        targets=parse_targets(task.targets) if task.targets else None,
    )
    reference = state.reference if not had_reference else None
    if cache is not None and entry:
        stored = (
            {"file": reference.file, "dialect": reference.dialect, "top": reference.top}
            if reference
            else None
        )
        cache.put(entry, {"diagnostics": [dump_diagnostic(d) for d in diagnostics], "reference": stored})
    return diagnostics, reference


def _stat_entry(source: Source) -> tuple[str, os.stat_result] | None:
    """The cache key of a plain file's current status (size, times, inode), and the status."""
    if source.member is not None or source.staged:  # not the bytes of a file with a status
        return None
    if link_refusal(source.path, source.dataset.root, "its dataset") is not None:
        return None  # read, and refused, as it is now: a record of its target vouches for nothing
    try:
        status = os.stat(source.path)
    except OSError:
        return None
    fields = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)
    return key("status", str(source.path.resolve()), *(str(value) for value in fields)), status


def _recorded_digest(source: Source, cache: Cache) -> bytes | None:
    """The hash of a file's bytes as recorded when it had the status it has now, without reading it.

    A record is trusted only for a file last modified well before the record was made: a file
    changed again within its file system's timestamp granularity would keep its status (the
    problem version control systems know as racy timestamps), so then the bytes are read again.
    """
    stat_entry = _stat_entry(source)
    recorded = cache.get(stat_entry[0], STATUS) if stat_entry is not None else None
    if recorded is None or stat_entry is None:
        return None
    status = stat_entry[1]
    try:
        digest, at = bytes.fromhex(recorded["blake3"]), int(recorded["recorded_ns"])
    except (KeyError, TypeError, ValueError):
        return None
    return digest if max(status.st_mtime_ns, status.st_ctime_ns) < at - RACY_NS else None


def _read_and_record(source: Source, cache: Cache) -> tuple[bytes, bytes]:
    """A file's bytes and their hash, recorded under its status when it did not change meanwhile."""
    before = _stat_entry(source)
    raw = source.read()
    digest = content_digest(raw)
    after = _stat_entry(source)
    if before is not None and after is not None and after[0] == before[0] and not isinstance(raw, Refused):
        cache.put(before[0], {"blake3": digest.hex(), "recorded_ns": time.time_ns()}, STATUS)
    return raw, digest


def _entry(task: Task, digest: bytes, state: DatasetState) -> str:
    reference = state.reference
    declared = (
        orjson.dumps([reference.file, reference.dialect, reference.top], option=orjson.OPT_SORT_KEYS)
        if reference
        else b""
    )
    return key(
        repr(limits.current()),
        digest,
        task.source.name,
        task.source.subset,
        ",".join(task.rules),
        task.dialect or "",
        ",".join(task.targets),
        declared,
        _media_fingerprint(state.media),
    )


def _media_fingerprint(store: MediaStore | None) -> bytes:
    """What the media checks read: the media files, with their sizes and times (or archive CRCs)."""
    return store.fingerprint() if store is not None else b""


_WORKER_SOURCES: dict[str, Source] = {}


def _remote(
    where: tuple[str, str, str, str | None],
    rules: tuple[str, ...],
    dialect: str | None,
    targets: tuple[str, ...],
    reference: Reference | None,
    cache_folder: Any,
    active: limits.Limits,
) -> tuple[list[Diagnostic], Reference | None]:
    """In a worker process: find the file again (archives and media cannot cross processes), under
    the limits of the run (a worker may be a fresh process, not a fork)."""
    with limits.use(active):  # a worker serves one run after another: each under its own limits
        name, _subset, path, _member = where
        if name not in _WORKER_SOURCES:
            _WORKER_SOURCES.update((s.name, s) for s in discover([path]))
        source = _WORKER_SOURCES[name]
        state = DatasetState(source.dataset.name, source.dataset.media, reference)
        task = Task(0, source, rules, dialect, targets)
        return _lint(task, state, Cache(cache_folder) if cache_folder is not None else None)
