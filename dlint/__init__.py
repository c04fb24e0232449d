"""dlint: a schema-first linter and autofixer for Datumaro-format annotation exports."""

from __future__ import annotations

__version__ = "0.1.0"
#: The name dlint is installed under (``pip install datumaro-lint``): the command and the package
#: are ``dlint``, but that name on the package index belongs to another project.
DISTRIBUTION = "datumaro-lint"
