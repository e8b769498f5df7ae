"""Every step id and option id ever published still opens its section in the built site.

tests/ids/published_ids.json only grows. A step must be an element id on the page that the
calculator's step map (site/algorithm/steps.json, from build_scripts.render_tree.step_page)
names for it; an option must be the id of its own page, options/<id>/.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.paths import ROOT, SITE

PUBLISHED = json.loads((ROOT / "tests" / "ids" / "published_ids.json").read_text())


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


def element_ids(page_url: str) -> set[str]:
    html = SITE / page_url / "index.html"
    if not html.is_file():
        pytest.fail(f"{page_url} is missing from site/: run `make site`")
    parser = _Ids()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser.ids


def step_map() -> dict:
    path = SITE / "algorithm" / "steps.json"
    if not path.is_file():
        pytest.fail("site/algorithm/steps.json is missing: run `make site`")
    return json.loads(path.read_text(encoding="utf-8"))


def test_published_lists_are_not_empty() -> None:
    assert PUBLISHED["steps"] and PUBLISHED["options"]


@pytest.mark.parametrize("step_id", PUBLISHED["steps"])
def test_published_step_is_an_anchor_on_its_page(step_id: str) -> None:
    steps = step_map()["steps"]
    assert step_id in steps, f"published step {step_id!r} vanished from the step map"
    page = steps[step_id]["page"]
    assert step_id in element_ids(page), f"no id={step_id!r} on {page}"
    # Exactly one algorithm page holds it.
    holders = [
        p for p in ("algorithm/", "algorithm/pnet/", "algorithm/gi/") if step_id in element_ids(p)
    ]
    assert holders == [page]


@pytest.mark.parametrize("option_id", PUBLISHED["options"])
def test_published_option_is_the_anchor_of_its_page(option_id: str) -> None:
    page = f"options/{option_id}/"
    assert option_id in element_ids(page), f"no id={option_id!r} on {page}"
    assert f"options/{option_id}/" == step_map()["options"][option_id]["page"]


def test_site_root_is_built() -> None:
    assert Path(SITE / "index.html").is_file()
