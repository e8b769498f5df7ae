"""Site search: Material's search worker builds its index on the reader's first query.

The prologue put before Material's search worker (docs/javascripts/search-worker-prologue.js,
build_scripts/search_worker.py) answers "ready" at once and has Material build the Lunr index
only when a query arrives, so a page view that never searches never builds it. The worker's
state is read through `self.netSearchIndex` (none | building | built). That a page view
without a query builds no index is checked on every page by the crawl (test_crawl.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, Worker, expect

CALCULATOR = "calculator/grade/"
META = ".md-search-result__meta"
ITEM_LINKS = ".md-search-result__item > .md-search-result__link"


def search_worker(page: Page) -> Worker:
    workers = [worker for worker in page.workers if "/workers/search." in worker.url]
    assert len(workers) == 1, [worker.url for worker in page.workers]
    return workers[0]


def index_state(page: Page) -> str:
    return search_worker(page).evaluate("() => self.netSearchIndex")


def test_the_first_query_builds_the_index_and_gets_its_results(page: Page, site_url: str) -> None:
    page.goto(site_url + CALCULATOR)
    page.wait_for_load_state("networkidle")
    query = page.locator("input.md-search__input")
    query.click()
    query.press_sequentially("everolimus")  # no delay: later keystrokes wait for the index
    expect(page.locator(META)).to_have_text(re.compile(r"^\d+ matching documents$"))
    first = page.locator(ITEM_LINKS).first
    expect(first).to_have_attribute("href", re.compile(r"/options/everolimus/\?h=everolimus$"))
    assert index_state(page) == "built"
    # Cleared, the query shows the placeholder again; a new one is answered from the index.
    query.fill("")
    query.press("Backspace")
    expect(page.locator(META)).to_have_text("Type to start searching")
    query.press_sequentially("lanreotide")
    expect(
        page.locator('.md-search-result__link[href$="/options/ssa/?h=lanreotide"]')
    ).to_have_count(1)


def test_a_search_link_shows_its_results_on_arrival(page: Page, site_url: str) -> None:
    page.goto(site_url + "?q=sunitinib")
    expect(page.locator(META)).to_have_text(re.compile(r"^\d+ matching documents?$"))
    expect(page.locator(ITEM_LINKS).first).to_have_attribute("href", re.compile(r"sunitinib"))
    assert index_state(page) == "built"
