"""dlint: a schema-first linter and autofixer for Datumaro-format annotation exports."""

from __future__ import annotations

__version__ = "0.1.0"
