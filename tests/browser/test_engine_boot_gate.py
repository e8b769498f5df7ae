"""The engine downloads at once but starts its runtime only when the page has settled.

engine.js tells the worker {type: "boot"} (performance mark `net-engine-boot`) once
DOMContentLoaded has run and a frame has been drawn; until then the worker only downloads:
cold, it asks for pyodide.asm.wasm itself and hands Pyodide that response, so the file is
downloaded once. Cached, Pyodide asks for it (from the HTTP cache) after the page settled.
In the cold test the page's start-up is held back by delaying one of its scripts, so the order
is deterministic (the cached test cannot: routing switches the HTTP cache off; its order
follows from the protocol). No timing is asserted beyond that order.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Browser, Page, Route

from calculator.web import grade_params
from tests.browser.support import wait_for_engine, wait_for_json

PARAMS = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
HOLD_S = 1.5  # how long the page's last script is held back, delaying DOMContentLoaded

# Absolute times (ms since the epoch) of the page's milestones.
PAGE_TIMES = """() => {
  const at = (entry) => (entry ? performance.timeOrigin + entry.startTime : null);
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    domContentLoaded: performance.timeOrigin + nav.domContentLoadedEventEnd,
    boot: at(performance.getEntriesByName("net-engine-boot")[0]),
    ready: at(performance.getEntriesByName("net-engine-ready")[0]),
  };
}"""
# The worker's own view of pyodide.asm.wasm: when each request started, bytes on the wire.
WORKER_WASM = """() => performance.getEntriesByType("resource")
  .filter((entry) => entry.name.endsWith("/pyodide.asm.wasm"))
  .map((entry) => ({ start: performance.timeOrigin + entry.startTime,
                     transferSize: entry.transferSize }))"""


def hold_last_script(page: Page) -> None:
    def slow(route: Route) -> None:
        time.sleep(HOLD_S)
        route.continue_()

    page.route("**/javascripts/sequence-calculator.js", slow)


def open_grade(page: Page, site_url: str) -> tuple[dict, list[dict]]:
    page.goto(f"{site_url}calculator/grade/?{urlencode(PARAMS)}")
    wait_for_engine(page)
    wait_for_json(page, grade_params(PARAMS))
    (worker,) = [worker for worker in page.workers if "engine-worker" in worker.url]
    return page.evaluate(PAGE_TIMES), worker.evaluate(WORKER_WASM)


def test_cold_engine_downloads_at_once_and_boots_after_the_page(page: Page, site_url: str) -> None:
    hold_last_script(page)
    times, wasm = open_grade(page, site_url)
    assert times["domContentLoaded"] < times["boot"] < times["ready"]
    downloaded = [entry for entry in wasm if entry["transferSize"] > 0]
    assert len(downloaded) == 1, wasm  # asked for once, though Pyodide asks for it too
    assert downloaded[0]["start"] < times["domContentLoaded"] - 1000 * HOLD_S / 2


def test_cached_engine_boots_after_the_page_from_the_cache(browser: Browser, site_url: str) -> None:
    # Its own context: the guard's routing (conftest) would switch the HTTP cache off. Every
    # request is checked to stay on 127.0.0.1 afterwards instead.
    context = browser.new_context(service_workers="block")
    hosts: set[str | None] = set()
    context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    try:
        open_grade(context.new_page(), site_url)  # fills the HTTP cache
        times, wasm = open_grade(context.new_page(), site_url)
    finally:
        context.close()
    assert hosts == {"127.0.0.1"}, hosts
    assert times["domContentLoaded"] < times["boot"] < times["ready"]
    assert wasm and all(entry["transferSize"] == 0 for entry in wasm), wasm
    # Pyodide's own request (the last) came after the page had settled.
    assert wasm[-1]["start"] > times["boot"], (wasm, times)
