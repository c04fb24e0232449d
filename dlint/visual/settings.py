"""What the visual report shows of the run's settings, and its bounds, from the configuration."""

from __future__ import annotations

from collections.abc import Sequence

from dlint.api import select_rules
from dlint.config import Resolver
from dlint.reporters.summary import INFERRED
from dlint.visual.page import MAX_ROWS, MAX_THUMBNAILS, PageSettings


def page_settings(resolver: Resolver, targets: Sequence[str], most: int | None = None) -> PageSettings:
    """The page settings of a run: the target and configuration in force, and how much to draw
    (``most`` items, given on the command line, over the configured ``report.max-thumbnails``)."""
    settings = resolver.project_settings()
    given = targets or list(settings.target or ())
    configuration = (
        ("Configuration", settings.path or "defaults (no configuration file)"),
        ("Rules", f"{len(select_rules(resolver.project_options()))} selected"),
    )
    configured = settings.max_thumbnails
    return PageSettings(
        max_thumbnails=most if most is not None else MAX_THUMBNAILS if configured is None else configured,
        max_rows=settings.max_diagnostics or MAX_ROWS,
        target=", ".join(given) if given else INFERRED,
        configuration=configuration,
    )
