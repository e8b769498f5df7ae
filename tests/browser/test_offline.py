"""Offline reading through the service worker (issue 25; docs/javascripts/offline.js,
service-worker.js, build_scripts/service_worker.py), in Chromium with a phone's profile.

These tests, and test_apache.py's, let the service worker run (`service_workers="allow"`);
every other browser test blocks it, so none inherits a worker or its caches. This module's two
tests are one reader's story on one origin (a server port of its own) and one context, in order,
with the site under a sub-path (/net-guide/), as many hospitals host it:

1. The reader opens the home page and a calculator, loses the network and reloads: the page
   and the calculator answer from the device, with the offline indicator; a page never opened
   shows the offline page.
2. The network is back and the server now has version B: the saved version A keeps being
   shown, with a banner naming B's version and evidence date; Reload shows B, A's caches are
   gone (the engine's stays: B has the same engine folder), and the pages the reader had saved
   are saved again from B.

Version B is the built site with another version and evidence date written into its pages,
and its own service worker made by the build's own step (service_worker.py); the engine folder
is linked, not copied. Cheaper than a second build, and made while test 1 runs.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Response, expect

from build_scripts.paths import SITE
from build_scripts.serve import SiteHandler
from build_scripts.service_worker import write_service_worker
from calculator import web
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE
from tests.browser.support import (
    ExternalRequests,
    blocking_violations,
    guard,
    wait_for_engine,
    wait_for_json,
)

GRADE = {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"}
ENGINE_SAVE_TIMEOUT_MS = 120_000
B_VERSION = "9.9.9"
B_EVIDENCE_DATE = "2099-12-31"


SUB_PATH = "/net-guide/"  # hospitals often host the site under a path, not at the root


class Served:
    """The site under SUB_PATH on a free port of 127.0.0.1; `directory` can be switched
    between requests. Anything outside SUB_PATH is not found."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        served = self

        class Handler(SiteHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(served.directory), **kwargs)

            def send_head(self):  # type: ignore[no-untyped-def]
                if not self.path.startswith(SUB_PATH):
                    self.send_error(404)
                    return None
                self.path = "/" + self.path.removeprefix(SUB_PATH)
                return super().send_head()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{SUB_PATH}"


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[Served]:
    served = Served(directory)
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


def version_b(top: Path) -> Path:
    """site/ as version B: its pages name another version and evidence date, and its service
    worker is made by the build's own step. The engine folder is linked, not copied."""
    engine_dir = next((SITE / "assets" / "engine").iterdir())
    target = top / "site-b"
    assets = str(SITE / "assets")
    shutil.copytree(SITE, target, ignore=lambda folder, _: ["engine"] if folder == assets else [])
    (target / "assets" / "engine").mkdir()
    os.symlink(engine_dir, target / "assets" / "engine" / engine_dir.name)
    replacements = {
        f'<meta name="net-version" content="{ENGINE_VERSION}">': (
            f'<meta name="net-version" content="{B_VERSION}">'
        ),
        f'<meta name="net-evidence-date" content="{EVIDENCE_DATE}">': (
            f'<meta name="net-evidence-date" content="{B_EVIDENCE_DATE}">'
        ),
        f'data-testid="site-version">{ENGINE_VERSION}<': f'data-testid="site-version">{B_VERSION}<',
        f'data-testid="evidence-date">{EVIDENCE_DATE}<': (
            f'data-testid="evidence-date">{B_EVIDENCE_DATE}<'
        ),
    }
    changed = 0
    for html in target.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for old, new in replacements.items():
            text = text.replace(old, new)
        html.write_text(text, encoding="utf-8")
        changed += f">{B_VERSION}<" in text
        for suffix in (".br", ".gz"):  # the server would send A's compressed page
            Path(f"{html}{suffix}").unlink(missing_ok=True)
    assert changed >= 10, changed
    for suffix in (".br", ".gz"):
        (target / f"sw.js{suffix}").unlink(missing_ok=True)
    write_service_worker(target, version=B_VERSION, evidence_date=B_EVIDENCE_DATE)
    return target


@dataclass
class Reader:
    page: Page
    site: Served
    site_b: Future[Path]


@pytest.fixture(scope="module")
def reader(
    browser: Browser, playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reader]:
    device = {
        key: value
        for key, value in playwright.devices["Pixel 7"].items()
        if key != "default_browser_type"
    }
    with ThreadPoolExecutor(max_workers=1) as pool, serving(SITE) as site:
        site_b = pool.submit(version_b, tmp_path_factory.mktemp("version-b"))
        context: BrowserContext = browser.new_context(**device, service_workers="allow")
        outside: ExternalRequests = guard(context)
        yield Reader(context.new_page(), site, site_b)
        context.close()
        assert not outside, f"requests left 127.0.0.1: {outside}"


