"""File names as CI systems want them: relative to the root of the project (the repository)."""

from __future__ import annotations

import os
import urllib.parse

from dlint.pathmatch import relative_path

#: Variables CI systems set to the folder of the checked-out repository.
ROOT_VARIABLES = ("CI_PROJECT_DIR", "GITHUB_WORKSPACE")


def project_root(cwd: str | None = None) -> str:
    """The CI checkout holding the working directory, else the closest folder above it with ``.git``,
    else the working directory itself."""
    here = os.path.abspath(cwd or os.getcwd())
    for variable in ROOT_VARIABLES:
        value = os.environ.get(variable)
        if value and os.path.isdir(value):
            root = os.path.abspath(value)
            if os.path.commonpath([root, here]) == root:
                return root
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


def project_path(file: str, root: str) -> str:
    """A diagnostic's file relative to the project root, with forward slashes (absolute outside)."""
    return relative_path(file, root)


def uri(path: str) -> str:
    """A relative URI reference for a project path (a ``file://`` URI for an absolute one)."""
    quoted = urllib.parse.quote(path, safe="/")
    return f"file://{quoted}" if path.startswith("/") else quoted
