"""The engine restores the Python memory snapshot, and still works when it cannot.

build_scripts/snapshot.py makes `python-snapshot.bin` at build time; engine-worker.mjs hands it
to loadPyodide so CPython's start-up is skipped. Every other browser test runs on the restored
interpreter; these check that it is really used, and that a host which does not serve the file,
serves something else under its name, or serves a snapshot made by another Pyodide (the private
`_loadSnapshot` API may change between versions) still gets correct answers from a normal start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, Request, Route, expect

from build_scripts.paths import SITE
from build_scripts.snapshot import (
    CORE_STDLIB_NAME,
    FULL_STDLIB_NAME,
    HEADER_SIZE,
    SNAPSHOT_NAME,
    snapshot_header,
)
from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import downloads, wait_for_engine, wait_for_json

GRADE_PARAMS = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "2.99",
    "mitoses.per_2mm2": "3",
}
SEQUENCE_PARAMS = PNET_PROGRESSING


def engine_info(page: Page) -> dict:
    return page.evaluate("window.NetEngine.ready")


def expected(kind: str, params: dict[str, str]) -> dict:
    return json.loads(web.handle(kind, json.dumps(params)))


def check_grade(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}calculator/grade/?{urlencode(GRADE_PARAMS)}")
    wait_for_engine(page)
    wait_for_json(page, expected("grade", GRADE_PARAMS))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")


def check_sequence(page: Page, site_url: str, *, same_worker: bool = False) -> None:
    """The sequence calculator's answer; `same_worker`: reached from the page already open by
    Material's instant navigation, so the interpreter that answered there answers here too."""
    url = f"{site_url}calculator/sequence/?{urlencode(SEQUENCE_PARAMS)}"
    if same_worker:
        page.evaluate(
            """(href) => {
              window.__samePageView = true;
              const link = Object.assign(document.createElement("a"), { href, id: "to-sequence" });
              link.textContent = "sequence";
              document.querySelector("article").append(link);
            }""",
            url,
        )
        page.locator("#to-sequence").click()
        expect(page).to_have_url(re.compile(f"^{re.escape(url)}(#.*)?$"))  # anchor tracking
        assert page.evaluate("() => window.__samePageView === true"), "a full page load happened"
    else:
        page.goto(url)
    wait_for_engine(page)
    result = expected("sequence", SEQUENCE_PARAMS)
    assert result["status"] == "complete"
    options = page.get_by_test_id("options").locator("[data-option-id]")
    expect(options).to_have_count(len(result["options"]))
    shown = [item.get_attribute("data-option-id") for item in options.all()]
    assert shown == [option["id"] for option in result["options"]]


# Both calculators give CPython's JSON on whatever interpreter the worker started.


def file_names(page: Page) -> list[str]:
    """Names of the files the page and its worker ask for, filled in as they go."""
    names: list[str] = []
    page.context.on("request", lambda request: names.append(request.url.rsplit("/", 1)[-1]))
    return names


def test_worker_restores_the_snapshot(page: Page, site_url: str) -> None:
    fetched: list[Request] = []
    page.context.on(
        "requestfinished",
        lambda request: fetched.append(request) if SNAPSHOT_NAME in request.url else None,
    )
    names = file_names(page)
    check_grade(page, site_url)
    assert engine_info(page)["snapshot"] is True
    check_sequence(page, site_url)
    assert fetched, "the worker never asked for the snapshot"
    response = fetched[0].response()
    assert response is not None and response.status == 200
    # The restored interpreter gets the cut-down standard library, not the whole 2.5 MB.
    assert CORE_STDLIB_NAME in names and FULL_STDLIB_NAME not in names, names


def serve_instead(page: Page, status: int, body: bytes, encoding: str | None = None) -> None:
    """Answer the worker's request for the snapshot with `body`."""

    def replace(route: Route) -> None:
        route.fulfill(
            status=status,
            body=body,
            content_type="application/octet-stream",
            headers={"Content-Encoding": encoding} if encoding else {},
        )

    page.context.route(f"**/{SNAPSHOT_NAME}", replace)


def check_grade_without_snapshot(page: Page, site_url: str, names: list[str]) -> None:
    check_grade(page, site_url)
    assert engine_info(page)["snapshot"] is False
    assert FULL_STDLIB_NAME in names, names  # a normal start needs the whole standard library


def check_sequence_without_snapshot(page: Page, site_url: str) -> None:
    check_sequence(page, site_url, same_worker=True)  # one normal start per test is enough
    assert engine_info(page)["snapshot"] is False
    expect(page.get_by_test_id("engine-status")).not_to_contain_text("could not")


def test_engine_starts_normally_when_the_host_has_no_snapshot(page: Page, site_url: str) -> None:
    """The host did not copy the file: decided from the status, so the runtime is not fetched
    twice, and not worth a console warning."""
    serve_instead(page, 404, b"not here")
    names = file_names(page)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    requests: list[Request] = []
    page.context.on("request", lambda request: requests.append(request))
    check_grade_without_snapshot(page, site_url, names)
    assert len(downloads(requests, "pyodide.asm.wasm")) == 1, downloads(requests, ".wasm")
    assert CORE_STDLIB_NAME not in names, names
    check_sequence_without_snapshot(page, site_url)
    assert not [text for text in warnings if "snapshot" in text], warnings


def other_pyodides_snapshot() -> bytes:
    """The start of the shipped snapshot under a header naming another Pyodide: the worker
    refuses it by its header, before Pyodide reads any of it."""
    shipped = next((SITE / "assets" / "engine").iterdir()) / SNAPSHOT_NAME
    with shipped.open("rb") as memory:
        return snapshot_header("0.27.7") + memory.read(HEADER_SIZE + 65536)[HEADER_SIZE:]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (lambda: b"\0" * 65536, "no snapshot header"),  # something else under its name
        (other_pyodides_snapshot, "made by Pyodide 0.27.7"),
    ],
    ids=["corrupt", "other-pyodide"],
)
def test_engine_starts_normally_when_the_snapshot_is_refused(
    page: Page, site_url: str, body: Callable[[], bytes], reason: str
) -> None:
    # Marked compressed, so the worker does not cancel it as too large to download; the
    # browser hands a fulfilled body to the page as given.
    serve_instead(page, 200, body(), "gzip")
    names = file_names(page)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    check_grade_without_snapshot(page, site_url, names)
    check_sequence_without_snapshot(page, site_url)
    refused = [text for text in warnings if "snapshot was refused" in text]
    assert refused and all(reason in text for text in refused), warnings


def test_uncompressed_server_skips_the_snapshot(page: Page) -> None:
    """31 MB raw would cost more time than it saves: the worker cancels it and starts Python."""
    from build_scripts.serve import serving

    received: dict[str, int] = {}

    def finished(request: Request) -> None:
        name = request.url.rsplit("/", 1)[-1]
        received[name] = received.get(name, 0) + request.sizes()["responseBodySize"]

    asked: list[str] = []
    page.context.on("requestfinished", finished)
    page.context.on(
        "request",
        lambda request: asked.append(request.url) if SNAPSHOT_NAME in request.url else None,
    )
    with serving(SITE, precompressed=False) as url:
        check_grade(page, url)
        assert engine_info(page)["snapshot"] is False
        check_sequence(page, url, same_worker=True)
        assert engine_info(page)["snapshot"] is False
    assert asked, "the worker did not even ask for the snapshot"
    assert received.get(SNAPSHOT_NAME, 0) < 10_000_000, received  # cancelled, not downloaded
