"""Revision 2 of the grading contract (shared/spec/grading.md, 2026-12): thoracic grade labels,
a dominant neuroendocrine component, Ki-67 reported as a bound, impossible field diameters."""

from __future__ import annotations

import pytest

from calculator.grading import FLAGS, grade
from calculator.thresholds import FIELD_DIAMETER_POSSIBLE_MM, FIELD_DIAMETER_USUAL_MM

BOUND = "ki67_reported_as_bound"
NEAR = "near_threshold_recount_advised"
GT55 = "ki67_gt55_confirm_well_differentiated"


def run(**fields: object) -> dict[str, object]:
    inputs: dict[str, object] = {"site": "pancreas", "differentiation": "well"}
    inputs.update(fields)
    return grade(inputs).to_dict()


def error(out: dict[str, object], field: str) -> str:
    assert out["status"] == "error", out
    assert out["error"]["field"] == field, out["error"]
    assert out["flags"] == [] and out["ki67_percent"] is None
    return str(out["error"]["message"])


def test_the_new_flag_comes_last_in_the_contract_order() -> None:
    assert FLAGS[-1] == BOUND
    assert len(FLAGS) == len(set(FLAGS)) == 17


# --- thoracic labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "necrosis", "classification", "grade_", "headline"),
    [
        ("1", False, "typical_carcinoid", "G1", "Typical carcinoid (G1)"),
        ("1", True, "atypical_carcinoid", "G2", "Atypical carcinoid (G2)"),
        ("10", False, "atypical_carcinoid", "G2", "Atypical carcinoid (G2)"),
        ("10.5", False, "outside_carcinoid_criteria", None, "Outside carcinoid criteria"),
        ("1", None, "TC_or_AC", None, "Typical or atypical carcinoid: necrosis status needed"),
    ],
)
def test_thoracic_grade_labels(
    rate: str, necrosis: bool | None, classification: str, grade_: str | None, headline: str
) -> None:
    out = run(site="thymus", mitoses={"per_2mm2": rate}, necrosis=necrosis)
    assert (out["classification"], out["grade"], out["headline"]) == (
        classification,
        grade_,
        headline,
    )
    assert out["grade_driver"] is None  # the carcinoid criteria, not one index, decide


def test_thoracic_nec_keeps_its_grade_value() -> None:
    out = run(site="lung", differentiation="poor", mitoses={"per_2mm2": "1"}, necrosis=False)
    assert (out["classification"], out["grade"]) == ("NEC", "not_graded_high_grade")
    assert out["headline"] == "Neuroendocrine carcinoma (NEC)"


# --- Ki-67 reported as a bound -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "bound", "value"),
    [
        ("<3", "below", 3.0),
        ("< 1", "below", 1.0),
        ("<1%", "below", 1.0),
        ("< 1 %", "below", 1.0),
        (" <2,5 ", "below", 2.5),
        ("<0.1", "below", 0.1),
    ],
)
def test_a_bound_below_3_is_g1(typed: str, bound: str, value: float) -> None:
    out = run(ki67_percent=typed)
    assert (out["status"], out["classification"], out["grade"]) == ("ok", "NET", "G1")
    assert (out["ki67_percent"], out["ki67_bound"]) == (value, bound)
    assert out["flags"] == ["mitoses_missing", BOUND]
    # "<3" and "<2.5" lie beside the 3 % cut-off, but nobody measured a value to recount.
    assert NEAR not in out["flags"]


@pytest.mark.parametrize(
    ("typed", "value"), [(">20", 20.0), ("> 20 %", 20.0), (">20,5", 20.5), (">99", 99.0)]
)
def test_a_bound_above_20_is_g3(typed: str, value: float) -> None:
    out = run(ki67_percent=typed)
    assert (out["status"], out["classification"], out["grade"]) == ("ok", "NET", "G3")
    assert (out["ki67_percent"], out["ki67_bound"]) == (value, "above")
    assert NEAR not in out["flags"]
    assert BOUND in out["flags"]


def test_exact_values_at_the_same_numbers_keep_their_grades() -> None:
    """The bound's number itself is on the other side of the cut-off: "<3" is G1 but 3 is
    G2; ">20" is G3 but 20 is G2."""
    assert run(ki67_percent="3")["grade"] == "G2"
    assert run(ki67_percent="20")["grade"] == "G2"
    assert run(ki67_percent="<3")["grade"] == "G1"
    assert run(ki67_percent=">20")["grade"] == "G3"
    assert run(ki67_percent="3")["ki67_bound"] is None


@pytest.mark.parametrize(
    ("typed", "differentiation", "flagged"),
    [
        (">55", "well", True),  # every value above 55
        (">60", "unknown", True),
        (">54", "well", False),  # 54.5 is possible: not surely above 55
        (">20", "well", False),
        ("55", "well", False),  # exactly 55 is not above 55
        (">55", "poor", False),  # a NEC needs no reminder that it may be one
    ],
)
def test_ki67_above_55_flag_with_bounds(typed: str, differentiation: str, flagged: bool) -> None:
    out = run(ki67_percent=typed, differentiation=differentiation)
    assert (GT55 in out["flags"]) is flagged


def test_a_bound_combines_with_mitoses_like_a_value() -> None:
    out = run(ki67_percent="<2", mitoses={"per_2mm2": "5"})
    assert (out["grade"], out["grade_driver"]) == ("G2", "mitoses")
    assert out["flags"] == ["discordant_indices_higher_grade_used", BOUND]
    out = run(ki67_percent=">20", mitoses={"per_2mm2": "25"})
    assert (out["grade"], out["grade_driver"]) == ("G3", "concordant")


