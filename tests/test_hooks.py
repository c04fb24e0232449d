"""The hooks, run for real: pre-commit try-repo on this repository, and the plain git hook in a commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOOD = ROOT / "tests" / "rules" / "base.json"
BROKEN = ROOT / "examples" / "cvat-docs" / "annotations" / "default.json"


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=600)


def _env() -> dict[str, str]:
    """This interpreter's scripts first on PATH, so hooks find the dlint under test."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@localhost", GIT_COMMITTER_NAME="t")
    env.update(GIT_COMMITTER_EMAIL="t@localhost")
    return env


def _dataset_repo(path: Path, annotation: Path) -> Path:
    (path / "data" / "annotations").mkdir(parents=True)
    shutil.copy(annotation, path / "data" / "annotations" / "default.json")
    (path / "README.md").write_text("a dataset\n")
    _git(path, "init", "-q")
    _git(path, "add", ".")
    return path


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: pre-commit installs this repository once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(repo: Path, home: Path, hook: str = "dlint") -> subprocess.CompletedProcess[str]:
    env = _env() | {"PRE_COMMIT_HOME": str(home)}
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        hook,
        "--all-files",
        "--color",
        "never",
    ]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)


def test_pre_commit_hook_passes_a_good_dataset(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = _dataset_repo(tmp_path, GOOD)
    done = _try_repo(repo, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dlint" in done.stdout and "Passed" in done.stdout


def test_pre_commit_hook_fails_a_broken_dataset_naming_the_file(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    repo = _dataset_repo(tmp_path, BROKEN)
    done = _try_repo(repo, pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "data/annotations/default.json:48:11: DL302" in done.stdout


def test_pre_commit_fix_hook_repairs_then_passes(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = _dataset_repo(tmp_path, GOOD)
    target = repo / "data" / "annotations" / "default.json"
    doc = json.loads(target.read_text())
    doc["items"][0]["annotations"][1]["label_id"] = "1"  # a numeric string: a safe fix
    target.write_text(json.dumps(doc, indent=2))
    _git(repo, "add", ".")
    first = _try_repo(repo, pre_commit_home, "dlint-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = json.loads(target.read_text())
    assert fixed["items"][0]["annotations"][1]["label_id"] == 1
    lines = target.read_bytes().splitlines()
    assert 1 < len(lines) < len(json.dumps(doc, indent=2).splitlines())  # laid out on lines, it stays so
    _git(repo, "add", ".")
    second = _try_repo(repo, pre_commit_home, "dlint-fix")
    assert second.returncode == 0, second.stdout + second.stderr


def test_plain_git_hook_refuses_a_broken_commit_and_accepts_the_fix(tmp_path: Path) -> None:
    repo = _dataset_repo(tmp_path, BROKEN)
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(ROOT / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    refused = _git(repo, "commit", "-m", "broken", env=_env())
    assert refused.returncode != 0
    assert "data/annotations/default.json:48:11: DL302" in refused.stderr
    assert "commit refused" in refused.stderr
    assert _git(repo, "rev-parse", "--verify", "HEAD").returncode != 0  # nothing was committed

    shutil.copy(GOOD, repo / "data" / "annotations" / "default.json")
    _git(repo, "add", ".")
    accepted = _git(repo, "commit", "-m", "fixed", env=_env())
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_plain_git_hook_checks_the_staged_version_not_the_working_tree(tmp_path: Path) -> None:
    repo = _dataset_repo(tmp_path, BROKEN)
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(ROOT / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    shutil.copy(GOOD, repo / "data" / "annotations" / "default.json")  # fixed, but not staged
    refused = _git(repo, "commit", "-m", "broken", env=_env())
    assert refused.returncode != 0
    assert "DL302" in refused.stderr


def test_plain_git_hook_tells_the_other_dlint_package_apart(tmp_path: Path) -> None:
    """The package index's ``dlint`` is another project with a top-level ``dlint`` module: the hook
    must not take it for the annotation linter."""
    other = tmp_path / "other"
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(other)]
    subprocess.run([*install, "dlint==0.17.0"], check=True, capture_output=True, timeout=300)
    assert (other / "dlint" / "__init__.py").exists()
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "python3").symlink_to(sys._base_executable)  # an interpreter without this project
    env = _env() | {"PATH": f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin", "PYTHONPATH": str(other)}
    assert subprocess.run([tools / "python3", "-c", "import dlint"], env=env).returncode == 0
    repo = _dataset_repo(tmp_path / "repo", BROKEN)
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(ROOT / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    refused = _git(repo, "commit", "-m", "broken", env=env)
    assert refused.returncode != 0
    assert "another package of that name" in refused.stderr
    assert "pip install datumaro-lint" in refused.stderr
    pinned = _git(repo, "commit", "-m", "broken", env=env | {"DLINT": f"{tools / 'python3'} -m dlint"})
    assert pinned.returncode != 0
    assert "is not the annotation linter (datumaro-lint)" in pinned.stderr


def _subsets_repo(path: Path, count: int) -> Path:
    """A repository holding one dataset of ``count`` subset files that agree, committed."""
    folder = path / "data" / "annotations"
    folder.mkdir(parents=True)
    for index in range(count):
        shutil.copy(GOOD, folder / f"part{index:02}.json")
    _git(path, "init", "-q")
    _git(path, "add", ".")
    _git(path, "commit", "-q", "-m", "data", env=_env())
    return path


def _relabelled(path: Path) -> None:
    document = json.loads(path.read_text())
    document["categories"]["label"]["labels"][0]["name"] = "renamed"
    path.write_text(json.dumps(document))


def _reported(output: str) -> set[tuple[str, str]]:
    """(file, code) of every diagnostic headline in an output."""
    found = set()
    for line in output.splitlines():
        parts = line.split(":")
        if len(parts) > 3 and parts[0].endswith(".json") and parts[3].strip().startswith("DL"):
            found.add((parts[0], parts[3].split()[0]))
    return found


def test_pre_commit_batches_give_the_verdict_of_one_run(tmp_path: Path, pre_commit_home: Path) -> None:
    """pre-commit shares long file lists out between processes; each file is still compared with the
    first subset file of its dataset, in whatever batch that one lands."""
    assert (os.cpu_count() or 1) >= 2  # (pre-commit makes as many batches as there are cores)
    repo = _subsets_repo(tmp_path / "repo", 10)
    _relabelled(repo / "data" / "annotations" / "part00.json")  # the one the others are compared with
    _git(repo, "add", ".")
    done = _try_repo(repo, pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    whole = subprocess.run(
        [sys.executable, "-m", "dlint", "check", "data", "--output-format", "concise", "--no-cache"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    expected = _reported(whole.stdout)
    assert {code for _, code in expected} == {"DL502"} and len(expected) == 9
    assert _reported(done.stdout) == expected


def test_pre_commit_compares_a_changed_file_with_the_files_it_did_not_change(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    repo = _subsets_repo(tmp_path / "repo", 3)
    _relabelled(repo / "data" / "annotations" / "part02.json")
    _git(repo, "add", ".")
    env = _env() | {"PRE_COMMIT_HOME": str(pre_commit_home)}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "dlint", "--color", "never"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _reported(done.stdout) == {("data/annotations/part02.json", "DL502")}


def _plain_hook_repo(path: Path, annotation: Path, configuration: str = "") -> Path:
    repo = _dataset_repo(path, annotation)
    if configuration:
        (repo / "pyproject.toml").write_text(configuration)
        _git(repo, "add", ".")
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(ROOT / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    return repo


@pytest.mark.parametrize(
    "configuration",
    [
        '[tool.dlint]\nignore = ["DL302"]\n',
        '[tool.dlint.per-file-ignores]\n"data/**" = ["invalid-rle-counts"]\n',
    ],
    ids=["ignore", "per-file-ignores"],
)
def test_plain_git_hook_honours_the_repository_configuration(tmp_path: Path, configuration: str) -> None:
    repo = _plain_hook_repo(tmp_path, BROKEN, configuration)  # its one error is DL302
    accepted = _git(repo, "commit", "-m", "configured", env=_env())
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_check_staged_reads_the_index_both_ways(tmp_path: Path) -> None:
    target = "data/annotations/default.json"
    repo = _plain_hook_repo(tmp_path, BROKEN)
    shutil.copy(GOOD, repo / target)  # staged broken, working copy good
    command = [sys.executable, "-m", "dlint", "check", "--staged", "--output-format", "concise"]
    staged = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=_env(), timeout=120)
    assert staged.returncode == 1 and f"{target}:48:11: DL302" in staged.stdout  # under its real path
    refused = _git(repo, "commit", "-m", "broken", env=_env())
    assert refused.returncode != 0 and f"{target}:48:11: DL302" in refused.stderr
    _git(repo, "add", ".")
    shutil.copy(BROKEN, repo / target)  # staged good, working copy broken
    accepted = _git(repo, "commit", "-m", "good", env=_env())
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert _git(repo, "show", f"HEAD:{target}").stdout == GOOD.read_text()


def test_check_staged_compares_with_the_staged_subsets_and_the_working_tree_media(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "datumaro-export", repo / "ds")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "data", env=_env())
    val = repo / "ds" / "annotations" / "val.json"
    document = json.loads(val.read_text())
    document["categories"]["label"]["labels"][0]["name"] = "truck"
    val.write_text(json.dumps(document))
    _git(repo, "add", ".")
    (repo / "ds" / "images" / "val" / "img_101.jpg").unlink()  # gone from the working tree only
    command = [sys.executable, "-m", "dlint", "check", "--staged", "--output-format", "json", "--no-cache"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=_env(), timeout=120)
    found = {(d["file"], d["code"]) for d in json.loads(done.stdout)}
    assert ("ds/annotations/val.json", "DL502") in found  # compared with the staged train.json
    assert ("ds/annotations/val.json", "DL407") in found  # the media of the working tree
    assert {file for file, _ in found} == {"ds/annotations/val.json"}  # train.json is not staged
