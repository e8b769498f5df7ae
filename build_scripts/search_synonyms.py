"""Teach the site search the words clinicians type: brand names, "Ki67", "lutetium", "tumor".

A Material patch (build_scripts/material_patches.py). The words are data
(build_scripts/data/search_synonyms.toml, plus the therapy and trial names of calculator/data).
Material's search worker indexes every field that the search index's `config.fields` names and
shows only a section's title and text, so each section gets two hidden fields:
`title_synonyms` (weighted like the title) and `synonyms` (weighted like the text, once per
use of a word, up to a cap). The search finds the words offline, in the worker, with no change
to Material's code; a result never shows them. Run on a built site; idempotent.

The data lives beside the build, not in calculator/data: the engine's wheel ships that folder,
and a change of wording here must not change the engine's versioned URL.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from build_scripts.paths import ROOT

SYNONYMS = ROOT / "build_scripts" / "data" / "search_synonyms.toml"
INDEX = "search/search_index.json"
TITLE_FIELD = "title_synonyms"
TEXT_FIELD = "synonyms"
MAX_USES = 3  # a section that uses a word more often ranks higher, up to this many uses
SEPARATOR = r"[\s\-]+"  # Material's default; the index's own separator is used when present
_TAG = re.compile(r"<[^>]*>")
_EDGE = re.compile(r"^\W+|\W+$")


class SearchSynonymsError(SystemExit):
    """The synonym data or Material's search index is not what this step expects."""

    def __init__(self, message: str) -> None:
        super().__init__(f"build failed (search synonyms): {message}")


@dataclass(frozen=True)
class Synonyms:
    """Sections that use any of `written` are also found by every word of `typed`."""

    typed: tuple[str, ...]
    written: tuple[str, ...]


@dataclass(frozen=True)
class PageWords:
    """Words that find one page (or section, "page/#anchor") as if they were in its title.
    With `numbers` false, the number in a name such as "NETTER-2" is left out (see
    search_terms), so that page does not rise for every number typed; with `synonyms` false,
    the words bring no synonyms with them (a trial named after its drug does not make the
    evidence page a result for the drug's brand name)."""

    url: str
    words: tuple[str, ...]
    numbers: bool = True
    synonyms: bool = True


def words(text: str, separator: str = SEPARATOR) -> list[str]:
    """The words of an index field as Material's search splits them, lowercased, with the
    punctuation at their edges dropped ("(NETTER-2)" gives "netter", "2")."""
    plain = html.unescape(_TAG.sub(" ", text))
    parts = (_EDGE.sub("", part.lower()) for part in re.split(separator, plain))
    return [part for part in parts if part]


def search_terms(word: str, *, numbers: bool = True) -> list[str]:
    """The hidden terms that find `word` however it is typed. The search splits what is typed
    at spaces and hyphens and matches the last part as a word beginning, the others whole:
    "Ki67" is searched as "ki67…", "MIB-1" as "mib" and "1…", "NETTER-2" as "netter" and
    "2…". So: the word without its hyphens, and each of its parts. With `numbers` false, parts
    that are bare numbers are left out: they would match any number typed."""
    joined = words(word.replace("-", ""))
    parts = [part for part in words(word) if numbers or not part.isdigit()]
    return list(dict.fromkeys([*joined, *parts]))


def _count(haystack: Sequence[str], needle: Sequence[str]) -> int:
    size = len(needle)
    return sum(1 for i in range(len(haystack) - size + 1) if haystack[i : i + size] == needle)


def hidden_terms(
    text: str, synonyms: Iterable[Synonyms], separator: str = SEPARATOR, shown: str = ""
) -> list[str]:
    """The hidden terms `text` earns: for each entry whose written words it uses, the typed
    words' terms, once per use up to MAX_USES, except the words `shown` already holds (they
    count there once already)."""
    found = words(text, separator)
    present = set(words(shown, separator))
    terms: list[str] = []
    for entry in synonyms:
        uses = sum(_count(found, words(w)) for w in entry.written)
        if uses:
            typed = dict.fromkeys(t for w in entry.typed for t in search_terms(w, numbers=False))
            terms += [t for t in typed if t not in present] * min(uses, MAX_USES)
    return terms


# ----------------------------------------------------------------------------- the data


