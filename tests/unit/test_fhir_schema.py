"""The JSON Schemas published beside the FHIR bundle describe what the engine really reads and
writes: real inputs and outputs of both calculators validate, and wrong ones do not."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from build_scripts.fhir.schema import GRADE_DIFFERENTIATIONS, schemas
from calculator import grade, sequence
from calculator.flat_params import grade_inputs
from calculator.sequencing import load_tree
from calculator.web import grade_params, sequence_params
from tests.sequencing_walk import all_results

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@cache
def validator(name: str) -> Draft202012Validator:
    schema = schemas(load_tree())[f"{name}.schema.json"]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(name: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]


GRADE_CASES = json.loads((FIXTURES / "grade_cases.json").read_text())


def test_grade_results_of_the_fixture_cases_validate() -> None:
    statuses = set()
    for case in GRADE_CASES:  # page URL parameters
        for result in (grade(grade_inputs(case["params"])).to_dict(), grade_params(case["params"])):
            assert errors("grade-output", result) == [], case["name"]
            statuses.add(result["status"])
    assert statuses == {"ok", "incomplete", "error"}


def test_grade_inputs_in_the_contracts_words_validate() -> None:
    accepted = [c["params"] for c in GRADE_CASES if c["expect"]["status"] != "error"]
    assert len(accepted) > 10
    for params in accepted:
        assert errors("grade-params", params) == [], params
        assert errors("grade-input", grade_inputs(params)) == [], params
    assert errors("grade-input", {"site": "liver"})
    assert errors("grade-input", {"site": "pancreas", "mitoses": {"count": 3}})
    for word in GRADE_DIFFERENTIATIONS:  # every word the schema offers, the engine reads
        result = grade({"site": "pancreas", "differentiation": word, "ki67_percent": 5})
        assert (result.error is None) or (result.error.field != "differentiation"), word


@cache
def sequencing_sample() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Terminal results of the exhaustive walk, the questions on the way, and errors."""
    sample = [(a, r) for _, a, r in all_results()[::60]]
    for answers, _ in sample[::10]:
        for key in list(answers)[-2:]:
            partial = {k: v for k, v in answers.items() if k != key}
            sample.append((partial, sequence(partial).to_dict()))
    for wrong in (
        {"site": "liver"},
        {"sstr": "maybe"},
        {"colour": "blue"},
        {"site": "pancreas", "grade": "G1", "ki67_percent": "40"},
        {"prior": ["aspirin"]},
    ):
        sample.append((wrong, sequence(wrong).to_dict()))
    return sample


def test_sequencing_results_validate() -> None:
    statuses = set()
    for answers, result in sequencing_sample():
        assert errors("sequence-output", result) == [], (answers, errors("sequence-output", result))
        statuses.add(result["status"])
    assert statuses == {"complete", "needs_input", "out_of_scope", "error"}
    assert errors("sequence-output", sequence_params([])) == []  # type: ignore[arg-type]


def test_sequencing_answers_validate_and_wrong_ones_do_not() -> None:
    for answers, result in sequencing_sample():
        if result["status"] != "error":
            assert errors("sequence-input", answers) == [], answers
            params = {k: ",".join(v) if isinstance(v, list) else v for k, v in answers.items()}
            assert errors("sequence-params", params) == [], params
    assert errors("sequence-input", {"colour": "blue"})
    assert errors("sequence-input", {"sstr": "maybe"})
    assert errors("sequence-input", {"prior": ["aspirin"]})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "done"),
        ("options", [{"id": "aspirin"}]),
        ("path", ["no-such-step"]),
        ("surprise", True),
    ],
)
def test_a_wrong_result_does_not_validate(field: str, value: object) -> None:
    _, result = sequencing_sample()[0]
    assert errors("sequence-output", {**result, field: value})
