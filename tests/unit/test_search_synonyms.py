"""The search synonyms added to Material's search index (build_scripts.search_synonyms), on a
small fake index. What a reader's query finds in the real site: tests/browser/test_search.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_scripts.search_synonyms import (
    INDEX,
    SYNONYMS,
    TEXT_FIELD,
    TITLE_FIELD,
    PageWords,
    SearchSynonymsError,
    Synonyms,
    add_search_synonyms,
    hidden_terms,
    load_data,
    search_terms,
    words,
)

DATA = """
[[group]]
words = ["177Lu-dotatate", "lutetium", "Lutathera"]

[[group]]
words = ["Ki-67", "Ki67", "MIB-1"]

[[finds]]
typed = ["carcinoid"]
written = ["NET", "neuroendocrine tumour"]

[[page]]
url = "grading/"
words = ["Ki-67"]
"""
CONFIG = {
    "lang": ["en"],
    "separator": r"[\s\-]+",
    "pipeline": ["stopWordFilter"],
    "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}},
}
DOCS = [
    {"location": "grading/", "title": "Grading", "text": "<p>Ki-67 and mitoses.</p>"},
    {"location": "options/prrt/", "title": "PRRT", "text": "<p>Given as 177Lu-dotatate.</p>"},
    {
        "location": "options/prrt/#trials",
        "title": "Key trials",
        "text": "<ul><li>(177Lu-dotatate) twice, Lutathera, 177Lu-dotatate, 177Lu-dotatate</li>",
    },
    {"location": "scope/", "title": "Well-differentiated NET", "text": "<p>A carcinoid.</p>"},
    {"location": "about/", "title": "About", "text": "<p>Nothing to add.</p>"},
]


def fake_site(tmp_path: Path, data: str = DATA) -> tuple[Path, Path]:
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / INDEX).write_text(json.dumps({"config": CONFIG, "docs": DOCS}))
    synonyms = tmp_path / "synonyms.toml"
    synonyms.write_text(data)
    return site, synonyms


def built(site: Path) -> tuple[dict, dict[str, dict]]:
    index = json.loads((site / INDEX).read_text())
    return index, {doc["location"]: doc for doc in index["docs"]}


def test_words_are_split_as_materials_search_splits_them() -> None:
    assert words("<p>(NETTER-2) and <b>Ki-67</b>: 177Lu-dotatate.</p>") == [
        "netter",
        "2",
        "and",
        "ki",
        "67",
        "177lu",
        "dotatate",
    ]


def test_a_hyphenated_word_is_found_typed_with_or_without_its_hyphen() -> None:
    # Typed "MIB-1", the search looks for "mib" and a word starting with "1"; typed "MIB1",
    # for a word starting with "mib1".
    assert search_terms("MIB-1") == ["mib1", "mib", "1"]
    assert search_terms("MIB-1", numbers=False) == ["mib1", "mib"]
    assert search_terms("somatostatin analogue") == ["somatostatin", "analogue"]


def test_each_use_of_a_written_word_counts_up_to_a_cap_and_shown_words_are_not_repeated() -> None:
    group = ("177Lu-dotatate", "lutetium", "Lutathera")
    lutetium = Synonyms(group, group)
    text = "177Lu-dotatate, Lutathera, 177Lu-dotatate, 177Lu-dotatate"
    terms = hidden_terms(text, [lutetium], shown=text)
    # Four uses, capped at three; the words already in the text ("177lu", "dotatate",
    # "lutathera") are not added again, the joined "177ludotatate" is.
    assert terms == ["177ludotatate", "lutetium"] * 3
    assert hidden_terms("nothing here", [lutetium]) == []


def test_the_index_gets_hidden_fields_weighted_like_title_and_text(tmp_path: Path) -> None:
    site, data = fake_site(tmp_path)
    counts = add_search_synonyms(site, data, pages=load_data(data)[1])
    index, docs = built(site)
    assert index["config"]["fields"][TITLE_FIELD] == {"boost": 1000.0}
    assert index["config"]["fields"][TEXT_FIELD] == {"boost": 1.0}
    # Shown fields are untouched: a result never displays a hidden word.
    assert [(d["title"], d["text"]) for d in index["docs"]] == [
        (d["title"], d["text"]) for d in DOCS
    ]
    prrt = docs["options/prrt/"]
    assert set(prrt[TEXT_FIELD].split()) == {"lutetium", "lutathera", "177ludotatate"}
    assert TITLE_FIELD not in prrt
    trials = docs["options/prrt/#trials"][TEXT_FIELD].split()
    assert trials.count("lutetium") == 3  # four uses, capped
    assert "lutathera" not in trials  # in the text already
    # The page words find the grading page as if they were in its title, with their synonyms.
    grading = docs["grading/"][TITLE_FIELD].split()
    assert {"ki67", "ki", "67", "mib1", "mib"} <= set(grading)
    assert (
        "about/" in docs and TITLE_FIELD not in docs["about/"] and TEXT_FIELD not in docs["about/"]
    )
    assert counts == {TITLE_FIELD: 2, TEXT_FIELD: 3}


def test_a_one_way_entry_finds_the_written_words_not_the_reverse(tmp_path: Path) -> None:
    site, data = fake_site(tmp_path)
    add_search_synonyms(site, data, pages=[])
    _, docs = built(site)
    assert docs["scope/"][TITLE_FIELD].split() == ["carcinoid"]  # "NET" in the title
    assert TEXT_FIELD not in docs["scope/"]  # "carcinoid" in the text brings no "net"


def test_page_words_can_leave_out_numbers_and_synonyms(tmp_path: Path) -> None:
    site, data = fake_site(tmp_path)
    add_search_synonyms(
        site, data, pages=[PageWords("about/", ("Ki-67",), numbers=False, synonyms=False)]
    )
    _, docs = built(site)
    assert docs["about/"][TITLE_FIELD].split() == ["ki67", "ki"]


def test_running_twice_gives_the_same_index(tmp_path: Path) -> None:
    site, data = fake_site(tmp_path)
    pages = load_data(data)[1]
    add_search_synonyms(site, data, pages=pages)
    first = (site / INDEX).read_text()
    add_search_synonyms(site, data, pages=pages)
    assert (site / INDEX).read_text() == first


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[[groups]]\nwords = ['a']\n", "unknown tables"),
        ("[[group]]\nword = ['a']\n", "unknown keys"),
        ("[[group]]\nwords = []\n", "must be a list of words"),
        ("[[group]]\nwords = ['--']\n", "hold no searchable word"),
        ("[[finds]]\ntyped = ['a']\n", "`written` must be a list"),
        ("[[page]]\nurl = '/grading/'\nwords = ['a']\n", "must be a path in the site"),
        ("[[page]]\nurl = 'nowhere/'\nwords = ['a']\n", "no page or section ['nowhere/']"),
        ("[[group]\n", "cannot read"),
    ],
)
def test_bad_data_fails_the_build_with_what_is_wrong(
    tmp_path: Path, data: str, message: str
) -> None:
    site, path = fake_site(tmp_path, data)
    with pytest.raises(SearchSynonymsError, match="build failed \\(search synonyms\\)") as raised:
        add_search_synonyms(site, path, pages=load_data(path)[1])
    assert message in str(raised.value.code)


def test_a_missing_or_changed_index_fails_the_build(tmp_path: Path) -> None:
    site, data = fake_site(tmp_path)
    (site / INDEX).write_text(json.dumps({"docs": DOCS}))
    with pytest.raises(SearchSynonymsError, match="lacks 'config'"):
        add_search_synonyms(site, data, pages=[])
    (site / INDEX).unlink()
    with pytest.raises(SearchSynonymsError, match=r"no search/search_index\.json"):
        add_search_synonyms(site, data, pages=[])


def test_the_sites_data_has_no_word_in_two_groups() -> None:
    synonyms, pages = load_data(SYNONYMS)
    seen: dict[str, int] = {}
    for number, entry in enumerate(synonyms):
        if entry.typed != entry.written:
            continue  # a one-way entry may reuse a group's word
        for word in entry.typed:
            key = " ".join(words(word))
            assert seen.setdefault(key, number) == number, f"{word!r} is in two groups"
    assert pages, "the data names the page a search for Ki-67 should open"
