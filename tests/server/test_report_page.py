"""The visual report over HTTP, on real servers: ``POST /v1/check?output_format=html``, and the upload
page (``GET /``) that sends a file there and shows the report, in a real browser cut off from
everything but the service."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from dlint.api import lint
from dlint.reporters.summary import INFERRED
from dlint.visual.page import script_source
from tests.browser import Watched, opened, pixel
from tests.server.conftest import LIMIT, Server, running
from tests.server.data import CVAT_DOCS, JSON, ZIP, heavy
from tests.server.processes import wait_for, workers

TOKEN = "s3cret-token-for-the-upload-page"
HTML = {"output_format": "html"}
HTML_TYPE = "text/html; charset=utf-8"
#: The image of the dataset's item: 100 x 80, one colour.
WIDTH, HEIGHT = 100, 80
RED = (220, 30, 30)
#: A polygon whose x goes from -50 to 30: it leaves the image on the left (DL210).
OUTSIDE = [-50.0, 10.0, 30.0, 10.0, 30.0, 60.0, -50.0, 60.0]
#: The time budget of the server that stops a report.
BUDGET = 3


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), RED).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _annotations() -> bytes:
    polygon = {
        "id": 1,
        "type": "polygon",
        "attributes": {},
        "group": 0,
        "label_id": 0,
        "z_order": 0,
        "points": OUTSIDE,
    }
    document = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": {
            "label": {
                "labels": [{"name": "car", "parent": "", "attributes": []}],
                "attributes": [],
                "label_groups": [],
            }
        },
        "items": [{"id": "a", "annotations": [polygon], "image": {"path": "a.jpg", "size": [HEIGHT, WIDTH]}}],
    }
    return json.dumps(document).encode()


def dataset_zip() -> bytes:
    """A dataset archive: ``annotations/train.json`` with one item whose polygon leaves its image,
    and that image, ``images/train/a.jpg``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("annotations/train.json", _annotations())
        target.writestr("images/train/a.jpg", _jpeg())
    return buffer.getvalue()


def _no_annotations() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        target.writestr("readme.txt", "no dataset here")
    return buffer.getvalue()


def _rows(page: str) -> list[str]:
    """The rule codes of the diagnostics a report lists, in order."""
    return re.findall(r'<li class="row [a-z]+" data-severity="[a-z]+" data-rule="(DL\d{3})"', page)


def _facts(page: str) -> dict[str, str]:
    """The target and configuration a report states."""
    return {
        html.unescape(k): html.unescape(v) for k, v in re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page)
    }


def _uploads(server: Server) -> list[Path]:
    """The spooled uploads left in the server's temporary folder."""
    return sorted((server.log.parent / "tmp").glob("dlint-upload-*"))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("page-guarded"), env={"DLINT_SERVE_TOKEN": TOKEN}) as started:
        yield started


@pytest.fixture
def zipped(tmp_path: Path) -> Path:
    path = tmp_path / "dataset.zip"
    path.write_bytes(dataset_zip())
    return path


# -- POST /v1/check?output_format=html -------------------------------------------------------------


def test_a_json_file_gives_the_report_of_its_diagnostics(client: httpx.Client, server: Server) -> None:
    answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON, params=HTML)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == HTML_TYPE
    page = answer.text
    assert page.startswith("<!DOCTYPE html>")
    assert _rows(page) == [d.code for d in lint([str(CVAT_DOCS)]).diagnostics] == ["DL211", "DL302"]
    assert "<code>default.json:30:11</code>" in page  # named after the upload, as in the JSON answer
    facts = _facts(page)
    assert facts["Target"] == INFERRED
    assert (facts["Select"], facts["Ignore"], facts["Dialect"]) == ("ALL", "nothing", "detected per file")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page  # its own
    policy = _policy(answer)  # and the same as a header, for a browser that opens the answer itself
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == [script_source()]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "dlint-upload-" not in page  # the temporary folder is named nowhere
    assert _uploads(server) == []


