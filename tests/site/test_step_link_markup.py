"""Step links in the built pages (issue 23): every step heading of the algorithm pages carries a
"Link to this step" button for its own id, the button's words stay out of the search index, and
Material's navigation.tracking (which rewrote the address bar's #step while the reader scrolled)
is off. The behaviour is checked in Chromium by tests/browser/test_step_links.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from build_scripts.paths import SITE

STEP_MAP = SITE / "algorithm" / "steps.json"


def _steps() -> dict[str, dict]:
    if not STEP_MAP.is_file():
        pytest.fail("site/ is not built: run `make site`.", pytrace=False)
    return json.loads(STEP_MAP.read_text(encoding="utf-8"))["steps"]


class _StepLinks(HTMLParser):
    """Step headings in order (an h2 with an id right before a step-link box), and for each
    button in such a box the heading before it and the step it names."""

    def __init__(self) -> None:
        super().__init__()
        self.last_h2: str | None = None  # the id of an h2 just closed, until the next tag
        self.open_h2: str | None = None
        self.headings: list[str] = []
        self.buttons: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "h2":
            self.open_h2 = attr.get("id") or ""
        elif tag == "div" and "net-steplink" in (attr.get("class") or "").split():
            if self.last_h2:
                self.headings.append(self.last_h2)
        elif tag == "button" and "data-step-link" in attr:
            before = self.headings[-1] if self.headings else ""
            self.buttons.append((before, attr["data-step-link"]))
        if self.open_h2 is None:
            self.last_h2 = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self.open_h2 is not None:
            self.last_h2, self.open_h2 = self.open_h2, None


def _page(url: str) -> str:
    return (SITE / url / "index.html").read_text(encoding="utf-8")


def test_every_step_heading_has_its_own_link_button() -> None:
    pages: dict[str, set[str]] = {}
    for step_id, info in _steps().items():
        pages.setdefault(info["page"], set()).add(step_id)
    assert set(pages) >= {"algorithm/", "algorithm/pnet/", "algorithm/gi/"}
    for url, expected in pages.items():
        parser = _StepLinks()
        parser.feed(_page(url))
        assert set(parser.headings) == expected, url
        assert parser.buttons == [(step, step) for step in parser.headings], url


def test_the_button_words_stay_out_of_search() -> None:
    index = (SITE / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Link to this step" not in index
    assert "Link to this step" in _page("algorithm/pnet/")


@pytest.mark.parametrize("url", ["algorithm/", "algorithm/pnet/", "calculator/sequence/"])
def test_navigation_tracking_is_off(url: str) -> None:
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', _page(url))
    assert config is not None
    features = json.loads(config.group(1))["features"]
    assert "navigation.instant" in features
    assert "navigation.tracking" not in features
