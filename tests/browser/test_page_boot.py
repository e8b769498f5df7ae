"""How a page boots: Material's bundle finds nothing left to restyle (docs/overrides/main.html).

When it runs, Material's bundle swaps .no-js for .js on <html> and (navigation.instant) makes
every relative href absolute, which loads each stylesheet again; either one restyles the whole
page inside the bundle's first task. A script at the end of <head> does both before any style
is computed, so Material finds them done. Behaviour only: no timing is asserted.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

CALCULATOR = "calculator/grade/?site=pancreas&differentiation=well&ki67_percent=12"

# When <body> first appears (the head has run, Material's bundle has not): the class of
# <html> and the href attributes of the stylesheets, as Material's bundle will find them.
AT_BODY = """
new MutationObserver((records, observer) => {
  if (!document.body) return;
  observer.disconnect();
  window.__atBody = {
    htmlClass: document.documentElement.className,
    stylesheets: [...document.querySelectorAll('link[rel="stylesheet"]')]
      .map((link) => link.getAttribute("href")),
  };
}).observe(document, { childList: true, subtree: true });
"""


@pytest.mark.parametrize("path", ["", CALCULATOR])
def test_material_bundle_finds_the_js_class_and_absolute_stylesheets_in_place(
    page: Page, site_url: str, path: str
) -> None:
    page.add_init_script(AT_BODY)
    page.goto(site_url + path)
    page.wait_for_load_state("load")
    at_body = page.evaluate("() => window.__atBody")
    assert at_body["htmlClass"].split() == ["js"]
    assert len(at_body["stylesheets"]) >= 3
    for href in at_body["stylesheets"]:
        assert href.startswith(site_url), href  # Material rewrites relative ones (a reload)
    # Material's bundle then ran as usual (it adds a class of its own to <html>).
    assert "js-focus-visible" in page.evaluate("() => document.documentElement.className")
