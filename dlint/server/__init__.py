"""``dlint serve``: the linter as an HTTP upload gate (check and fix uploads before importing them).

Needs the ``serve`` extra (FastAPI on uvicorn). Modules: ``settings`` (limits and options),
``uploads`` (bodies spooled to disk within the size and time limits), ``service`` (calls of the API
the CLI uses), ``jobs`` and ``workers`` (that work in worker processes that can be killed),
``lanes`` (how many run at once, for how long), ``guard`` (host allowlist and token), ``protocol``
(the deadline of a request head), ``responses`` and ``problems`` (answers and errors), ``pages``
(the upload page, ``GET /``, which shows the visual report), ``handlers`` (the endpoints), ``app``
and ``run``.
"""