def wait_until_controlled(page: Page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


# Whether a page (path from the site's root) is in one of the pages caches.
SAVED = """async (path) => {
  const url = new URL(path, document.querySelector("link[rel=manifest]").href).href;
  for (const name of await caches.keys()) {
    if (name.startsWith("net-guide-pages-") && (await (await caches.open(name)).match(url))) {
      return true;
    }
  }
  return false;
}"""


def page_saved(page: Page, path: str) -> bool:
    return page.evaluate(SAVED, path)


def cache_names(page: Page) -> list[str]:
    return page.evaluate("async () => await caches.keys()")


def worker_version(page: Page) -> dict[str, str]:
    """The controlling worker's answer to {type: "version"}."""
    return page.evaluate(
        """() => new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event) => resolve(event.data);
          navigator.serviceWorker.controller.postMessage({ type: "version" }, [channel.port2]);
        })"""
    )


def test_visited_pages_and_calculator_work_offline(reader: Reader) -> None:
    page, url = reader.page, reader.site.url
    page.goto(url)
    wait_until_controlled(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == url  # the worker covers the site's path, wherever it is hosted
    # The installed app starts at, and covers, the site's path.
    app = page.evaluate(
        """async () => {
          const href = document.querySelector("link[rel=manifest]").href;
          const manifest = await (await fetch(href)).json();
          return [href, new URL(manifest.start_url, href).href, new URL(manifest.scope, href).href];
        }"""
    )
    assert app == [f"{url}manifest.webmanifest", url, url]
    expect(page.get_by_test_id("offline-indicator")).to_be_hidden()
    assert not [name for name in cache_names(page) if name.startswith("net-guide-engine-")]
    page.goto(f"{url}calculator/grade/?{urlencode(GRADE)}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    # Opening a calculator saves its engine: only then, never on install.
    page.wait_for_selector(
        "html[data-offline-engine=saved]", state="attached", timeout=ENGINE_SAVE_TIMEOUT_MS
    )
    assert page_saved(page, "calculator/sequence/")  # never opened, saved with the engine

    page.context.set_offline(True)
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.reload()
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    assert page.evaluate("window.NetEngine.ready")["snapshot"] is True
    indicator = page.get_by_test_id("offline-indicator")
    expect(indicator).to_be_visible()
    expect(indicator).to_have_text(
        f"Offline: saved copy, version {ENGINE_VERSION}, evidence date {EVIDENCE_DATE}"
    )
    engine = [r for r in responses if "/assets/engine/" in r.url]
    assert len(engine) >= 5 and all(r.from_service_worker for r in engine), engine

    page.goto(url)  # visited: from the device, with the button's saved state
    expect(page.get_by_test_id("offline-keep-status")).to_contain_text("Saved on this device")
    expect(page.get_by_test_id("offline-indicator")).to_be_visible()

    page.goto(f"{url}glossary/")  # never visited: the offline page, at the address asked for
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    expect(page).to_have_url(f"{url}glossary/")
    saved = page.get_by_test_id("saved-pages")
    expect(saved.get_by_role("link", name=re.compile("WHO grade calculator"))).to_be_visible()
    # Its own files came from the device too: the theme's header is styled.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in {
        "sticky",
        "fixed",
    }
    page.context.set_offline(False)


def test_new_version_is_offered_and_replaces_the_old_caches(reader: Reader) -> None:
    page, url = reader.page, reader.site.url
    page.goto(url)
    wait_until_controlled(page)
    build_a = worker_version(page)["build"]
    assert [name for name in cache_names(page) if build_a in name]
    expect(page.get_by_test_id("update-banner")).to_be_hidden()

    reader.site.directory = reader.site_b.result(timeout=120)
    page.reload()
    # The saved version A keeps being shown until the reader switches.
    expect(page.get_by_test_id("site-version")).to_have_text(ENGINE_VERSION)
    banner = page.get_by_test_id("update-banner")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text(
        f"A newer version of this guideline is available (version {B_VERSION}, "
        f"evidence date {B_EVIDENCE_DATE})"
    )
    assert not blocking_violations(page)
    with page.expect_navigation():
        banner.get_by_role("button", name="Reload").click()
    expect(page.get_by_test_id("site-version")).to_have_text(B_VERSION)
    expect(page.get_by_test_id("update-banner")).to_be_hidden()
    build_b = worker_version(page)["build"]
    assert build_b != build_a
    names = cache_names(page)
    assert not [name for name in names if build_a in name], names
    assert [name for name in names if build_b in name], names
    assert [name for name in names if name.startswith("net-guide-engine-")], names
    # The pages the reader had saved under A are saved again, from B.
    page.wait_for_function(SAVED, arg="calculator/sequence/", timeout=30_000, polling=100)
