"""The engine restores the Python memory snapshot, and still works when it cannot.

build_scripts/snapshot.py makes `python-snapshot.bin` at build time; engine-worker.mjs hands it
to loadPyodide so CPython's start-up is skipped. Every other browser test runs on the restored
interpreter; these check that it is really used, and that a host which does not serve the file,
or serves something else under its name, still gets correct answers from a normal start.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, Request, Route, expect

from build_scripts.snapshot import SNAPSHOT_NAME
from calculator import web
from tests.browser.scenarios import PNET_PROGRESSING
from tests.browser.support import wait_for_engine, wait_for_json

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


def check_answers(page: Page, site_url: str) -> None:
    """Both calculators give CPython's JSON on whatever interpreter the worker started."""
    page.goto(f"{site_url}calculator/grade/?{urlencode(GRADE_PARAMS)}")
    wait_for_engine(page)
    wait_for_json(page, expected("grade", GRADE_PARAMS))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    page.goto(f"{site_url}calculator/sequence/?{urlencode(SEQUENCE_PARAMS)}")
    wait_for_engine(page)
    result = expected("sequence", SEQUENCE_PARAMS)
    assert result["status"] == "complete"
    options = page.get_by_test_id("options").locator("[data-option-id]")
    expect(options).to_have_count(len(result["options"]))
    shown = [item.get_attribute("data-option-id") for item in options.all()]
    assert shown == [option["id"] for option in result["options"]]


def test_worker_restores_the_snapshot(page: Page, site_url: str) -> None:
    fetched: list[Request] = []
    page.context.on(
        "requestfinished",
        lambda request: fetched.append(request) if SNAPSHOT_NAME in request.url else None,
    )
    check_answers(page, site_url)
    assert engine_info(page)["snapshot"] is True
    assert fetched, "the worker never asked for the snapshot"
    response = fetched[0].response()
    assert response is not None and response.status == 200


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 404, "body": "not here"},  # the host did not copy the file
        {"status": 200, "body": b"\0" * 65536},  # something else under its name
    ],
    ids=["missing", "corrupt"],
)
def test_engine_starts_normally_without_a_usable_snapshot(
    page: Page, site_url: str, answer: dict
) -> None:
    def replace(route: Route) -> None:
        route.fulfill(
            status=answer["status"], body=answer["body"], content_type="application/octet-stream"
        )

    page.context.route(f"**/{SNAPSHOT_NAME}", replace)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    check_answers(page, site_url)
    assert engine_info(page)["snapshot"] is False
    if answer["status"] == 200:  # a refused snapshot is worth a console warning; a 404 is not
        assert any("snapshot was refused" in text for text in warnings), warnings
    expect(page.get_by_test_id("engine-status")).not_to_contain_text("could not")
