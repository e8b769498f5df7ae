"""The Content Security Policy meta tag: on every page, strict, and nothing on the site breaks it.

Static: the tag is first in every page's <head> and hashes every inline script. In the
browser: Material's instant navigation keeps the first page's policy, so a walk by clicking
links through both calculators (each reaching `ready`) must raise no violation. Every page's
own load under its policy (calculators to `ready`, no console error, no violation event) is
checked once, by tests/browser/test_crawl.py with RECORD_VIOLATIONS below, to keep the suite
short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from build_scripts.csp import inline_script_hashes
from build_scripts.paths import SITE
from tests.browser.conftest import guard, wait_for_engine

PAGES = sorted(
    path.parent.relative_to(SITE).as_posix().removeprefix(".") + "/"
    for path in SITE.rglob("index.html")
    if "assets" not in path.parts
)
CALCULATORS = {"calculator/grade/", "calculator/sequence/"}
META = re.compile(r'<meta http-equiv="Content-Security-Policy" id="net-csp" content="([^"]+)">')
# Recorded through Playwright's init script, which runs outside the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_policy_is_first_in_head_and_strict(path: str) -> None:
    html = (SITE / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    head = html[html.index("<head>") + len("<head>") :].lstrip()
    match = META.match(head)
    assert match, f"{path}: the CSP meta is not the first element of <head>"
    policy = directives(match.group(1))
    assert policy["script-src"][:2] == ["'self'", "'wasm-unsafe-eval'"]
    assert inline_script_hashes(html) <= set(policy["script-src"]), "an inline script is not hashed"
    assert len(inline_script_hashes(html)) >= 1  # Material's inline scripts were found
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    for name in ("font-src", "connect-src", "worker-src", "base-uri", "form-action"):
        assert policy[name] == ["'self'"], name
    assert policy["object-src"] == ["'none'"]
    assert html.count("Content-Security-Policy") == 1


def test_404_page_has_the_policy() -> None:
    assert META.search((SITE / "404.html").read_text(encoding="utf-8"))


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


def test_site_folder_exists() -> None:
    assert Path(SITE / "index.html").is_file() and len(PAGES) >= 10
