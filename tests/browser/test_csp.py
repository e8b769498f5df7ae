"""The Content Security Policy in the browser: nothing on the site breaks it.

Material's instant navigation keeps the first page's policy, so a walk by clicking links through
both calculators (each reaching `ready`) must raise no violation, and the check can fail. Every
page's own load under its policy (calculators to `ready`, no console error, no violation event)
is checked by the crawl (test_crawl.py, with RECORD_VIOLATIONS); the meta tag itself (first in
<head>, strict, hashing every inline script) by tests/site/test_csp_policy.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import guard, wait_for_engine
from tests.browser.support import RECORD_VIOLATIONS


@pytest.fixture(scope="module")
def csp_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(service_workers="block")
    seen = guard(context)
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()
    assert not seen, f"requests left 127.0.0.1: {seen}"


class Watched:
    def __init__(self, context: BrowserContext) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__cspViolations || []"))

    def csp_problems(self) -> list[str]:
        console = [e for e in self.errors if "Content Security Policy" in e or "CSP" in e]
        return console + self.violations()


@pytest.fixture(scope="module")
def watched(csp_context: BrowserContext) -> Iterator[Watched]:
    watched = Watched(csp_context)
    yield watched
    watched.page.close()


def test_instant_navigation_keeps_working(watched: Watched, site_url: str) -> None:
    page = watched.page
    watched.errors.clear()
    page.goto(site_url)
    page.locator("a[href$='calculator/grade/']").first.click()
    expect(page).to_have_url(re.compile(r"calculator/grade/$"))
    wait_for_engine(page)
    page.get_by_label("Primary site").select_option("pancreas")
    page.get_by_label("Ki-67 (%)").fill("12")
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    page.locator("a[href$='sequence/']").first.click()
    expect(page).to_have_url(re.compile(r"calculator/sequence/$"))
    wait_for_engine(page)
    expect(page.get_by_test_id("next-question").locator("fieldset")).to_have_count(1)
    assert not watched.csp_problems()
    assert not watched.errors, watched.errors


def test_a_violation_is_detected(watched: Watched, site_url: str) -> None:
    """The checks can fail: an inline script added at run time is blocked and recorded."""
    page: Page = watched.page
    page.goto(site_url)
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ranInline = true";
            document.body.append(script);
        }"""
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__ranInline === true") is False
    assert any("script-src" in v for v in watched.violations())
