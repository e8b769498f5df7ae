"""One crawl of the built site: each page is opened once per profile, and every check that
holds for every page runs on that one visit.

Profiles: desktop (1280x900) and phone (Pixel 7) with JavaScript, and desktop without it. With
JavaScript the crawl opens every page, and each calculator a second time with a result and an
error on screen (CALCULATOR_QUERIES), and checks, in this order:
- tooltips: none mounted until a reader asks (tooltips.js draws them on demand);
- search: the page view builds no search index (the worker's prologue waits for a query);
- axe: no serious or critical WCAG 2.1 A/AA violation (axe-core);
- provenance: version, evidence date and disclaimer shown; a calculator starts the engine, a
  content page fetches no engine byte before its idle-time prefetch;
- clean: HTTP 200, calculators reach `ready`, no console error, no Content Security Policy
  violation (also those not logged), no request leaving 127.0.0.1, during the whole visit.
Without JavaScript every page stays readable and calculators say why they cannot run.

A URL is opened in every profile at once (one context each, so requests and console output stay
apart), then checked profile by profile while the other pages finish loading. A visit keeps each
check's failure; the tests below report them one by one, so a failure names its check, profile
and page. Behaviour of one feature (keyboard use, a tooltip shown, printing,
a search...) is tested by scenario modules (test_accessibility.py, test_tooltips.py...).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, expect
from playwright.sync_api import Error as PlaywrightError

from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from tests.browser.support import (
    RECORD_VIOLATIONS,
    ExternalRequests,
    blocking_violations,
    device_context,
    guard,
    wait_for_engine,
)
from tests.built_site import CALCULATORS, PAGES

DESKTOP, PHONE, NO_JS = "desktop", "Pixel 7", "no-js"
JS_PROFILES = (DESKTOP, PHONE)
# Calculators are visited a second time with a result and an error on screen, not only empty.
CALCULATOR_QUERIES = {
    "calculator/grade/": "?site=pancreas&differentiation=well&ki67_percent=abc",
    "calculator/sequence/": "?site=pancreas&differentiation=well&grade=G2&stage=advanced"
    "&syndrome=none&resectable=no&vhl=no&bulk_symptoms=no&current_ssa=standard"
    "&pace=progressing&sstr=partial&hepatic_predominant=yes&prolonged_ssa_benefit=yes",
}
JS_URLS = [*PAGES, *(path + query for path, query in CALCULATOR_QUERIES.items())]
JS_VISITS = [(profile, url) for url in JS_URLS for profile in JS_PROFILES]
CRAWLED = {DESKTOP: JS_URLS, PHONE: JS_URLS, NO_JS: PAGES}
ALGORITHM_PAGES = ("algorithm/pnet/", "algorithm/gi/")
GRADE = "calculator/grade/"

TOOLTIP = ".md-tooltip2"
SEARCH_META = ".md-search-result__meta"
DISCLAIMER = "does not replace, clinical judgement"


def page_of(url: str) -> str:
    return url.split("?", 1)[0]


def visit_id(visit: tuple[str, str]) -> str:
    profile, url = visit
    return f"{'phone' if profile == PHONE else profile}-{url}"


@dataclass
class Visit:
    """What one page view showed: each check's failure (if any) and a few facts."""

    profile: str
    url: str
    failures: dict[str, str] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    broken: str | None = None  # the page could not be opened: every check fails with this

    def run(self, check: str, body: Callable[[], None]) -> None:
        self.ran.append(check)
        try:
            body()
        except (AssertionError, PlaywrightError) as error:
            self.failures[check] = "".join(traceback.format_exception(error, limit=-4))

    def passed(self, check: str) -> None:
        where = f"{check} on {self.url} ({self.profile})"
        if self.broken is not None:
            pytest.fail(f"{where}: the page did not open:\n{self.broken}", pytrace=False)
        assert check in self.ran, f"{where} never ran"
        if check in self.failures:
            pytest.fail(f"{where}:\n{self.failures[check]}", pytrace=False)


class Profile:
    """One browser context and one page for a profile; every visit of the profile uses them.
    After a visit with JavaScript the page goes to about:blank, so nothing the visited page left
    running (its idle-time prefetch, its worker) is counted against the next one."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.outside: ExternalRequests = guard(context)
        self.requests: list[tuple[Request, float]] = []  # (request, wall-clock ms seen)
        # The context also sees the worker's requests.
        context.on("request", lambda request: self.requests.append((request, time.time() * 1000)))
        self.page = context.new_page()
        self.errors: list[str] = []  # console errors and uncaught exceptions of the visit
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))


@dataclass
class Opened:
    """A page whose navigation to a visit's URL has started."""

    visit: Visit
    state: Profile
    page: Page
    status: int | None = None
    outside_before: int = 0


