"""Glob patterns for ``exclude`` and ``per-file-ignores``, matched against paths relative to a folder.

The syntax is gitignore's, without its negation of earlier patterns: ``*`` and ``?`` stay within one
path component, ``**`` crosses folders, ``[abc]`` is a character class. A pattern matches a path when it
matches the whole path or a folder above it, so ``legacy`` and ``legacy/`` cover everything below a
``legacy`` folder; a pattern without a slash is also tried against every single component (``*.zip``
matches an archive wherever it lies, and with it every member of the archive).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import PurePosixPath


def relative_path(path: str, root: str | None) -> str:
    """``path`` (relative to the working directory, or absolute) relative to ``root``, with forward
    slashes; the absolute path when it does not lie below ``root``.
    """
    absolute = PurePosixPath(os.path.abspath(path).replace(os.sep, "/"))
    base = PurePosixPath(os.path.abspath(root or ".").replace(os.sep, "/"))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()


def matches(pattern: str, path: str) -> bool:
    """Whether a pattern matches a relative path (``a/b/c.json``) or a folder above it."""
    regex = _compile(pattern)
    parts = path.split("/")
    candidates = ["/".join(parts[: end + 1]) for end in range(len(parts))]
    if "/" not in pattern.strip("/"):
        candidates += parts
    return any(regex.fullmatch(candidate) for candidate in candidates)


def matches_any(patterns: tuple[str, ...], path: str) -> bool:
    return any(matches(pattern, path) for pattern in patterns)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    text = pattern.strip()
    text = text.removeprefix("./").lstrip("/").rstrip("/")
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif text.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[" and "]" in text[index + 2 :]:
            end = text.index("]", index + 2)
            body = text[index + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return re.compile("".join(out))
