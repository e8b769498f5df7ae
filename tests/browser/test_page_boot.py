"""How a page boots: work kept out of the longest main-thread tasks of a cold load.

When it runs, Material's bundle swaps .no-js for .js on <html>, its focus-visible polyfill marks
<html>, and navigation.instant makes every relative href absolute (for a stylesheet, a reload);
each restyles the page inside the bundle's first task. A script at the end of <head> does all
three before any style is computed, so Material finds them done (docs/overrides/main.html).
The calculators mount when their scripts run, not in Material's DOMContentLoaded task
(docs/javascripts/common.js), and Material's bundle carries V8's compile hint
(build_scripts/compile_hints.py; the file is checked by tests/site/test_site_files.py).
Behaviour only: no timing is asserted.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

CALCULATOR = "calculator/grade/?site=pancreas&differentiation=well&ki67_percent=12"
SEQUENCE = "calculator/sequence/"

# When <body> first appears (the head has run, Material's bundle has not): the class of
# <html> and the href attributes of the stylesheets, as Material's bundle will find them.
AT_BODY = """
new MutationObserver((records, observer) => {
  if (!document.body) return;
  observer.disconnect();
  window.__atBody = {
    htmlClass: document.documentElement.className,
    focusVisible: document.documentElement.getAttribute("data-js-focus-visible"),
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
    assert at_body["htmlClass"].split() == ["js", "js-focus-visible"]
    assert at_body["focusVisible"] == ""
    assert len(at_body["stylesheets"]) >= 3
    for href in at_body["stylesheets"]:
        assert href.startswith(site_url), href  # Material rewrites relative ones (a reload)
    # Material's bundle then ran as usual, its polyfill included: a keyboard focus is marked.
    assert page.evaluate("() => typeof window.document$") == "object"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('focus-visible')")


# Registered before any page script, so this listener runs first at DOMContentLoaded: the
# calculators mounted by then were mounted outside Material's DOMContentLoaded task.
AT_DOMCONTENTLOADED = """
document.addEventListener("DOMContentLoaded", () => {
  window.__mountedAtDcl = [...document.querySelectorAll("[data-mounted]")].map((n) => n.id);
});
"""


@pytest.mark.parametrize(
    ("path", "root"), [(CALCULATOR, "grade-calculator"), (SEQUENCE, "sequence-calculator")]
)
def test_calculators_mount_before_materials_domcontentloaded_task(
    page: Page, site_url: str, path: str, root: str
) -> None:
    page.add_init_script(AT_DOMCONTENTLOADED)
    page.goto(site_url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__mountedAtDcl") == [root]
    # Mounted once: Material's first document$ emission finds it done.
    assert page.locator(f"#{root}[data-mounted='true']").count() == 1
