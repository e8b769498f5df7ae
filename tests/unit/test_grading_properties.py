"""Property-based checks of the grading engine (hypothesis).

`grade` catches nothing but bad input (FieldError), so an unexpected exception fails these
properties instead of hiding behind an error on `input`; the mutation tests at the end prove it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calculator import grading, ki67
from calculator.grading import ERROR_FIELDS, FLAGS, STATUSES, grade
from calculator.grading_text import SEVERITIES
from calculator.web import grade_params

RANK = {"G1": 1, "G2": 2, "G3": 3}

# Decimals as a pathologist would type them, kept exact.
ki67_values = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False)
mitoses_values = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False)


def oracle_ki67(value: Fraction) -> str:
    """The WHO table, written out independently of the engine."""
    return "G1" if value < 3 else "G2" if value <= 20 else "G3"


def oracle_mitoses(value: Fraction) -> str:
    return "G1" if value < 2 else "G2" if value <= 20 else "G3"


def run(ki67: object, mitoses: object) -> dict[str, object]:
    return grade(
        {
            "site": "pancreas",
            "differentiation": "well",
            "ki67_percent": str(ki67),
            "mitoses": {"per_2mm2": str(mitoses)},
        }
    ).to_dict()


@given(ki67_values, mitoses_values)
# The cut-offs themselves, every run (random decimals seldom land on them).
@example(Decimal("2.999"), Decimal("1.99"))
@example(Decimal("3"), Decimal("2"))
@example(Decimal("20"), Decimal("20"))
@example(Decimal("20.001"), Decimal("20.01"))
def test_grade_is_the_higher_of_the_two_index_grades(ki67: object, mitoses: object) -> None:
    out = run(ki67, mitoses)
    k, m = oracle_ki67(Fraction(ki67)), oracle_mitoses(Fraction(mitoses))
    expected = max(k, m, key=RANK.__getitem__)
    assert out["grade"] == expected
    if k == m:
        assert out["grade_driver"] == "concordant"
    else:
        assert out["grade_driver"] == ("ki67" if RANK[k] > RANK[m] else "mitoses")
        assert "discordant_indices_higher_grade_used" in out["flags"]


@given(ki67_values, mitoses_values, ki67_values, mitoses_values)
def test_raising_either_index_never_lowers_the_grade(
    k1: object, m1: object, k2: object, m2: object
) -> None:
    low_k, high_k = sorted((k1, k2))
    low_m, high_m = sorted((m1, m2))
    base = RANK[run(low_k, low_m)["grade"]]
    assert RANK[run(high_k, low_m)["grade"]] >= base
    assert RANK[run(low_k, high_m)["grade"]] >= base
    assert RANK[run(high_k, high_m)["grade"]] >= base


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_ki67_from_counts_matches_the_exact_percentage(positive: int, total: int) -> None:
    out = grade(
        {"site": "colon", "ki67": {"positive_cells": positive, "total_cells": total}}
    ).to_dict()
    if positive > total:
        assert out["error"]["field"] == "ki67.positive_cells"
        return
    exact = Fraction(positive * 100, total)
    assert out["ki67_percent"] == float(exact)
    assert out["grade"] == oracle_ki67(exact)
    assert ("ki67_fewer_than_500_cells" in out["flags"]) is (total < 500)


@given(st.integers(0, 500), st.integers(1, 100), st.decimals("0.01", "2", places=3))
def test_count_over_fields_is_graded_on_the_exact_rate(
    count: int, fields: int, field_area: object
) -> None:
    out = grade(
        {
            "site": "rectum",
            "differentiation": "well",
            "mitoses": {"count": count, "hpf": fields, "field_area_mm2": str(field_area)},
        }
    ).to_dict()
    exact = Fraction(count * 2) / (fields * Fraction(field_area))
    assert out["grade"] == oracle_mitoses(exact)


# Anything a JSON document (or a careless caller) could put in a field.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "12",
            " 7 ",
            "12,5",
            ".5",
            "NaN",
            "-1",
            "1e3",
            "١٢",
            "1,000",
            "",
            "well",
            "poor",
            "pancreas",
            "lung",
            "liver",
            "true",
            "false",
            "yes",
            "unknown",
            "20.01",
            "0",
        ]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=12), inner, max_size=3),
    ),
    max_leaves=8,
)
mitoses_like = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(
            ["per_2mm2", "count", "area_mm2", "hpf", "field_diameter_mm", "field_area_mm2", "x"]
        ),
        json_scalars,
        max_size=4,
    ),
)
ki67_like = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(["positive_cells", "total_cells", "y"]), json_scalars),
)
field_values = {
    "site": st.one_of(json_values, st.sampled_from(["pancreas", "lung", "thymus", "liver"])),
    "differentiation": st.one_of(json_values, st.sampled_from(["well", "poor", "unknown"])),
    "ki67_percent": json_values,
    "ki67": ki67_like,
    "mitoses": mitoses_like,
    "necrosis": json_values,
    "ne_component_percent": json_values,
}


def check_result(out: dict[str, object], inputs: object) -> None:
    """The contract's output shape. An error on `input` (the whole object) is only right when
    the input is not an object at all: anything else is a bug surfacing."""
    assert out["status"] in STATUSES
    assert set(out["flags"]) <= set(FLAGS)
    assert isinstance(out["headline"], str) and out["headline"]
    assert all(isinstance(line, str) and line for line in out["explanation"])
    details = out["flag_details"]
    assert [detail["id"] for detail in details] == out["flags"]
    assert all(detail["severity"] in SEVERITIES and detail["text"] for detail in details)
    if out["status"] == "error":
        assert out["error"]["field"] in ERROR_FIELDS
        assert (out["error"]["field"] == "input") is (not isinstance(inputs, Mapping))
        assert len(out["error"]["message"]) < 600
    else:
        assert out["error"] is None
        assert out["classification"] is not None


def check_any_input(inputs: object) -> None:
    """grade() answers (an unexpected exception propagates from here: a failure)."""
    check_result(grade(inputs).to_dict(), inputs)  # type: ignore[arg-type]


# Explicit examples run first, every time: one per branch of the engine, so a branch that
# crashes is always reached (the mutation tests below rely on it).
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional=field_values))
@example({"site": "pancreas", "differentiation": "well", "ki67_percent": "12"})
@example({"site": "colon", "differentiation": "poor", "mitoses": {"per_2mm2": "30"}})
@example({"site": "lung", "mitoses": {"per_2mm2": "3"}, "necrosis": False})
@example({"site": "appendix", "ki67_percent": "<2", "ne_component_percent": "50"})
@example({"site": "colon", "ki67_percent": ">25", "ne_component_percent": "80"})
@example({"site": "rectum", "ne_component_percent": "10"})
@example({"site": "pancreas", "mitoses": {"count": 3, "hpf": 10, "field_diameter_mm": "550"}})
def test_any_input_gives_a_result_or_a_documented_error(inputs: dict[str, object]) -> None:
    check_any_input(inputs)


@settings(max_examples=200)
@given(json_values)
@example([{"site": "pancreas"}])
def test_any_top_level_value_gives_a_result_or_a_documented_error(value: object) -> None:
    check_any_input(value)


param_keys = st.sampled_from(
    [
        "site",
        "differentiation",
        "ki67_percent",
        "ki67.positive_cells",
        "ki67.total_cells",
        "mitoses.per_2mm2",
        "mitoses.count",
        "mitoses.area_mm2",
        "mitoses.hpf",
        "mitoses.field_diameter_mm",
        "mitoses.field_area_mm2",
        "necrosis",
        "ne_component_percent",
        "unknown_key",
    ]
)
param_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "12", "0,55", "10", "pancreas", "lung", "well", "yes", "no", "NaN"]),
)


@settings(max_examples=400)
@given(st.dictionaries(st.one_of(param_keys, st.text(max_size=8)), param_text, max_size=10))
def test_grade_params_never_raises(params: dict[str, str]) -> None:
    check_result(grade_params(params), params)


# --- the properties can fail -----------------------------------------------------------


class Mutant(Exception):
    """Raised by a deliberately broken branch of the engine."""


def _crash(*args: object, **kwargs: object) -> object:
    raise Mutant("a branch of the engine crashed")


@pytest.mark.parametrize(
    "branch", ["_thoracic", "_gep", "_read_necrosis", "_combine"], ids=lambda name: name
)
def test_a_crashing_branch_fails_the_property(monkeypatch: pytest.MonkeyPatch, branch: str) -> None:
    """If a branch raised, grade() would let it out and the property test would fail."""
    monkeypatch.setattr(grading, branch, _crash)
    with pytest.raises(Mutant):
        test_any_input_gives_a_result_or_a_documented_error()


def test_a_crash_in_a_bound_fails_the_property(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ki67, "_range_grades", _crash)
    with pytest.raises(Mutant):
        test_any_input_gives_a_result_or_a_documented_error()


def test_a_wrong_threshold_fails_the_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A silent wrong answer is caught too: Ki-67 20 % graded G3 breaks the WHO oracle."""
    monkeypatch.setattr(ki67, "grade_ki67", lambda p: oracle_ki67(p) if p != 20 else "G3")
    with pytest.raises(AssertionError):
        test_grade_is_the_higher_of_the_two_index_grades()
