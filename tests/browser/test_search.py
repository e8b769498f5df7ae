"""Site search: Material's search worker builds its index on the reader's first query, and the
words clinicians type find the page about them.

The prologue put before Material's search worker (docs/javascripts/search-worker-prologue.js,
build_scripts/search_worker.py) answers "ready" at once and has Material build the Lunr index
only when a query arrives, so a page view that never searches never builds it. The worker's
state is read through `self.netSearchIndex` (none | building | built). That a page view
without a query builds no index is checked on every page by the crawl (test_crawl.py).

The synonyms (build_scripts/search_synonyms.py, build_scripts/data/search_synonyms.toml) are
checked the way a reader meets them: typed into Material's search box, in a table of queries and
the page each must show first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Worker, expect

from tests.browser.support import guard

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


PRRT = "options/prrt_lu177_dotatate/"
# What a clinician types -> the page the search must show first.
FIRST_RESULTS = [
    ("lutetium", PRRT),
    ("Lutathera", PRRT),
    ("177Lu", PRRT),
    ("Lu-177", PRRT),
    ("PRRT", PRRT),
    ("Ki67", "grading/"),
    ("Ki-67", "grading/"),
    ("MIB-1", "grading/"),
    ("NETTER-2", "evidence/"),  # the trial's entry, not the grading page's "2019/2022"
    ("Sandostatin", "options/ssa/"),
    ("Somatuline", "options/ssa/"),
    ("Afinitor", "options/everolimus/"),
    ("Sutent", "options/sunitinib/"),
    ("Cabometyx", "options/cabozantinib/"),
    ("Xermelo", "options/telotristat/"),
    ("Welireg", "options/belzutifan/"),
    ("Temodal", "options/temozolomide/"),
    ("Xeloda", "options/captem/"),
    ("carcinoid syndrome", "syndromes/"),
]


@pytest.fixture(scope="module")
def search_page(browser: Browser, site_url: str) -> Iterator[Page]:
    """One page for the whole table: its index is built once, at the first query."""
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    page = context.new_page()
    page.goto(site_url)
    yield page
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


def search(page: Page, query: str) -> None:
    box = page.locator("input.md-search__input")
    box.click()
    if box.input_value():
        box.fill("")
        box.press("Backspace")
        expect(page.locator(META)).to_have_text("Type to start searching")
    box.press_sequentially(query)
    expect(page.locator(META)).to_have_text(re.compile(r"^\d+ matching documents?$"))


@pytest.mark.parametrize(("query", "first"), FIRST_RESULTS)
def test_a_clinicians_words_find_the_page_about_them_first(
    search_page: Page, site_url: str, query: str, first: str
) -> None:
    search(search_page, query)
    expect(search_page.locator(ITEM_LINKS).first).to_have_attribute(
        "href", re.compile(re.escape(site_url + first) + r"\?h=")
    )


def test_the_hidden_search_words_never_show_in_a_result(search_page: Page) -> None:
    search(search_page, "lutetium")
    results = search_page.locator(".md-search-result__list")
    expect(results).to_contain_text("PRRT")
    # "lutetium" finds these sections through hidden terms; their shown text is the page's own.
    expect(results).not_to_contain_text("177ludotatate")
    expect(results).not_to_contain_text("peptidereceptorradionuclidetherapy")