class Crawler:
    def __init__(self, browser: Browser, playwright: Playwright, site_url: str) -> None:
        self.browser = browser
        self.playwright = playwright
        self.site_url = site_url
        self.profiles: dict[str, Profile] = {}
        self.visits: dict[tuple[str, str], Visit] = {}

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            if name == NO_JS:
                context = self.browser.new_context(
                    java_script_enabled=False, service_workers="block"
                )
            else:
                context = device_context(self.browser, self.playwright, name)
                context.add_init_script(RECORD_VIOLATIONS)
            self.profiles[name] = Profile(context)
        return self.profiles[name]

    def visit(self, profile: str, url: str) -> Visit:
        if (profile, url) not in self.visits:
            self._visit_everywhere(url)
        return self.visits[(profile, url)]

    def close(self) -> None:
        for state in self.profiles.values():
            state.context.close()

    def _visit_everywhere(self, url: str) -> None:
        opened = [self._start(name, url) for name in CRAWLED if url in CRAWLED[name]]
        for item in opened:
            try:
                self._finish(item)
                if item.visit.broken is None and item.visit.profile == NO_JS:
                    self._check_without_js(item)
                elif item.visit.broken is None:
                    self._check_with_js(item)
            finally:
                if item.visit.profile != NO_JS:
                    item.page.goto("about:blank")
            self.visits[(item.visit.profile, url)] = item.visit

    def _start(self, name: str, url: str) -> Opened:
        """Start loading `url` in a page of profile `name` (returns once the response came)."""
        state = self.profile(name)
        page = state.page
        item = Opened(Visit(name, url), state, page)
        state.errors.clear()
        state.requests.clear()
        item.outside_before = len(state.outside)
        try:
            response = page.goto(self.site_url + url.lstrip("/"), wait_until="commit")
            item.status = response.status if response is not None else None
        except PlaywrightError as error:
            item.visit.broken = "".join(traceback.format_exception(error, limit=-4))
        return item

    def _finish(self, item: Opened) -> None:
        if item.visit.broken is not None:
            return
        try:
            item.page.wait_for_load_state("load")
        except PlaywrightError as error:
            item.visit.broken = "".join(traceback.format_exception(error, limit=-4))

    def _check_with_js(self, item: Opened) -> None:
        visit, state, page, errors = item.visit, item.state, item.page, item.state.errors
        path = page_of(visit.url)
        query = CALCULATOR_QUERIES.get(path, "") if "?" in visit.url else ""

        def calculator_ready() -> None:
            assert (page.locator("[data-net-calculator]").count() > 0) == (path in CALCULATORS)
            if path in CALCULATORS:
                wait_for_engine(page)

        visit.run("ready", calculator_ready)

        def tooltips() -> None:
            assert page.locator(TOOLTIP).count() == 0
            assert page.locator(".md-content [data-net-title]").count() == 0
            visit.facts["abbr_titles"] = page.locator(".md-content abbr[title]").count()

        def search() -> None:
            # Material's start-up query (empty) is answered without the index.
            expect(page.locator(SEARCH_META)).to_have_text("Type to start searching")
            workers = [worker for worker in page.workers if "/workers/search." in worker.url]
            assert len(workers) == 1, [worker.url for worker in page.workers]
            assert workers[0].evaluate("() => self.netSearchIndex") == "none"

        def axe() -> None:
            if query:  # the scan sees the engine's result and the field error
                expect(page.get_by_test_id("result-json")).not_to_be_empty()
            assert blocking_violations(page) == []

        visit.run("tooltips", tooltips)
        visit.run("search", search)
        visit.run("axe", axe)
        # Engine requests a content page makes early would have started by now: after the
        # load event and the scan, the network has been quiet (returns at once if it was).
        page.wait_for_load_state("networkidle")

        def provenance() -> None:
            shown = page.get_by_test_id("provenance").inner_text()
            assert ENGINE_VERSION in shown
            assert EVIDENCE_DATE in shown
            assert DISCLAIMER in shown
            engine = [(r, seen) for r, seen in state.requests if "/assets/engine/" in r.url]
            if path in CALCULATORS:
                assert engine, "a calculator page should start the engine"
            else:
                # Content pages may start the engine only through the idle-time prefetch,
                # which begins seconds after load (performance mark net-engine-prefetch); no
                # engine request may come before it. Times are wall-clock ms: the browser's own
                # request start, or (still pending, so Playwright has no timing yet) when the
                # test saw the request, which is later.
                prefetch_at = page.evaluate(
                    """() => {
                      const mark = performance.getEntriesByName('net-engine-prefetch')[0];
                      return mark ? performance.timeOrigin + mark.startTime : null;
                    }"""
                )
                early = [
                    request.url
                    for request, seen in engine
                    if prefetch_at is None
                    or (request.timing["startTime"] or seen) < prefetch_at - 5
                ]
                assert not early, f"{path} fetched engine files before the prefetch: {early}"
                assert page.get_attribute("html", "data-engine-prefetch") in {
                    "scheduled",
                    "started",
                }

        def clean() -> None:
            assert item.status == 200
            assert page.evaluate("() => window.__cspViolations") == []
            assert not errors, errors
            outside = state.outside[item.outside_before :]
            assert not outside, f"requests left 127.0.0.1: {outside}"

        visit.run("provenance", provenance)
        visit.run("clean", clean)

    def _check_without_js(self, item: Opened) -> None:
        visit, state, page, path = item.visit, item.state, item.page, item.visit.url

        def readable() -> None:
            assert page.evaluate("() => 1") == 1  # Playwright's own evaluation still works
            expect(page.locator("html.no-js")).to_have_count(1)  # no page script ran
            expect(page.locator("article h1").first).to_be_visible()
            text = page.locator("article").inner_text()
            assert len(text.split()) >= 40, f"{path} shows almost no text without JavaScript"
            expect(page.get_by_test_id("provenance")).to_be_visible()
            if path in CALCULATORS:
                message = page.locator(".net-noscript")
                expect(message.first).to_be_visible()
                expect(message.first).to_contain_text("needs JavaScript")
                expect(page.locator("[data-net-calculator]")).to_be_hidden()
                expect(page.get_by_test_id("engine-status")).to_be_hidden()
            else:
                expect(page.locator(".net-noscript")).to_have_count(0)
            visit.facts["words"] = len(text.split())
            visit.facts["h2_visible"] = page.locator("article h2").first.is_visible()

        def clean() -> None:
            assert item.status == 200
            outside = state.outside[item.outside_before :]
            assert not outside, f"requests left 127.0.0.1: {outside}"

        visit.run("readable", readable)
        visit.run("clean", clean)