def load_data(path: Path = SYNONYMS) -> tuple[list[Synonyms], list[PageWords]]:
    """The synonym entries ([[group]], [[finds]]) and page words ([[page]]) of `path`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SearchSynonymsError(f"cannot read {path}: {error}") from error
    unknown = set(data) - {"group", "finds", "page"}
    if unknown:
        raise SearchSynonymsError(f"{path.name}: unknown tables {sorted(unknown)}")
    synonyms: list[Synonyms] = []
    for number, table in enumerate(data.get("group", []), 1):
        group = _words(table, "words", {"words"}, f"group {number}", path)
        synonyms.append(Synonyms(group, group))
    for number, table in enumerate(data.get("finds", []), 1):
        where, keys = f"finds {number}", {"typed", "written"}
        typed = _words(table, "typed", keys, where, path)
        synonyms.append(Synonyms(typed, _words(table, "written", keys, where, path)))
    pages: list[PageWords] = []
    for number, table in enumerate(data.get("page", []), 1):
        where = f"page {number}"
        url = table.get("url")
        if not isinstance(url, str) or not url or url.startswith(("/", "http")):
            raise SearchSynonymsError(f"{path.name}, {where}: `url` must be a path in the site")
        pages.append(PageWords(url, _words(table, "words", {"url", "words"}, where, path)))
    return synonyms, pages


def _words(table: dict, key: str, keys: set[str], where: str, path: Path) -> tuple[str, ...]:
    if set(table) - keys:
        raise SearchSynonymsError(f"{path.name}, {where}: unknown keys {sorted(set(table) - keys)}")
    found = table.get(key)
    if not isinstance(found, list) or not found or not all(isinstance(w, str) for w in found):
        raise SearchSynonymsError(f"{path.name}, {where}: `{key}` must be a list of words")
    empty = [w for w in found if not words(w)]
    if empty:
        raise SearchSynonymsError(f"{path.name}, {where}: {empty} hold no searchable word")
    return tuple(found)


def data_pages() -> list[PageWords]:
    """Page words from calculator/data: a therapy's page is found by its full name and its
    trials' names, the evidence page by every trial's name (with its number: "NETTER-2")."""
    from build_scripts.render_tree import EVIDENCE_PAGE, load_tree, option_page, page_url

    tree = load_tree()
    trials = tuple(t.name for t in tree.trials.values())
    pages = [PageWords(page_url(EVIDENCE_PAGE), trials, synonyms=False)]
    for option in tree.options.values():
        url = page_url(option_page(option.id))
        pages.append(PageWords(url, (option.name,)))
        if option.evidence:
            names = tuple(tree.trials[t].name for t in option.evidence)
            pages.append(PageWords(url, names, numbers=False, synonyms=False))
    return pages


# ----------------------------------------------------------------------------- the index


def _title_terms(
    title: str, pages: list[PageWords], synonyms: list[Synonyms], separator: str
) -> list[str]:
    """A section's hidden title terms: its page words, and the synonyms of its title's words
    and of the page words that bring theirs."""
    named = [t for page in pages for w in page.words for t in search_terms(w, numbers=page.numbers)]
    expanded = " ".join([title, *(w for page in pages if page.synonyms for w in page.words)])
    return named + hidden_terms(expanded, synonyms, separator, shown=title)


def add_search_synonyms(
    site: Path, path: Path = SYNONYMS, pages: Iterable[PageWords] | None = None
) -> dict[str, int]:
    """Add the hidden fields to `site`'s search index; return how many sections got each.
    `pages` defaults to the data's [[page]] entries and data_pages()."""
    index_file = site / INDEX
    if not index_file.is_file():
        raise SearchSynonymsError(f"no {INDEX} in {site} (is Material's search plugin on?)")
    synonyms, listed = load_data(path)
    pages = [*listed, *data_pages()] if pages is None else list(pages)
    index = json.loads(index_file.read_text(encoding="utf-8"))
    try:
        fields = index["config"]["fields"]
        separator = index["config"].get("separator") or SEPARATOR
        title_boost, text_boost = fields["title"]["boost"], fields["text"]["boost"]
        docs = {doc["location"]: doc for doc in index["docs"]}
    except (KeyError, TypeError) as error:
        raise SearchSynonymsError(f"{INDEX} lacks {error} (has Material changed it?)") from error
    missing = sorted({page.url for page in pages} - set(docs))
    if missing:
        raise SearchSynonymsError(f"{path.name}: no page or section {missing} in the site")
    fields[TITLE_FIELD] = {"boost": title_boost}
    fields[TEXT_FIELD] = {"boost": text_boost}
    by_url: dict[str, list[PageWords]] = {}
    for page in pages:
        by_url.setdefault(page.url, []).append(page)
    counts = {TITLE_FIELD: 0, TEXT_FIELD: 0}
    for location, doc in docs.items():
        title, text = doc.get("title", ""), doc.get("text", "")
        hidden = {
            TITLE_FIELD: _title_terms(title, by_url.get(location, []), synonyms, separator),
            TEXT_FIELD: hidden_terms(text, synonyms, separator, shown=text),
        }
        for field, terms in hidden.items():
            if terms:
                doc[field] = " ".join(terms)
                counts[field] += 1
            else:
                doc.pop(field, None)
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return counts