def test_the_report_states_the_target_and_selection_given(client: httpx.Client) -> None:
    params = {**HTML, "select": "DL2,DL3", "ignore": "zero-area-polygon", "target": "cvat"}
    answer = client.post("/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON, params=params)
    assert answer.status_code == 200, answer.text
    assert _rows(answer.text) == ["DL302"]
    facts = _facts(answer.text)
    assert (facts["Target"], facts["Select"], facts["Ignore"]) == ("cvat", "DL2, DL3", "zero-area-polygon")
    both = client.post(
        "/v1/check", content=CVAT_DOCS.read_bytes(), headers=JSON, params={**HTML, "target": "all"}
    )
    assert _facts(both.text)["Target"] == "all"


def test_an_archive_draws_the_item_over_its_image(client: httpx.Client, server: Server) -> None:
    params = {**HTML, "filename": "dataset.zip"}
    answer = client.post("/v1/check", content=dataset_zip(), headers=ZIP, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == HTML_TYPE
    page = answer.text
    assert _rows(page) == ["DL210"]
    assert '<code class="file">dataset.zip/annotations/train.json</code>' in page
    assert page.count('<figure class="scene">') == 1
    assert "Image not drawn" not in page
    # The image was found in the spooled archive, while it existed: its thumbnail is the red picture.
    found = re.findall(r'href="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(found) == 1
    with Image.open(io.BytesIO(base64.b64decode(found[0]))) as image:
        assert image.size == (WIDTH, HEIGHT)
        red, green, blue = image.convert("RGB").getpixel((WIDTH - 10, HEIGHT // 2))
    assert red > 180 and green < 80 and blue < 80, (red, green, blue)
    assert "dlint-upload-" not in page
    assert _uploads(server) == []


def test_failures_are_still_problems(client: httpx.Client) -> None:
    cases = [
        (_no_annotations(), ZIP, {}, 422, "no-annotation-files"),
        (b"PK\x03\x04 not really", ZIP, {}, 422, "unreadable-archive"),
        (CVAT_DOCS.read_bytes(), JSON, {"select": "DL9999x"}, 400, "invalid-options"),
        (b"{}", {"content-type": "text/plain"}, {}, 415, "unsupported-media-type"),
        (b"{}", JSON, {"output_format": "pdf"}, 422, "invalid-request"),
        (b"x" * (LIMIT + 1), ZIP, {}, 413, "body-too-large"),
    ]
    for body, headers, params, status, slug in cases:
        answer = client.post("/v1/check", content=body, headers=headers, params={**HTML, **params})
        assert answer.status_code == status, (slug, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == f"urn:dlint:problem:{slug}"


def test_the_time_budget_stops_a_report(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("budget")  # a short path: the workers' socket lives below it
    with running(folder, "--timeout", str(BUDGET)) as bounded, bounded.client() as client:
        answer = client.post("/v1/check", content=heavy(), headers=ZIP, params=HTML)
        assert answer.status_code == 504, answer.text
        assert answer.json()["type"] == "urn:dlint:problem:time-budget-exceeded"
        assert wait_for(lambda: not workers(bounded.pid), 10), "the stopped check's processes remain"
        assert _uploads(bounded) == []


def test_the_description_declares_the_html_report(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/check"]["post"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "output_format"]
    schema = parameter["schema"]
    enum = schema.get("enum") or spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == ["json", "sarif", "html"]
    assert "html" in parameter["description"]
    assert "text/html" in operation["responses"]["200"]["content"]
    assert "/" not in spec["paths"]  # the upload page is for people, not part of the API


# -- GET / -------------------------------------------------------------------------------------------


def _policy(answer: httpx.Response) -> dict[str, list[str]]:
    directives = [
        part.split() for part in answer.headers["content-security-policy"].split(";") if part.strip()
    ]
    return {name: values for name, *values in directives}


def _hash(script: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def test_the_page_is_served_open_under_a_strict_policy(guarded: Server, client: httpx.Client) -> None:
    with guarded.client() as session:
        answer = session.get("/")  # no token
        assert session.get("/v1/rules").status_code == 401  # the API still needs it
    assert answer.status_code == 200
    assert answer.headers["content-type"] == HTML_TYPE
    page = answer.text
    assert 'data-token="required"' in page
    assert 'data-token="optional"' in client.get("/").text  # a server without a token asks for none
    policy = _policy(answer)
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["data:"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert scripts and all(_hash(script) in policy["script-src"] for script in scripts)
    assert all(value.startswith("'sha256-") for value in policy["script-src"])  # hashes only
    assert not re.search(r"<script[^>]+src=|<link|https?://", page)  # nothing loaded from anywhere
    assert 'sandbox="allow-scripts"' in page
    assert "Drop a zip archive or an annotation JSON file" in page


# -- the page in a browser ---------------------------------------------------------------------------


def _report_frame(watched: Watched) -> Any:
    frame = watched.page.frame_locator("iframe")
    frame.locator(".row").first.wait_for()
    return frame


def _only_refusals(watched: Watched, status: int) -> None:
    """The page logged nothing but the browser's note of the refused upload."""
    assert all(f"status of {status}" in error for error in watched.errors), watched.errors


def test_the_page_shows_the_report_of_an_archive(server: Server, zipped: Path) -> None:
    with opened() as watched:
        page = watched.page
        page.goto(f"{server.url}/")
        assert page.locator("#token-field").is_hidden()  # the server has no token
        page.set_input_files("#file", str(zipped))
        page.click("#check")
        frame = _report_frame(watched)
        assert page.locator("iframe").get_attribute("sandbox") == "allow-scripts"
        row = frame.locator(".row[data-rule=DL210]")
        assert row.count() == 1 and "outside the image" in row.text_content()
        assert "dataset.zip/annotations/train.json" in row.text_content()
        svg = frame.locator("figure.scene svg")
        assert svg.count() == 1
        assert svg.locator("image").get_attribute("href").startswith("data:image/jpeg;base64,")
        assert svg.locator("g.ann polygon").count() == 1
        shot = svg.screenshot()
        view = svg.evaluate(
            "s => { const v = s.viewBox.baseVal, r = s.getBoundingClientRect();"
            " return [v.x, v.y, v.width, v.height, r.width, r.height]; }"
        )
        vx, vy, vw, vh, width, height = view
        x, y = round((80 - vx) / vw * width), round((40 - vy) / vh * height)  # right of the polygon
        red, green, blue = pixel(shot, x, y)
        assert red > 150 and green < 100 and blue < 100, (red, green, blue)  # the image, drawn
        # the report's own script runs in its frame: its filters work
        frame.locator("input[name=severity][value=warning]").uncheck()
        assert frame.locator("#shown").text_content() == "0 of 1 shown"
        assert page.locator("#status").text_content() == "Report of dataset.zip."
        assert watched.errors == []
        assert watched.requests_beyond(server.url) == []
        assert f"{server.url}/v1/check?output_format=html&filename=dataset.zip" in watched.requests


def test_a_json_file_dropped_on_the_page_is_checked_for_the_target_chosen(server: Server) -> None:
    content = base64.b64encode(CVAT_DOCS.read_bytes()).decode()
    with opened() as watched:
        page = watched.page
        page.goto(f"{server.url}/")
        page.select_option("#target", "cvat")
        # a file dropped from the desktop, with no media type: the page tells JSON from zip itself
        page.evaluate(
            """content => {
                const bytes = Uint8Array.from(atob(content), c => c.charCodeAt(0));
                const data = new DataTransfer();
                data.items.add(new File([bytes], "default.json"));
                const zone = document.getElementById("drop");
                const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true});
                zone.dispatchEvent(drop);
            }""",
            content,
        )
        assert page.locator("#chosen").text_content().startswith("default.json")
        page.click("#check")
        frame = _report_frame(watched)
        codes = [row.get_attribute("data-rule") for row in frame.locator(".row").all()]
        assert codes == ["DL211", "DL302"]
        facts = dict(
            zip(
                frame.locator("dl.facts dt").all_text_contents(),
                frame.locator("dl.facts dd").all_text_contents(),
                strict=True,
            )
        )
        assert facts["Target"] == "cvat"
        assert watched.errors == []
        assert watched.requests_beyond(server.url) == []


def test_a_problem_is_shown_as_text(server: Server, tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    empty.write_bytes(_no_annotations())
    with opened() as watched:
        page = watched.page
        page.goto(f"{server.url}/")
        page.set_input_files("#file", str(empty))
        page.click("#check")
        problem = page.locator("#problem")
        problem.wait_for()
        text = problem.text_content()
        assert text.startswith("Unprocessable content (422): the archive holds no annotation file"), text
        assert page.locator("iframe").is_hidden()
        _only_refusals(watched, 422)
        assert watched.requests_beyond(server.url) == []


def test_the_page_sends_the_token_typed(guarded: Server, zipped: Path) -> None:
    with opened() as watched:
        page = watched.page
        page.goto(f"{guarded.url}/")
        assert page.locator("#token").is_visible()
        page.set_input_files("#file", str(zipped))
        page.click("#check")  # no token typed: the page asks for it, and sends nothing
        assert "needs its token" in page.locator("#problem").text_content()
        assert [url for url in watched.requests if "/v1/" in url] == []

        page.fill("#token", "not the token")
        page.click("#check")
        page.locator("#problem:has-text('401')").wait_for()
        text = page.locator("#problem").text_content()
        assert text.startswith("Unauthorized (401): send the service's token"), text

        page.fill("#token", TOKEN)
        page.click("#check")
        frame = _report_frame(watched)
        assert frame.locator(".row[data-rule=DL210]").count() == 1
        assert frame.locator("figure.scene svg image").count() == 1
        assert page.locator("#problem").is_hidden()
        _only_refusals(watched, 401)
        assert len(watched.errors) == 1
        assert watched.requests_beyond(guarded.url) == []
