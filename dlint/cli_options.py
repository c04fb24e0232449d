"""Option declarations shared by more than one command of the command line."""

from __future__ import annotations

from typing import Annotated

import typer

Config = Annotated[
    list[str] | None,
    typer.Option(
        "--config",
        help="A configuration file to use for every path, or a KEY=VALUE override (TOML) of every "
        "configuration; repeatable.",
    ),
]
Isolated = Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")]
