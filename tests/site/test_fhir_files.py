"""The built site publishes the FHIR bundle and the JSON Schemas the unit tests check (the same
bytes the export writes), their links to the guide's pages resolve, and the developers' page
lists them with the answer vocabulary."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.fhir.bundle import BUNDLE_FILE, VOCABULARY_FILE, bundle
from build_scripts.fhir.schema import schemas
from build_scripts.paths import SITE
from calculator.sequencing import load_tree
from calculator.sequencing.contract import ANSWER_VALUES

FHIR = SITE / "fhir"
DEVELOPERS = SITE / "developers" / "index.html"
TREE = load_tree()


def test_the_bundle_shipped_is_the_bundle_tested() -> None:
    shipped = json.loads((FHIR / BUNDLE_FILE).read_text(encoding="utf-8"))
    assert shipped == bundle(TREE)


@pytest.mark.parametrize("name", sorted(schemas(TREE)))
def test_each_schema_shipped_is_the_schema_tested(name: str) -> None:
    assert json.loads((FHIR / name).read_text(encoding="utf-8")) == schemas(TREE)[name]


def test_links_to_the_guides_pages_resolve() -> None:
    shipped = json.loads((FHIR / BUNDLE_FILE).read_text(encoding="utf-8"))
    links: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "documentation" and isinstance(node.get("url"), str):
                links.append(node["url"])
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(shipped)
    assert len(links) > len(TREE.options)  # every option's page, and the scope pages
    for link in links:
        assert link.startswith("../") and link.endswith("/"), link
        assert (FHIR / link / "index.html").resolve().is_file(), link


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def test_the_developers_page_links_every_file_and_lists_every_answer() -> None:
    html = DEVELOPERS.read_text(encoding="utf-8")
    parser = Links()
    parser.feed(html)
    linked = {(DEVELOPERS.parent / h).resolve() for h in parser.hrefs if h.endswith(".json")}
    shipped = {p.resolve() for p in FHIR.glob("*.json")}
    assert shipped and linked == shipped
    for key in ANSWER_VALUES:
        assert f"<code>{key}</code>" in html, key
    # The vocabulary fragment is included in the page, not published as a page of its own.
    assert not (FHIR / VOCABULARY_FILE).exists()
    assert not Path(FHIR / VOCABULARY_FILE.replace(".md", "")).exists()
