"""``dlint serve``: the linter as an HTTP upload gate (check and fix uploads before importing them).

Needs the ``serve`` extra (FastAPI on uvicorn). Modules: ``settings`` (limits), ``uploads`` (bodies
spooled to disk within the limit), ``service`` (calls of the API the CLI uses), ``responses`` and
``problems`` (answers and errors), ``handlers`` (the endpoints), ``app`` and ``run``.
"""