def test_a_bound_in_other_classifications() -> None:
    nec = run(differentiation="poor", ki67_percent="<1")
    assert nec["classification"] == "NEC"
    assert "nec_with_low_proliferation_review_morphology" in nec["flags"]
    assert BOUND in nec["flags"]
    lung = run(site="lung", ki67_percent=">20", mitoses={"per_2mm2": "1"}, necrosis=False)
    assert lung["classification"] == "typical_carcinoid"
    assert lung["flags"] == ["thoracic_criteria_applied", "ki67_not_used_for_tc_ac", BOUND]
    stopped = run(ki67_percent="<1", ne_component_percent="10")
    assert stopped["classification"] == "not_MiNEN"
    assert stopped["flags"] == ["not_minen_component_below_30", BOUND]
    assert stopped["ki67_percent"] == 1.0


def test_a_bound_is_explained_in_words() -> None:
    below = run(ki67_percent="<1")
    assert "Values used: Ki-67 below 1 % (reported as a bound)." in below["explanation"]
    above = run(ki67_percent=">25", mitoses={"per_2mm2": "3"})
    assert (
        "Values used: Ki-67 above 25 % (reported as a bound); mitoses 3 per 2 mm²."
        in above["explanation"]
    )


@pytest.mark.parametrize(
    ("typed", "cut_offs", "grades"),
    [
        ("<5", "3 %", "G1 or G2"),
        ("<3.01", "3 %", "G1 or G2"),
        ("<20", "3 %", "G1 or G2"),
        ("<25", "3 % and 20 %", "G1 or G2 or G3"),
        (">10", "20 %", "G2 or G3"),
        (">19.99", "20 %", "G2 or G3"),
        (">2", "3 % and 20 %", "G1 or G2 or G3"),
        (">0", "3 % and 20 %", "G1 or G2 or G3"),
    ],
)
def test_a_bound_that_straddles_a_cut_off_is_refused(
    typed: str, cut_offs: str, grades: str
) -> None:
    message = error(run(ki67_percent=typed), "ki67_percent")
    assert f"spans the grade cut-off at {cut_offs}" in message
    assert f"may be {grades}" in message
    assert '"<N" with N at most 3' in message and '">N" with N at least 20' in message


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("<0", "no index is below 0 %"),
        (">100", "no index is above 100 %"),
        (">150", "cannot be over 100"),
        ("<-1", "cannot be negative"),
        ("<", "empty"),
        ("<abc", "not a number"),
        ("<NaN", "not a finite number"),
        ("≤2", "bound within one grade"),
        ("<=2", "bound within one grade"),
        (">=20", "bound within one grade"),
        ("≥25", "bound within one grade"),
        ("<<2", "not a number"),
    ],
)
def test_malformed_bounds_are_refused(typed: str, words: str) -> None:
    message = error(run(ki67_percent=typed), "ki67_percent")
    assert words in message
    assert len(message) < 400


def test_a_bound_is_text_only() -> None:
    # Cell counts are counts, not bounds.
    out = run(ki67={"positive_cells": "<5", "total_cells": "500"})
    assert out["error"]["field"] == "ki67.positive_cells"


# --- the neuroendocrine component --------------------------------------------------------


@pytest.mark.parametrize(
    ("ne", "classification", "grade_"),
    [
        ("29.99", "not_MiNEN", None),
        ("30", "MiNEN", "G2"),
        ("70", "MiNEN", "G2"),
        ("70.01", "NET", "G2"),
        ("100", "NET", "G2"),
    ],
)
def test_neuroendocrine_component_boundaries(ne: str, classification: str, grade_: str) -> None:
    out = run(ne_component_percent=ne, ki67_percent="5")
    assert (out["classification"], out["grade"]) == (classification, grade_)
    assert ("not_minen_component_below_30" in out["flags"]) is (classification != "MiNEN")


# --- field diameter ------------------------------------------------------------------------


def diameter(value: object) -> dict[str, object]:
    return run(mitoses={"count": 3, "hpf": 10, "field_diameter_mm": value})


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("550", "it looks like micrometres, and 550 µm is 0.55 mm."),
        (400, "it looks like micrometres, and 400 µm is 0.4 mm."),
        ("55", "Did you mean 0.55 mm?"),
        ("5", "Did you mean 0.5 mm?"),
        ("6,5", "Did you mean 0.65 mm?"),
        ("0.04", "Did you mean 0.4 mm?"),
        ("0.005", "Did you mean 0.5 mm?"),
        ("8", "enter the diameter in millimetres."),
        ("0.02", "enter the diameter in millimetres."),
        (5e-324, "enter the diameter in millimetres."),
    ],
)
def test_impossible_field_diameters_suggest_the_unit_slip(typed: object, suggestion: str) -> None:
    message = error(diameter(typed), "mitoses.field_diameter_mm")
    assert message.endswith(suggestion), message
    assert "usually 0.35 to 0.75 mm across" in message
    assert ("too large" in message) is (float(str(typed).replace(",", ".")) >= 5)


@pytest.mark.parametrize(
    ("typed", "unusual"),
    [
        ("0.05", True),  # the smallest possible diameter: a warning, still graded
        ("0.349", True),
        ("0.35", False),
        ("0.75", False),
        ("0.751", True),
        ("4.99", True),  # the largest possible diameter
    ],
)
def test_possible_field_diameters_are_graded(typed: str, unusual: bool) -> None:
    out = diameter(typed)
    assert out["status"] == "ok", out["error"]
    assert ("field_diameter_unusual" in out["flags"]) is unusual


def test_diameter_limits_are_the_contract_numbers() -> None:
    assert [float(x) for x in FIELD_DIAMETER_POSSIBLE_MM] == [0.05, 5.0]
    assert [float(x) for x in FIELD_DIAMETER_USUAL_MM] == [0.35, 0.75]
