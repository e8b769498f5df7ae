"""The built site as the site and browser tiers see it: its pages and HTML files (one place).

Read when a test module is collected, so a missing site/ stops collection with what to do
instead of leaving a parametrized test with no cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from build_scripts.paths import SITE

CALCULATORS = ("calculator/grade/", "calculator/sequence/")


def _require_site() -> None:
    if not (SITE / "index.html").is_file():
        pytest.fail(
            "site/ is not built: run `make site` (make test, test-site and test-browser build it).",
            pytrace=False,
        )


def page_paths() -> list[str]:
    """Every page's directory URL relative to the site root ("/" for the home page)."""
    _require_site()
    return sorted(
        path.parent.relative_to(SITE).as_posix().removeprefix(".") + "/"
        for path in SITE.rglob("index.html")
        if "assets" not in path.relative_to(SITE).parts
    )


def html_files() -> list[Path]:
    """Every HTML file of the site (pages and 404.html), outside the theme's assets."""
    _require_site()
    return sorted(p for p in SITE.rglob("*.html") if "assets" not in p.relative_to(SITE).parts)


def page_file(path: str) -> Path:
    """The index.html behind a page path from `page_paths()`."""
    return SITE / path.lstrip("/") / "index.html"


PAGES = page_paths()
HTML_FILES = html_files()
