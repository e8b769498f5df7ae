"""Helpers for the browser tests: the outside-request guard and waits on the engine."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route

# A plain-HTTP intranet's host name (not localhost, so not a secure origin): the tests'
# Chromium resolves it to 127.0.0.2 (conftest.py), where test_nginx.py serves the bundle.
PLAIN_HTTP_HOST = "net-guide.test"
PLAIN_HTTP_ADDRESS = "127.0.0.2"
HOST_RESOLVER_RULES = f"--host-resolver-rules=MAP {PLAIN_HTTP_HOST} {PLAIN_HTTP_ADDRESS}"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", PLAIN_HTTP_HOST}
ENGINE_BOOT_TIMEOUT_MS = 120_000
# Content Security Policy violations, also those not logged; recorded through Playwright's init
# script, which runs outside the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""
# axe-core: WCAG 2.1 A and AA rules; serious and critical findings fail. Only violations are
# gathered in full (the scan's other result types cost time and are not read).
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
AXE = Axe()


class ExternalRequests(list[str]):
    """URLs that tried to leave 127.0.0.1 (aborted)."""


def guard(context: BrowserContext) -> ExternalRequests:
    seen = ExternalRequests()

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or (
            parts.scheme in {"http", "https", "ws"} and parts.hostname in LOOPBACK
        ):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    context.route("**/*", handle)
    return seen


def device_context(browser: Browser, playwright: Playwright, device: str) -> BrowserContext:
    """A context for `device` (a Playwright device name, or "desktop": 1280x900)."""
    if device == "desktop":
        options: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
    else:
        options = {
            k: v for k, v in playwright.devices[device].items() if k != "default_browser_type"
        }
    return browser.new_context(**options, service_workers="block")


def blocking_violations(page: Page) -> list[str]:
    # A fading element (Material's back-to-top button after a scroll up) has, mid-transition,
    # a contrast it never keeps: scan the page at rest.
    page.wait_for_function(
        "() => document.getAnimations().every((a) => a.playState !== 'running')", timeout=5_000
    )
    results: dict[str, Any] = AXE.run(page, options=WCAG_AA).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def wait_for_engine(page: Page, state: str = "ready") -> None:
    page.wait_for_selector(
        f"html[data-calculator={state}]", state="attached", timeout=ENGINE_BOOT_TIMEOUT_MS
    )


def wait_for_json(page: Page, expected: dict[str, Any], testid: str = "result-json") -> dict:
    """Poll the page's engine JSON until it equals `expected` (or time out showing the diff)."""
    locator = page.get_by_test_id(testid)
    deadline = time.monotonic() + 15
    shown: Any = None
    while time.monotonic() < deadline:
        text = locator.text_content() or ""
        if text.strip():
            shown = json.loads(text)
            if shown == expected:
                return shown
        page.wait_for_timeout(50)
    assert shown == expected, f"page showed {shown}, CPython gives {expected}"
    return shown


def url_params(page: Page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))


def wait_for_url_params(page: Page, expected: dict[str, str]) -> dict[str, str]:
    """Poll the page's query until it equals `expected` (or time out showing the diff). Typing
    writes the URL once the reader pauses (common.js urlWriter), not with the result."""
    deadline = time.monotonic() + 5
    shown = url_params(page)
    while shown != expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        shown = url_params(page)
    assert shown == expected, f"the URL holds {shown}, expected {expected}"
    return shown


def downloads(requests: list[Request], name: str) -> list[str]:
    """URLs of the requests for `name` that did not fail. On a cold cache the engine's worker
    first asks the HTTP cache alone whether it holds pyodide.asm.wasm (`only-if-cached`); that
    request fails, and downloads nothing."""
    return [r.url for r in requests if r.url.split("?")[0].endswith(name) and not r.failure]
