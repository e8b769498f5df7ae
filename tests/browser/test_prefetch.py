"""Idle-time engine prefetch from content pages (docs/javascripts/engine.js).

A content page loads no engine byte while it loads. Once it has loaded and the browser is idle
(at least PREFETCH_DELAY_MS after the load event) it starts the engine, unless the reader asked
to save data or the connection is 2G. With instant navigation the worker survives the move to a
calculator, which then answers without booting Pyodide again. Timings are never asserted here
beyond the prefetch's own minimum delay (behaviour, not speed). The page's timers run on
Playwright's clock (`page.clock`): the tests move it past the delay instead of waiting it out.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from calculator.web import grade_params
from tests.browser.support import ENGINE_BOOT_TIMEOUT_MS, downloads, guard

CONTENT_PAGE = "grading/"
PREFETCH_DELAY_MS = 3000  # engine.js
IDLE_WAIT_MS = 100  # Playwright's clock runs an idle callback within 50 ms
STARTUP_MS = 200  # page-clock time the page's own start-up timers get
PAGE_CLOCK_START = 1_767_225_600_000  # ms since the epoch (2026-01-01)
# A worked example on the grading page that links to the calculator with its inputs.
EXAMPLE = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "25",
    "mitoses.per_2mm2": "12",
}
# Material's instant navigation rewrites hrefs to absolute URLs: match the query's end.
EXAMPLE_LINK = (
    'a[href*="/calculator/grade/?site=pancreas&differentiation=well'
    '&ki67_percent=25&mitoses.per_2mm2=12"]'
)


def engine_requests(requests: list[Request], name: str = "") -> list[str]:
    return [r.url for r in requests if "/assets/engine/" in r.url and r.url.endswith(name)]


def recorded(page: Page) -> list[Request]:
    requests: list[Request] = []
    page.context.on("request", lambda request: requests.append(request))  # worker ones too
    return requests


def wait_until_engine_ready(page: Page) -> None:
    page.wait_for_function(
        "() => window.NetEngine && window.NetEngine.state === 'ready'",
        timeout=ENGINE_BOOT_TIMEOUT_MS,
        polling=100,
    )


def test_prefetch_starts_after_load_when_idle_and_engine_gets_ready(
    page: Page, site_url: str
) -> None:
    # Stopped before the page exists (a minute on from the install, so the clock has not passed
    # it yet): the page loads at that time on its clock, and its timers run only as the test
    # moves the clock on (the page's start-up needs a few: STARTUP_MS).
    page.clock.install(time=PAGE_CLOCK_START)
    page.clock.pause_at(PAGE_CLOCK_START + 60_000)
    requests = recorded(page)
    page.goto(site_url + CONTENT_PAGE)
    page.clock.run_for(STARTUP_MS)
    html = page.locator("html")
    expect(html).to_have_attribute("data-engine-prefetch", "scheduled")
    assert not engine_requests(requests), "the engine was fetched while the page loaded"
    # The delay counts from the load event, at the paused time or later.
    page.clock.run_for(PREFETCH_DELAY_MS - STARTUP_MS - 1)
    expect(html).to_have_attribute("data-engine-prefetch", "scheduled")
    assert not engine_requests(requests), "the prefetch began before its delay"
    page.clock.run_for(STARTUP_MS + 1 + IDLE_WAIT_MS)  # the delay's end, then the idle callback
    expect(html).to_have_attribute("data-engine-prefetch", "started")
    page.clock.resume()
    wait_until_engine_ready(page)
    assert engine_requests(requests, "pyodide.asm.wasm")
    # A content page keeps no calculator status on <html>.
    assert page.get_attribute("html", "data-calculator") is None


@pytest.mark.parametrize(
    "connection",
    [
        {"saveData": True, "effectiveType": "4g"},
        {"saveData": False, "effectiveType": "2g"},
        {"saveData": False, "effectiveType": "slow-2g"},
    ],
    ids=["save-data", "2g", "slow-2g"],
)
def test_prefetch_is_skipped_on_save_data_or_2g(
    browser: Browser, site_url: str, connection: dict
) -> None:
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    save = "true" if connection["saveData"] else "false"
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'connection', { configurable: true, "
        f"get: () => ({{ saveData: {save}, effectiveType: '{connection['effectiveType']}', "
        "addEventListener() {} }) });"
    )
    page = context.new_page()
    page.clock.install()
    requests = recorded(page)
    page.goto(site_url + CONTENT_PAGE)
    expect(page.locator("html")).to_have_attribute("data-engine-prefetch", "skipped")
    page.clock.run_for(PREFETCH_DELAY_MS + 2000)
    expect(page.locator("html")).to_have_attribute("data-engine-prefetch", "skipped")
    assert page.evaluate("() => window.NetEngine.state") == "idle"
    assert not engine_requests(requests), engine_requests(requests)
    context.close()
    assert not seen


def test_calculator_after_prefetch_reuses_the_worker(page: Page, site_url: str) -> None:
    page.clock.install()
    requests = recorded(page)
    page.goto(site_url + CONTENT_PAGE)
    expect(page.locator("html")).to_have_attribute("data-engine-prefetch", "scheduled")
    page.clock.run_for(PREFETCH_DELAY_MS + IDLE_WAIT_MS)
    expect(page.locator("html")).to_have_attribute("data-engine-prefetch", "started")
    wait_until_engine_ready(page)
    assert len(downloads(requests, "pyodide.asm.wasm")) == 1
    page.evaluate("() => { window.__samePageView = true; }")
    page.locator(EXAMPLE_LINK).first.click()  # Material's instant navigation
    expect(page).to_have_url(re.compile(r"/calculator/grade/\?"))
    expected = grade_params(EXAMPLE)
    result = page.get_by_test_id("grade-result")
    expect(result).to_contain_text("Engine", timeout=10_000)
    assert page.evaluate("() => window.__samePageView === true"), "a full page load happened"
    shown = page.get_by_test_id("result-json").text_content() or ""
    assert f'"classification": "{expected["classification"]}"' in shown
    assert f'"grade": "{expected["grade"]}"' in shown
    assert len(downloads(requests, "pyodide.asm.wasm")) == 1, "the engine booted again"
    assert len(engine_requests(requests, "engine-worker.mjs")) == 1, "a second worker started"
    expect(page.locator("html")).to_have_attribute("data-calculator", "ready")


def test_instant_navigation_is_active_as_built(page: Page, site_url: str) -> None:
    page.goto(site_url + CONTENT_PAGE)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => { window.__samePageView = true; }")
    page.locator(EXAMPLE_LINK).first.click()
    expect(page.get_by_test_id("grade-result")).to_contain_text("Engine", timeout=60_000)
    assert page.evaluate("() => window.__samePageView === true"), "a full page load happened"
