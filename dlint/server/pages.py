"""The upload page (``GET /``): drop an annotation file or a dataset archive, see its visual report.

The page is one file of package data (``static/upload.html``), read once and served from memory. Its
style and script are inline; the script runs by its hash alone, under a Content-Security-Policy that
lets the page ask nothing of anyone but the service (``connect-src 'self'``). The page sends the
upload to ``POST /v1/check?output_format=html`` and shows the report in a sandboxed frame
(``srcdoc``): a frame written that way inherits this policy besides its own, so the policy allows the
report's script too, by its hash. When the service has a token, the page asks for it and sends it as
the bearer token the service expects.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from starlette.responses import Response

from dlint.visual.page import hash_source, script_source

HTML_TYPE = "text/html; charset=utf-8"
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
#: What the page says of the token: ``optional`` (the field is hidden) or ``required``.
_TOKEN_MARK = 'data-token="optional"'


def upload_page(token_required: bool) -> Response:
    """The page, with the headers that bound what it may do."""
    body, policy = _page(token_required)
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return Response(body, media_type=HTML_TYPE, headers=headers)


@functools.cache
def _page(token_required: bool) -> tuple[bytes, str]:
    text = resources.files("dlint.server").joinpath("static/upload.html").read_text(encoding="utf-8")
    if _TOKEN_MARK not in text:
        raise RuntimeError(f"the upload page lacks {_TOKEN_MARK}")
    if token_required:
        text = text.replace(_TOKEN_MARK, 'data-token="required"', 1)
    scripts = [hash_source(script) for script in _SCRIPT.findall(text)]
    if not scripts:
        raise RuntimeError("the upload page holds no inline script")
    # a report shown in a srcdoc frame inherits this policy besides its own: allow its script too
    sources = " ".join([*scripts, script_source()])
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {sources}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "connect-src 'self'",
            # the report's frame is written in place (srcdoc), which loads no URL: no frame source is
            # needed, and none is allowed
            "frame-src 'none'",
            "child-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            # no other page may frame this one (and lure a click, or the token, out of it)
            "frame-ancestors 'none'",
        ]
    )
    return text.encode("utf-8"), policy
