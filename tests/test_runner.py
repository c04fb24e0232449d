"""The cache answers unchanged files and notices every change; several processes give the same output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from dlint import __version__, runner
from dlint.api import FixSettings, LintOptions, fix, lint
from dlint.cache import Cache
from dlint.sources import discover
from tests.conftest import ROOT

EXPORT = ROOT / "examples" / "datumaro-export"
DOCS = ROOT / "examples" / "cvat-docs"


def _entries(cache: Path) -> list[Path]:
    """The cached results (not the records of file status)."""
    return sorted(path for path in cache.rglob("*.entry") if runner.STATUS not in path.parts)


def test_a_second_run_is_answered_from_the_cache(tmp_path: Path) -> None:
    dataset = shutil.copytree(DOCS, tmp_path / "docs")
    cache = Cache(tmp_path / "cache")
    first = lint([str(dataset)], cache=cache)
    [entry] = _entries(tmp_path / "cache")
    assert (tmp_path / "cache" / "CACHEDIR.TAG").exists()
    stored = cache.get(entry.stem)
    assert stored is not None
    stored["diagnostics"][0]["message"] = "from the cache"
    cache.put(entry.stem, stored)
    second = lint([str(dataset)], cache=cache)
    assert second.diagnostics[0].message == "from the cache"
    assert [(d.code, d.pointer, d.line, d.column, d.excerpt) for d in second.diagnostics] == [
        (d.code, d.pointer, d.line, d.column, d.excerpt) for d in first.diagnostics
    ]


def test_every_input_of_a_result_is_part_of_its_key(tmp_path: Path) -> None:
    dataset = shutil.copytree(EXPORT, tmp_path / "ds")
    cache = Cache(tmp_path / "cache")
    assert lint([str(dataset)], cache=cache).diagnostics == ()
    val = dataset / "annotations" / "val.json"
    train = dataset / "annotations" / "train.json"
    # the reference subset changes: val is compared with it again
    doc = json.loads(train.read_text())
    doc["categories"]["label"]["labels"][0]["name"] = "truck"
    train.write_text(json.dumps(doc, separators=(",", ":")))
    assert {(d.file.rsplit("/", 1)[-1], d.code) for d in lint([str(dataset)], cache=cache).diagnostics} == {
        ("train.json", "DL108"),  # the label group names "car"
        ("val.json", "DL502"),
    }
    # the options change
    assert {
        d.code for d in lint([str(dataset)], LintOptions(ignore=("DL502",)), cache=cache).diagnostics
    } == {"DL108"}
    # a media file disappears
    shutil.copy(EXPORT / "annotations" / "train.json", train)
    (dataset / "images" / "val" / "img_101.jpg").unlink()
    assert {d.code for d in lint([str(dataset)], cache=cache).diagnostics} == {"DL407"}
    # the file itself changes
    val.write_text(val.read_text().replace('"img_101"', '"img_1O1"', 1))
    assert {d.code for d in lint([str(dataset)], cache=cache).diagnostics} == {"DL407"}


def test_concurrent_runs_share_a_cache_safely(tmp_path: Path) -> None:
    dataset = shutil.copytree(DOCS, tmp_path / "docs")
    command = [sys.executable, "-m", "dlint", "check", str(dataset), "--output-format", "json"]
    command += ["--cache-dir", str(tmp_path / "cache")]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert len({json.dumps(json.loads(out)) for out in outputs}) == 1
    assert len(_entries(tmp_path / "cache")) == 1


def test_no_cache_writes_nothing(dlint: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DOCS, tmp_path / "docs")
    dlint("check", "docs", "--no-cache")
    assert not (tmp_path / ".dlint_cache").exists()
    dlint("check", "docs")
    assert (tmp_path / ".dlint_cache" / "CACHEDIR.TAG").exists()


@pytest.mark.parametrize("cached", [False, True])
def test_processes_give_the_output_of_one_process_in_the_same_order(
    tmp_path: Path, monkeypatch: Any, cached: bool
) -> None:
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    for name in ("a", "b", "c"):
        shutil.copytree(EXPORT, tmp_path / name)
        shutil.copytree(DOCS, tmp_path / f"{name}-docs")
    broken = tmp_path / "b" / "annotations" / "val.json"
    broken.write_text(broken.read_text().replace('"label_id":1', '"label_id":7'))
    cache = Cache(tmp_path / "cache") if cached else None
    one = lint([str(tmp_path)], jobs=1, cache=cache)
    many = lint([str(tmp_path)], jobs=2, cache=cache)
    assert many.files == one.files
    assert [d.as_dict() for d in many.diagnostics] == [d.as_dict() for d in one.diagnostics]
    assert {d.code for d in many.diagnostics} >= {"DL101", "DL302"}


def _source(path: Path) -> Any:
    [source] = [s for s in discover([str(path)]) if s.path == path]
    return source


def _recorded_later(cache: Cache, seconds: float) -> None:
    """Make the status records look written ``seconds`` later than they were (as if the files had
    last changed that long before them), without waiting."""
    for record in (cache.folder / __version__ / runner.STATUS).rglob("*.entry"):
        value = cache.get(record.stem, runner.STATUS)
        assert value is not None
        value["recorded_ns"] += int(seconds * 1e9)
        cache.put(record.stem, value, runner.STATUS)


def test_an_unchanged_file_is_answered_from_its_recorded_hash(tmp_path: Path) -> None:
    dataset = shutil.copytree(DOCS, tmp_path / "docs")
    [path] = sorted((dataset / "annotations").glob("*.json"))
    cache = Cache(tmp_path / "cache")
    first = lint([str(dataset)], cache=cache)
    source = _source(path)
    assert runner._recorded_digest(source, cache) is None  # recorded just now: not trusted yet
    _recorded_later(cache, 5)
    assert runner._recorded_digest(source, cache) == blake3(path.read_bytes()).digest()
    assert lint([str(dataset)], cache=cache).diagnostics == first.diagnostics


def test_a_file_changed_in_place_is_read_again(tmp_path: Path) -> None:
    dataset = shutil.copytree(DOCS, tmp_path / "docs")
    [path] = sorted((dataset / "annotations").glob("*.json"))
    cache = Cache(tmp_path / "cache")
    assert lint([str(dataset)], cache=cache).diagnostics
    _recorded_later(cache, 5)
    status = path.stat()
    text = path.read_bytes()
    fixed = text.replace(b'"label_id": 1', b'"label_id": 0', 1)
    assert fixed != text and len(fixed) == len(text)
    path.write_bytes(fixed)  # same size, and the old modification time put back
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert runner._recorded_digest(_source(path), cache) is None  # the change time moved
    assert lint([str(dataset)], cache=cache).diagnostics == lint([str(dataset)]).diagnostics


def test_archive_members_are_always_read(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "docs"), "zip", DOCS)
    cache = Cache(tmp_path / "cache")
    lint([archive], cache=cache)
    assert not (tmp_path / "cache" / __version__ / runner.STATUS).exists()


@pytest.mark.parametrize("cached", [False, True])
def test_a_file_is_compared_with_its_dataset_whatever_else_is_named(tmp_path: Path, cached: bool) -> None:
    dataset = shutil.copytree(EXPORT, tmp_path / "ds")
    train, val = dataset / "annotations" / "train.json", dataset / "annotations" / "val.json"
    doc = json.loads(val.read_text())
    doc["categories"]["label"]["labels"][0]["name"] = "truck"
    val.write_text(json.dumps(doc, separators=(",", ":")))
    cache = Cache(tmp_path / "cache") if cached else None

    def found(*paths: Path) -> list[tuple[str, str, str]]:
        report = lint([str(path) for path in paths], cache=cache)
        return [(d.file.rsplit("/", 1)[-1], d.code, d.pointer) for d in report.diagnostics]

    whole = found(dataset)
    assert ("val.json", "DL502", "/categories") in whole
    of_val = [d for d in whole if d[0] == "val.json"]
    assert found(val) == of_val  # named alone, val is still compared with train
    assert sorted(found(val, train)) == sorted(whole)  # whatever the order the files are named in
    fixed = fix([str(val)], settings=FixSettings(write=False))  # fix compares it as check does
    assert ("DL502", "/categories") in [(d.code, d.pointer) for d in fixed.results[0].remaining]
    train.unlink()  # without the file it was compared with, val is the dataset's reference
    assert [d[1] for d in found(val)] == ["DL108"]  # its label group names "car", which it lacks


def test_a_cached_result_is_never_served_by_other_code() -> None:
    """The cache key holds a fingerprint of dlint's modules and schemas: editing one (a source
    checkout between two releases) makes every earlier entry unreachable."""
    from dlint import cache as cache_module

    fingerprint = cache_module.code_fingerprint.__wrapped__  # (the cached value is the process's)
    module = Path(cache_module.__file__)
    before, info = fingerprint(), module.stat()
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000))
    try:
        changed = fingerprint()
    finally:
        os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert changed != before and fingerprint() == before


def test_a_big_file_has_the_column_pass_imported_while_it_is_read() -> None:
    script = (
        "import sys, threading\n"
        "from dlint.engine import COLUMN_MIN_SIZE, preload\n"
        "preload(COLUMN_MIN_SIZE - 1)()\n"
        "small = 'numpy' in sys.modules\n"
        "wait = preload(COLUMN_MIN_SIZE)\n"
        "wait()\n"
        "print(small, 'dlint.columns' in sys.modules, threading.active_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "1"]  # and no thread left to copy in a fork