@pytest.fixture(scope="module")
def crawl(browser: Browser, playwright: Playwright, site_url: str) -> Iterator[Crawler]:
    crawler = Crawler(browser, playwright, site_url)
    yield crawler
    crawler.close()


@pytest.mark.parametrize("visit", JS_VISITS, ids=visit_id)
def test_page_loads_cleanly(crawl: Crawler, visit: tuple[str, str]) -> None:
    crawl.visit(*visit).passed("ready")
    crawl.visit(*visit).passed("clean")


@pytest.mark.parametrize("visit", JS_VISITS, ids=visit_id)
def test_no_serious_axe_violation(crawl: Crawler, visit: tuple[str, str]) -> None:
    crawl.visit(*visit).passed("axe")


@pytest.mark.parametrize("visit", JS_VISITS, ids=visit_id)
def test_page_is_offline_and_shows_provenance(crawl: Crawler, visit: tuple[str, str]) -> None:
    crawl.visit(*visit).passed("provenance")


@pytest.mark.parametrize("visit", JS_VISITS, ids=visit_id)
def test_no_tooltip_is_mounted_until_a_reader_asks(crawl: Crawler, visit: tuple[str, str]) -> None:
    crawl.visit(*visit).passed("tooltips")


def test_the_tooltip_check_watches_titles(crawl: Crawler) -> None:
    """The grade page has abbreviations with titles, so its tooltip check watches something."""
    for profile in JS_PROFILES:
        visit = crawl.visit(profile, GRADE)
        visit.passed("tooltips")
        assert visit.facts["abbr_titles"] >= 2, visit.facts


@pytest.mark.parametrize("visit", JS_VISITS, ids=visit_id)
def test_a_page_view_without_a_query_builds_no_search_index(
    crawl: Crawler, visit: tuple[str, str]
) -> None:
    crawl.visit(*visit).passed("search")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_readable_without_javascript(crawl: Crawler, path: str) -> None:
    crawl.visit(NO_JS, path).passed("readable")
    crawl.visit(NO_JS, path).passed("clean")


@pytest.mark.parametrize("path", ALGORITHM_PAGES)
def test_algorithm_pages_keep_their_decision_text(crawl: Crawler, path: str) -> None:
    visit = crawl.visit(NO_JS, path)
    visit.passed("readable")
    assert visit.facts["h2_visible"] is True
    assert visit.facts["words"] >= 200, visit.facts
