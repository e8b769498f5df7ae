"""The point of the FHIR export: its PlanDefinition, evaluated with a FHIRPath engine
(fhirpathpy), gives the calculator's answers on every answer combination that the exhaustive
walk (tests/sequencing_walk.py) produces: the path, how the walk ended, the options with their
preference, strength and step, in the calculator's order, and the advice.

Rules the PlanDefinition does not write in FHIRPath are listed here, explicitly, and the export
says so in the step's description (tests/unit/test_fhir_export.py checks the wording).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from build_scripts.fhir.plan import NOT_IN_FHIRPATH, plan_definition
from calculator.sequencing import load_tree, sequence
from tests.fhir_plan import PlanEvaluator, PlanResult, engine_view, questionnaire_response
from tests.sequencing_walk import all_results

# The engine's rules that the PlanDefinition leaves to others, and how the test stands in.
EXCEPTIONS = {
    # The answers carry the grading calculator's results (questionnaire_response).
    "grade": "grading from Ki-67 and mitoses, and the check that a given grade agrees with them",
}


@cache
def evaluator() -> PlanEvaluator:
    return PlanEvaluator(plan_definition(load_tree()))


@cache
def compared() -> tuple[list[PlanResult], list[PlanResult]]:
    """(from the PlanDefinition, from the calculator) for every combination of the walk."""
    walk = all_results()
    responses = [questionnaire_response(a, r) for _, a, r in walk]
    return evaluator().evaluate_many(responses), [engine_view(r) for _, _, r in walk]


def test_the_exceptions_are_exactly_the_ones_the_export_states() -> None:
    assert set(EXCEPTIONS) == set(NOT_IN_FHIRPATH)


def test_the_plan_definition_gives_the_calculators_answers_on_every_combination() -> None:
    from_plan, from_engine = compared()
    assert len(from_plan) == len(all_results()) > 30_000
    wrong = [
        (answers, got, want)
        for (_, answers, _), got, want in zip(all_results(), from_plan, from_engine, strict=True)
        if got != want
    ]
    assert wrong == [], wrong[:3]
    # The comparison is not empty-handed: options, advice and both outcomes all occur.
    assert sum(len(r.options) for r in from_plan) > 100_000
    assert sum(len(r.advice) for r in from_plan) > 50_000
    assert {r.status for r in from_plan} == {"complete", "out_of_scope"}


def test_reusing_results_for_equal_inputs_changes_nothing() -> None:
    # The evaluator runs each expression once per distinct input; evaluating every expression
    # afresh, on a spread of combinations, gives the same answers.
    from_plan, _ = compared()
    sample = all_results()[::3000]
    responses = [questionnaire_response(a, r) for _, a, r in sample]
    assert evaluator().evaluate_many(responses, reuse=False) == from_plan[::3000]


def bound_cases() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Ki-67 reported as a bound ("<3", ">20", ">55"): the same answers as walked cases with a
    value, where the walk still ends without a further question."""
    for _, answers, _ in all_results()[::61]:
        value = answers.get("ki67_percent")
        for bound in {"5": ("<3",), "35": (">20",), "70": (">55", ">20")}.get(value, ()):
            changed = {**answers, "ki67_percent": bound}
            result = sequence(changed).to_dict()
            if result["status"] in ("complete", "out_of_scope"):
                yield changed, result


def test_ki67_given_as_a_bound_is_read_as_the_interval_it_is() -> None:
    cases = list(bound_cases())
    assert len(cases) > 300
    assert {r["grading"]["ki67_bound"] for _, r in cases if r["grading"]} == {"below", "above"}
    got = evaluator().evaluate_many([questionnaire_response(a, r) for a, r in cases])
    want = [engine_view(r) for _, r in cases]
    wrong = [(a, g, w) for (a, _), g, w in zip(cases, got, want, strict=True) if g != w]
    assert wrong == [], wrong[:3]
