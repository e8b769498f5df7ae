"""The exhaustive walk of the sequencing tree, shared by the tests that need every answer
combination (tests/unit/test_sequencing_paths.py checks the safety rules on each result,
tests/unit/test_fhir_equivalence.py compares the exported FHIR PlanDefinition with each).

From each starting point, every question the engine asks is answered with every choice that can
make a difference. Answer values the tree never tells apart (no condition names one without the
other, such as the GI sites other than the pancreas) are walked once, through one
representative. Starting points: no indices (grade asked), Ki-67 5 / 15 / 35 / 70 %, and
several lists of treatments already given (`prior`). `ALL` is computed once per test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from calculator.sequencing import load_tree, sequence
from calculator.sequencing.contract import ANSWER_VALUES
from calculator.sequencing.model import Condition, NumRange, Tree

PRRT = "prrt_lu177_dotatate"
# Every answer combination for each representative Ki-67 (or none: the grade is asked) ...
SEEDS: list[dict[str, Any]] = [
    {},
    {"ki67_percent": "5"},
    {"ki67_percent": "15"},
    {"ki67_percent": "35"},
    {"ki67_percent": "70"},
]
# ... and, for the later lines, unresectable advanced disease with treatments already given.
LATER = {"differentiation": "well", "stage": "advanced", "resectable": "no"}
SEEDS += [
    {**LATER, "syndrome": syndrome, "ki67_percent": ki67, "prior": prior}
    for prior in (
        ["ssa"],
        ["ssa_dose_escalation"],
        ["everolimus", PRRT],
        ["captem"],
        ["captem", "everolimus", "sunitinib", PRRT, "cabozantinib"],
    )
    for syndrome, ki67 in (("none", "15"), ("carcinoid_syndrome", "35"))
]


def conditions(tree: Tree) -> Iterator[Condition]:
    for step in tree.steps:
        yield from (b.when for b in step.branches if b.when)
        for rec in step.recommendations:
            yield from (c for c in (rec.when, rec.unless) if c)
        for adv in step.advice:
            yield from (c for c in (adv.when, adv.unless) if c)
    yield from (rule.when for rule in tree.advice_rules if rule.when)
    for fact in tree.facts.values():
        yield from (rule.when for rule in fact.rules if rule.when)
    for source in tree.sources.values():
        if source.grade_scope:
            yield source.grade_scope.when
            yield from source.grade_scope.by_option.values()


@cache
def value_classes() -> dict[str, list[list[str]]]:
    """For each answer key, its values grouped by the set of clauses that name them."""
    tree = load_tree()
    clauses = [
        (i, key, clause)
        for i, cond in enumerate(conditions(tree))
        for key, clause in cond.clauses.items()
        if not isinstance(clause, NumRange)
    ]
    classes: dict[str, list[list[str]]] = {}
    for key, values in ANSWER_VALUES.items():
        groups: dict[frozenset[int], list[str]] = {}
        for value in values:
            sig = frozenset(i for i, k, clause in clauses if k == key and value in clause)
            groups.setdefault(sig, []).append(value)
        classes[key] = list(groups.values())
    return classes


def walk(start: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield (answers, result) for every terminal result reachable from `start`."""
    todo = [start]
    while todo:
        answers = todo.pop()
        result = sequence(answers).to_dict()
        if result["status"] == "needs_input":
            q = result["next_question"]
            assert q["key"] not in answers
            if q["key"] == "syndrome_controlled":
                assert answers["syndrome"] != "none"
            offered = [c["value"] for c in q["choices"]]
            assert sorted(offered) == sorted(ANSWER_VALUES[q["key"]])
            todo += [{**answers, q["key"]: group[0]} for group in value_classes()[q["key"]]]
        else:
            yield answers, result


@cache
def all_results() -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    """(seed index, answers, result) for every terminal result of every seed."""
    return [(seed_i, a, r) for seed_i, seed in enumerate(SEEDS) for a, r in walk(seed)]
