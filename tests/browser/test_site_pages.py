"""Every page of the built site: offline (no outside request), provenance shown, no Pyodide
bytes on content pages before the idle-time prefetch starts, no console errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request

from build_scripts.paths import SITE
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

PAGES = sorted(
    path.parent.relative_to(SITE).as_posix().removeprefix(".") + "/"
    for path in SITE.rglob("index.html")
    if "assets" not in path.parts
)
CALCULATOR_PAGES = {"calculator/grade/", "calculator/sequence/"}


def test_site_has_pages() -> None:
    assert "/" in PAGES and "calculator/grade/" in PAGES and len(PAGES) >= 10, PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_and_shows_provenance(page: Page, site_url: str, path: str) -> None:
    requested: list[tuple[Request, float]] = []  # (request, wall-clock ms when Python saw it)
    errors: list[str] = []
    # The context also sees the worker's requests.
    page.context.on("request", lambda request: requested.append((request, time.time() * 1000)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + path.lstrip("/"))
    page.wait_for_load_state("networkidle")
    provenance = page.get_by_test_id("provenance")
    assert ENGINE_VERSION in provenance.inner_text()
    assert EVIDENCE_DATE in provenance.inner_text()
    assert "does not replace, clinical judgement" in provenance.inner_text()
    engine = [(request, seen) for request, seen in requested if "/assets/engine/" in request.url]
    if path in CALCULATOR_PAGES:
        assert engine, "a calculator page should start the engine"
    else:
        # Content pages may start the engine only through the idle-time prefetch, which begins
        # seconds after load (performance mark net-engine-prefetch); no engine request may
        # come before it. Times are wall-clock ms: the browser's own request start, or (still
        # pending, so Playwright has no timing yet) when the test saw the request, which is later.
        prefetch_at = page.evaluate(
            """() => {
              const mark = performance.getEntriesByName('net-engine-prefetch')[0];
              return mark ? performance.timeOrigin + mark.startTime : null;
            }"""
        )
        early = [
            request.url
            for request, seen in engine
            if prefetch_at is None or (request.timing["startTime"] or seen) < prefetch_at - 5
        ]
        assert not early, f"content page {path} fetched engine files before the prefetch: {early}"
        assert page.get_attribute("html", "data-engine-prefetch") in {"scheduled", "started"}
    assert not errors, errors
    # The external-request guard (conftest) fails the test if anything left 127.0.0.1.


def test_built_html_names_no_outside_host() -> None:
    for html in SITE.rglob("*.html"):
        text = html.read_text(errors="ignore")
        for host in ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg.com", "cdnjs."):
            assert host not in text, f"{html.relative_to(SITE)} refers to {host}"


def test_pages_mount_no_palette_toggle() -> None:
    """One fixed palette, set on <body> by the HTML: Material's palette toggle, mounted for a
    palette list, re-applies the colours while the page boots and forces full style passes."""
    for html in SITE.rglob("index.html"):
        text = html.read_text(errors="ignore")
        assert 'data-md-component="palette"' not in text, html.relative_to(SITE)
        assert 'data-md-color-scheme="default"' in text, html.relative_to(SITE)


def test_engine_folder_is_complete() -> None:
    engine = next((SITE / "assets" / "engine").iterdir())
    names = {p.name for p in engine.iterdir()}
    for required in (
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "python_stdlib.core.zip",
        "pyodide-lock.json",
        "engine-worker.mjs",
    ):
        assert required in names
    assert any(name.endswith("-py3-none-any.whl") for name in names)
    assert engine.name.startswith(f"{ENGINE_VERSION}-")
    assert not (SITE / "javascripts" / "engine-worker.mjs").exists()
    assert not Path(SITE / "overrides").exists()
