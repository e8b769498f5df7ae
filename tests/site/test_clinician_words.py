"""Words a clinician uses: no page of the built site, and no entry of its search index, shows an
internal identifier, an answer key, a raw value, a file name or the word "seed".

The identifiers stay where readers do not look: in data- attributes and in the addresses of
links (an option page's address is its stable id). What is read here is what a reader sees or
hears: text nodes, and the title, alt, aria-label and placeholder attributes, with scripts,
styles and the page's own printed address (`.net-print-url`) left out. Text the calculators
write at run time is checked by the browser tests (test_engine_status.py for the engine's
loading status).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.paths import SITE
from build_scripts.render_tree import load_tree
from tests.built_site import HTML_FILES

SHOWN_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
HIDDEN_ELEMENTS = {"script", "style", "template"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
PRINTED_ADDRESS = "net-print-url"  # the page's own URL, shown on paper copies
# The page for developers and record systems names ids, answer keys and files on purpose: its
# readers need them. It is the one page left out, and it must exist.
FOR_DEVELOPERS = "developers/"

# Whatever the data holds: snake_case words, file names, and the words for the machinery.
INTERNAL_PATTERNS = {
    "a file name": r"\b[\w-]+(?:\.[\w-]+)*\.(?:toml|py|json|zip|whl|mjs|js|j2|bin)\b",
    "an identifier or key with an underscore": r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b",
    "the word seed": r"\bseeds?\b",
    "an address-bar key": r"\baddress[- ]bar key",
    "a calculator, step or option id": r"\b(?:calculator|step|option|advice) ids?\b",
    "python_stdlib": r"python_stdlib",
}


def internal_ids() -> set[str]:
    """Every identifier of the decision tree that is not also an English word: ids, answer
    keys, answer values and label keys with an underscore or a hyphen."""
    tree = load_tree()
    found: set[str] = set()
    found |= set(tree.options) | set(tree.trials) | set(tree.sources) | set(tree.advice)
    found |= set(tree.facts) | set(tree.pointers)
    for step in tree.steps:
        found.add(step.id)
        if step.key:
            found.add(step.key)
        found |= {choice.value for choice in step.choices}
    for labels in tree.labels.values():
        found |= set(labels)
    return {name for name in found if re.search(r"[_-]", name)}


def internal_words() -> re.Pattern[str]:
    ids = sorted(internal_ids(), key=len, reverse=True)
    alternatives = [*INTERNAL_PATTERNS.values(), *(re.escape(name) for name in ids)]
    # An id inside a longer word or an address ("options/ssa_dose_escalation/") is not a hit.
    return re.compile(r"(?<![\w/#.-])(?:" + "|".join(alternatives) + r")(?![\w/-])", re.I)


INTERNAL = internal_words()


class ShownText(HTMLParser):
    """The text a reader sees or hears on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # open elements whose content is not shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if not self.hidden:
            self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]
        if tag in VOID_ELEMENTS:
            return
        if self.hidden or tag in HIDDEN_ELEMENTS or PRINTED_ADDRESS in classes:
            self.hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def shown_text(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    parser.close()
    return parser.text()


def hits(text: str) -> list[str]:
    return [
        f"{match.group()!r} in “…{text[max(0, match.start() - 50) : match.end() + 30]}…”"
        for match in INTERNAL.finditer(text)
    ]


def test_the_word_list_catches_what_it_is_for() -> None:
    """The scan can fail: each kind of internal word is found, an address is not."""
    page = (
        "<p>calculator id prrt_lu177_dotatate; answer <code>hepatic_predominant</code>; "
        "step pnet-progression-on-ssa; python_stdlib.core.zip; steps.json; seed 42</p>"
        '<a title="current_ssa" href="../options/ssa_dose_escalation/">SSA dose escalation</a>'
        '<span class="net-print-url">options/ssa_dose_escalation/</span>'
        '<div data-option="ssa_dose_escalation"><script>const a = "tree.toml";</script></div>'
    )
    found = [match.group() for match in INTERNAL.finditer(shown_text(page))]
    assert found == [
        "calculator id",
        "prrt_lu177_dotatate",
        "hepatic_predominant",
        "pnet-progression-on-ssa",
        "python_stdlib.core.zip",
        "steps.json",
        "seed",
        "current_ssa",
    ]
    assert "pnet-progression-on-ssa" in internal_ids() and "ssa_dose_escalation" in internal_ids()


READER_PAGES = [p for p in HTML_FILES if p.parent != SITE / FOR_DEVELOPERS.rstrip("/")]


def test_only_the_developers_page_is_left_out() -> None:
    assert (SITE / FOR_DEVELOPERS / "index.html").is_file()
    assert len(HTML_FILES) - len(READER_PAGES) == 1


@pytest.mark.parametrize("html_file", READER_PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_no_page_shows_internal_words(html_file: Path) -> None:
    text = shown_text(html_file.read_text(encoding="utf-8"))
    assert text.strip(), "no text found: the reader of this test is broken"
    assert hits(text) == []


def test_the_search_index_holds_no_internal_words() -> None:
    """Search results show a section's title and text, as snippets: the same words apply."""
    index = json.loads((SITE / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = {
        doc["location"]: hits(shown_text(f"<h1>{doc['title']}</h1>{doc['text']}"))
        for doc in index["docs"]
        if not doc["location"].startswith(FOR_DEVELOPERS)
    }
    assert {location: words for location, words in found.items() if words} == {}
