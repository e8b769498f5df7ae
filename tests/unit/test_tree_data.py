"""The tree data loads, is cross-referenced, and every kind of mistake is reported clearly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from calculator.sequencing import TreeError, load_tree
from calculator.sequencing.contract import (
    ADVICE_IDS,
    ANSWER_VALUES,
    OPTION_IDS,
    SOURCE_IDS,
    TRIAL_IDS,
)
from calculator.sequencing.tree import parse_tree, read_data

Docs = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def docs() -> Docs:
    return (
        copy.deepcopy(read_data("tree.toml")),
        copy.deepcopy(read_data("options.toml")),
        copy.deepcopy(read_data("evidence.toml")),
    )


def step(tree_doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in tree_doc["steps"] if s["id"] == sid)


def test_loads_and_is_cached() -> None:
    tree = load_tree()
    assert tree is load_tree()
    assert tree.root == "site" and tree.steps[0].id == "site"
    assert "pnet-progression-on-ssa" in tree.steps_by_id


def test_catalogues_hold_every_fixed_id() -> None:
    tree = load_tree()
    assert set(OPTION_IDS) <= set(tree.options)
    assert set(TRIAL_IDS) <= set(tree.trials)
    assert set(SOURCE_IDS) <= set(tree.sources)
    assert set(ADVICE_IDS) <= set(tree.advice)
    assert {t for t in tree.trials if tree.trials[t].newer} >= {
        "netter_2",
        "cabinet",
        "compete",
        "compose",
    }
    # CLARINET FORTE's full paper (2021) is cited by the core source itself: not newer.
    assert not tree.trials["clarinet_forte"].newer
    assert tree.trials["clarinet_forte"].status == "published"


def test_every_reference_resolves() -> None:
    tree = load_tree()
    for s in tree.steps:
        assert s.pathway in ("common", "pnet", "gi")
        if s.key:
            assert sorted(c.value for c in s.choices) == sorted(ANSWER_VALUES[s.key])
            assert s.question
        for b in s.branches:
            assert b.next is None or b.next in tree.steps_by_id
            assert b.pointer is None or b.pointer in tree.pointers
        for rec in s.recommendations:
            assert rec.option in tree.options
            assert all(e in tree.trials for e in rec.evidence)
            assert rec.source.id in tree.sources and rec.source.section
            assert rec.strength is None or rec.strength in tree.sources[rec.source.id].grades
        for adv in s.advice:
            assert adv.id in tree.advice
    for o in tree.options.values():
        assert all(e in tree.trials for e in o.evidence)
        assert all(x in tree.sources for x in o.sources)


def test_graded_suggestions_match_the_core_review() -> None:
    graded = {
        (s.id, r.option, r.strength)
        for s in load_tree().steps
        for r in s.recommendations
        if r.strength
    }
    assert ("pnet-tumour-burden", "observation", "2C") in graded
    assert ("pnet-tumour-burden", "ssa", "2B") in graded
    assert ("pnet-first-line", "ssa", "2C") in graded
    assert ("pnet-cytoreduction", "captem", "2C") in graded
    assert len(graded) == 4


def test_sunitinib_only_on_pancreatic_steps() -> None:
    for s in load_tree().steps:
        if any(r.option == "sunitinib" for r in s.recommendations):
            assert s.pathway == "pnet"


def mutate(change: Callable[[Docs], None]) -> TreeError:
    d = docs()
    change(d)
    with pytest.raises(TreeError) as info:
        parse_tree(*d)
    return info.value


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    d[key] = value


@pytest.mark.parametrize(
    ("change", "file", "words"),
    [
        (
            lambda d: _set(step(d[0], "stage")["branches"][-1], "next", "nowhere"),
            "tree.toml",
            "unknown step id 'nowhere'",
        ),
        (
            lambda d: _set(step(d[0], "resectability")["branches"][-1], "next", "site"),
            "tree.toml",
            "loop",
        ),
        (
            lambda d: d[0]["steps"].append(
                {
                    "id": "orphan",
                    "pathway": "gi",
                    "title": "x",
                    "branches": [{"outcome": "complete"}],
                }
            ),
            "tree.toml",
            "unreachable",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "option", "aspirin"),
            "tree.toml",
            "unknown option id 'aspirin'",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "preference", "maybe"),
            "tree.toml",
            "preference",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "strength", "2C"),
            "tree.toml",
            "gives no grade 2C",
        ),
        (
            # A graded entry that reaches beyond the population its grade covers (rule 1).
            lambda d: step(d[0], "pnet-first-line")["recommend"][0]["when"].pop("sstr"),
            "tree.toml",
            "only where its grade holds",
        ),
        (
            lambda d: _set(
                step(d[0], "pnet-tumour-burden")["recommend"][0]["when"], "grade", ["G2", "G3"]
            ),
            "tree.toml",
            "only where its grade holds",
        ),
        (
            lambda d: d[2]["sources"]["pnet_systemic_review"].pop("grade_scope"),
            "evidence.toml",
            "whom the grades cover",
        ),
        (
            lambda d: _set(d[1]["options"]["captem"], "not_after", ["aspirin"]),
            "options.toml",
            "unknown or own option id",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "aim", "comfort"),
            "tree.toml",
            "aim must be one of",
        ),
        (
            lambda d: d[0]["advice"]["cbc_after_prrt"].pop("sources"),
            "tree.toml",
            "sources",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "evidence", ["netter_3"]),
            "tree.toml",
            "unknown trial id 'netter_3'",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "evidence", ["netter_2"]),
            "tree.toml",
            "newer",
        ),
        (
            lambda d: _set(
                step(d[0], "pnet-vhl")["recommend"][0], "source", {"id": "nowhere", "section": "x"}
            ),
            "tree.toml",
            "unknown source id",
        ),
        (
            lambda d: step(d[0], "pnet-vhl")["choices"].pop(),
            "tree.toml",
            "choices must list each value",
        ),
        (lambda d: _set(step(d[0], "pnet-vhl"), "key", "colour"), "tree.toml", "not an answer key"),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "when", {"sstr": ["pos"]}),
            "tree.toml",
            "'pos' is not a value of 'sstr'",
        ),
        (
            lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "when", {"colour": ["red"]}),
            "tree.toml",
            "unknown key 'colour'",
        ),
        (
            lambda d: _set(step(d[0], "site")["branches"][1], "when", {"burden": ["low"]}),
            "tree.toml",
            "never asked before this step",
        ),
        (
            lambda d: step(d[0], "site")["branches"].pop(),
            "tree.toml",
            "last branch must have no `when`",
        ),
        (
            lambda d: _set(step(d[0], "site")["branches"][0], "pointer", "scope/mars"),
            "tree.toml",
            "unknown pointer page",
        ),
        (
            lambda d: _set(step(d[0], "site"), "prefernce", "x"),
            "tree.toml",
            "unknown field 'prefernce'",
        ),
        (lambda d: _set(step(d[0], "site"), "id", "Site Step"), "tree.toml", "slug"),
        (lambda d: _set(step(d[0], "grade"), "id", "site"), "tree.toml", "duplicate step id"),
        (lambda d: d[0]["advice"].pop("cbc_after_prrt"), "tree.toml", "missing fixed advice id"),
        (
            lambda d: _set(
                step(d[0], "pnet-vhl")["advice"]
                if "advice" in step(d[0], "pnet-vhl")
                else step(d[0], "pnet-vhl"),
                "advice",
                [{"id": "drink_water"}],
            ),
            "tree.toml",
            "unknown advice id",
        ),
        (
            lambda d: _set(
                d[0]["facts"]["indolent"], "rules", [{"when": {"pace": ["rapid"]}, "value": "no"}]
            ),
            "tree.toml",
            "last rule",
        ),
        (lambda d: d[1]["options"].pop("telotristat"), "options.toml", "telotristat"),
        (
            lambda d: _set(d[1]["options"]["ssa"], "evidence", ["promid", "nope"]),
            "options.toml",
            "unknown trial id 'nope'",
        ),
        (lambda d: _set(d[1]["options"]["ssa"], "category", "magic"), "options.toml", "category"),
        (lambda d: d[2]["trials"].pop("netter_1"), "evidence.toml", "netter_1"),
        (
            lambda d: _set(d[2]["trials"]["netter_1"], "newer", "no"),
            "evidence.toml",
            "true or false",
        ),
        (
            lambda d: _set(d[2]["trials"]["netter_1"], "therapies", ["lutathera"]),
            "evidence.toml",
            "unknown option id",
        ),
    ],
)
def test_invalid_data_raises_tree_error_naming_file_and_path(
    change: Callable[[Docs], None], file: str, words: str
) -> None:
    err = mutate(change)
    assert err.file == file
    assert words in str(err)
    assert str(err).startswith(file)


def test_error_path_points_at_the_step() -> None:
    err = mutate(lambda d: _set(step(d[0], "pnet-vhl")["recommend"][0], "option", "aspirin"))
    assert "pnet-vhl" in err.path and err.path.endswith(".option")


def test_evidence_date_is_the_newest_evidence_item() -> None:
    """The footer's "evidence reviewed to" date is never newer than what the data holds."""
    from calculator.version import EVIDENCE_DATE

    tree = load_tree()
    dates = [t.date for t in tree.trials.values() if t.newer and t.date]
    dates += [s.date for s in tree.sources.values() if s.newer]
    assert all(d[:4].isdigit() for d in dates)
    assert max(dates) == EVIDENCE_DATE
