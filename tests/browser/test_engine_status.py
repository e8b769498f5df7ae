"""The engine's loading status, as the reader sees it while a calculator starts: plain words
with a percentage that never goes back, never a file name (docs/javascripts/engine-worker.mjs
stages, formatted by engine.js)."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.browser.support import wait_for_engine

# Every text the status line shows, recorded as the page changes it.
RECORD_STATUS = """
window.__statusTexts = [];
new MutationObserver(() => {
  const node = document.querySelector(".net-engine-status__text");
  const text = node ? node.textContent : null;
  const seen = window.__statusTexts;
  if (text && seen[seen.length - 1] !== text) seen.push(text);
}).observe(document, { childList: true, subtree: true, characterData: true });
"""
PROGRESS = re.compile(r"^Loading the calculator engine \(([a-z ]+), (\d{1,3}) %\)…")
MACHINERY = re.compile(r"\.(zip|wasm|mjs|json|whl)\b|python|pyodide|snapshot|_", re.I)


def test_the_loading_status_is_plain_words_with_a_percentage(page: Page, site_url: str) -> None:
    page.add_init_script(RECORD_STATUS)
    page.goto(site_url + "calculator/grade/")
    wait_for_engine(page)
    texts: list[str] = page.evaluate("() => window.__statusTexts")
    progress = [PROGRESS.match(text) for text in texts]
    shown = [match for match in progress if match]
    assert len(shown) >= 2, texts  # the boot reports more than one stage
    assert [text for text in texts if MACHINERY.search(text)] == []
    percents = [int(match.group(2)) for match in shown]
    assert percents == sorted(percents) and all(0 <= p < 100 for p in percents), texts
    # Anything else it said is the page's own first line, before the engine reported.
    assert {t for t, m in zip(texts, progress, strict=True) if not m} <= {
        "Loading the calculator engine…"
    }, texts
