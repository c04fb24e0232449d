"""A cache folder shipped with a repository cannot forge a verdict: its entries are authenticated
with a secret kept in the user's cache directory, outside the working tree."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from dlint.cache import CACHE_DIR, KEY_FILE, Cache
from dlint.runner import STATUS
from tests.conftest import Run
from tests.hardening.conftest import CVAT_DOCS, assert_clean_exit

FORGED = {"diagnostics": [], "reference": None}


def _check(repo: Path, user_cache: Path, *args: str) -> Run:
    """``dlint check`` run in ``repo`` by a user whose cache directory is ``user_cache``."""
    env = {**os.environ, "XDG_CACHE_HOME": str(user_cache)}
    command = [sys.executable, "-m", "dlint", "check", "ds", "--output-format", "json", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=repo, env=env, timeout=120)
    return Run(done.returncode, done.stdout, done.stderr)


def _repository(tmp_path: Path) -> Path:
    """A repository holding a dataset with one error and one warning."""
    repo = tmp_path / "repo"
    (repo / "ds" / "annotations").mkdir(parents=True)
    shutil.copy(CVAT_DOCS, repo / "ds" / "annotations" / "default.json")
    return repo


def _entries(repo: Path) -> list[Path]:
    return sorted((repo / CACHE_DIR).rglob("*.entry"))


def test_overwritten_entries_are_not_trusted(tmp_path: Path) -> None:
    repo, user = _repository(tmp_path), tmp_path / "user"
    first = _check(repo, user)
    assert_clean_exit(first, 1)
    assert _entries(repo)
    for entry in _entries(repo):  # the forgery of the report: plain entries, status records dropped
        entry.write_bytes(json.dumps(FORGED).encode())
    for status in (repo / CACHE_DIR).rglob("status"):
        shutil.rmtree(status)
    again = _check(repo, user)
    assert_clean_exit(again, 1)
    assert again.json() == first.json()


def test_entries_made_with_another_secret_are_not_trusted(tmp_path: Path) -> None:
    repo, user, stranger = _repository(tmp_path), tmp_path / "user", tmp_path / "stranger"
    assert_clean_exit(_check(repo, stranger), 1)  # the stranger's own dlint fills the cache
    secret = (stranger / "dlint" / KEY_FILE).read_bytes()
    forger = Cache(repo / CACHE_DIR, secret)
    for entry in _entries(repo):
        if STATUS not in entry.parts:
            forger.put(entry.stem, FORGED)
    assert_clean_exit(_check(repo, stranger), 0)  # what the forgery would give, were it trusted
    shipped = _check(repo, user)  # the same folder, checked out by another user (or CI)
    assert_clean_exit(shipped, 1)
    assert [d["code"] for d in shipped.json()] == ["DL211", "DL302"]
    assert_clean_exit(_check(repo, user), 1)  # the entries it rewrote are its own


def test_the_secret_lives_in_the_user_cache_directory_alone(tmp_path: Path) -> None:
    repo, user = _repository(tmp_path), tmp_path / "user"
    assert_clean_exit(_check(repo, user), 1)
    secret = user / "dlint" / KEY_FILE
    assert len(secret.read_bytes()) == 32
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert not list(repo.rglob(KEY_FILE))
    assert_clean_exit(_check(repo, user), 1)
    assert secret.read_bytes() == (user / "dlint" / KEY_FILE).read_bytes()


def test_without_a_secret_the_cache_is_off(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    (tmp_path / "not-a-folder").write_text("")
    run = _check(repo, tmp_path / "not-a-folder" / "cache")
    assert_clean_exit(run, 1)
    assert [d["code"] for d in run.json()] == ["DL211", "DL302"]
    assert not (repo / CACHE_DIR).exists()


def test_a_refusal_leaves_nothing_in_the_cache(tmp_path: Path) -> None:
    """What was not read has no content to be remembered by: neither its result nor its status is
    recorded (a record of a link's target would vouch for a file that must not be read)."""
    repo, user = tmp_path / "repo", tmp_path / "user"
    (repo / "ds" / "annotations").mkdir(parents=True)
    shutil.copy(CVAT_DOCS, tmp_path / "outside.json")
    (repo / "ds" / "annotations" / "default.json").symlink_to(tmp_path / "outside.json")
    for _ in range(2):
        run = _check(repo, user)
        assert_clean_exit(run, 1)
        assert [d["code"] for d in run.json()] == ["DL006"]
    assert _entries(repo) == []
