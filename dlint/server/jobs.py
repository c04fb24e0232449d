"""The work of ``/v1/check`` and ``/v1/fix`` as it runs in a worker process (see
``dlint.server.workers``): the check or fix, then the answer written next to the upload, so that
only a few names and headers travel back to the server."""

from __future__ import annotations

from dataclasses import dataclass

from dlint.api import LintOptions
from dlint.server import responses, service
from dlint.server.uploads import Upload

#: The file, in an upload's folder, that holds the answer to a check.
ANSWER = "answer"


@dataclass(frozen=True)
class Answer:
    """What to send back: a file of the upload's folder, its media type, and headers."""

    name: str
    media_type: str
    headers: dict[str, str]


def check(upload: Upload, options: LintOptions, output_format: str) -> Answer:
    """Lint the upload; write the report (JSON, SARIF or the visual report) in its folder. The visual
    report is rendered here, while the spooled upload it draws the items from still exists."""
    report = service.check(upload, options)
    headers: dict[str, str] = {}
    if output_format == "html":
        body, media_type = responses.report_page(report, options)
        headers = responses.PAGE_HEADERS
    else:
        body, media_type = responses.checked(report, output_format)
    (upload.folder / ANSWER).write_bytes(body)
    return Answer(ANSWER, media_type, headers)


def fix(upload: Upload, options: LintOptions, unsafe: bool, style: str, header_limit: int) -> Answer:
    """Fix the upload in place; the fix headers say what was done."""
    result = service.fix_upload(upload, options, unsafe=unsafe, style=style)
    headers = responses.fix_headers(result, upload, header_limit)
    return Answer(upload.path.name, responses.MEDIA_TYPES[upload.kind], headers)
