"""The visual report: every diagnostic with its item drawn over its image (see dlint.visual.page)."""
