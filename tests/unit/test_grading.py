"""WHO grading rules (shared/spec/grading.md): thresholds, units, classifications, errors."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from calculator.grading import (
    ERROR_FIELDS,
    FLAGS,
    GradeResult,
    grade,
    grade_ki67,
    grade_mitoses,
)
from calculator.mitoses import TOLERANCE, compare
from calculator.version import ENGINE_VERSION

OUTPUT_KEYS = {
    "status",
    "classification",
    "grade",
    "grade_driver",
    "ki67_percent",
    "mitoses_per_2mm2",
    "flags",
    "error",
    "engine_version",
    # Revision 2 and issue 22: the bound, and the words the page and the CLI show.
    "ki67_bound",
    "headline",
    "explanation",
    "flag_details",
    # Issue 23: the areas behind a count given as an area or in fields, and their words.
    "field_area_mm2",
    "counted_area_mm2",
    "fields_for_10mm2",
    "area_explanation",
}


def run(**fields: object) -> dict[str, object]:
    """Grade a well-differentiated pancreatic tumour, with the given fields added/overriding."""
    inputs: dict[str, object] = {"site": "pancreas", "differentiation": "well"}
    inputs.update(fields)
    out = grade(inputs).to_dict()
    assert set(out) == OUTPUT_KEYS
    return out


def per(value: object) -> dict[str, object]:
    return {"per_2mm2": value}


def error_field(out: dict[str, object]) -> str:
    assert out["status"] == "error", out
    error = out["error"]
    assert isinstance(error, dict)
    assert set(error) == {"field", "message"}
    assert error["message"]
    return str(error["field"])


# --- GEP table boundaries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ki67", "expected"),
    [
        ("0", "G1"),
        ("2.99", "G1"),
        ("2,99", "G1"),
        (2.99, "G1"),
        ("3", "G2"),
        (3, "G2"),
        ("3.0", "G2"),
        ("20", "G2"),
        (20.0, "G2"),
        ("20.01", "G3"),
        (20.01, "G3"),
        ("20.000001", "G3"),
        ("100", "G3"),
    ],
)
def test_ki67_boundaries(ki67: object, expected: str) -> None:
    out = run(ki67_percent=ki67)
    assert out["status"] == "ok"
    assert out["classification"] == "NET"
    assert out["grade"] == expected
    assert out["grade_driver"] == "ki67"
    assert "mitoses_missing" in out["flags"]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0", "G1"),
        ("1.99", "G1"),
        (1.99, "G1"),
        ("2", "G2"),
        (2, "G2"),
        ("20", "G2"),
        ("20.01", "G3"),
        (20.01, "G3"),
        ("45", "G3"),
    ],
)
def test_mitoses_boundaries(rate: object, expected: str) -> None:
    out = run(mitoses=per(rate))
    assert out["status"] == "ok"
    assert out["grade"] == expected
    assert out["grade_driver"] == "mitoses"
    assert "ki67_missing_grade_provisional" in out["flags"]


def test_per_index_grade_functions() -> None:
    assert [grade_ki67(Fraction(x)) for x in ("2.99", "3", "20", "20.01")] == [
        "G1",
        "G2",
        "G2",
        "G3",
    ]
    assert [grade_mitoses(Fraction(x)) for x in ("1.99", "2", "20", "20.01")] == [
        "G1",
        "G2",
        "G2",
        "G3",
    ]


@pytest.mark.parametrize(
    ("ki67", "rate", "grade_", "driver"),
    [
        ("1", "1", "G1", "concordant"),
        ("10", "10", "G2", "concordant"),
        ("30", "30", "G3", "concordant"),
        ("2", "5", "G2", "mitoses"),
        ("10", "1", "G2", "ki67"),
        ("25", "3", "G3", "ki67"),
        ("1", "25", "G3", "mitoses"),
    ],
)
def test_higher_index_sets_the_grade(ki67: str, rate: str, grade_: str, driver: str) -> None:
    out = run(ki67_percent=ki67, mitoses=per(rate))
    assert out["grade"] == grade_
    assert out["grade_driver"] == driver
    discordant = "discordant_indices_higher_grade_used" in out["flags"]
    assert discordant == (driver != "concordant")
    assert "mitoses_missing" not in out["flags"]
    assert "ki67_missing_grade_provisional" not in out["flags"]


# --- units ------------------------------------------------------------------------------


def test_unit_path_per_2mm2() -> None:
    out = run(ki67_percent="1", mitoses=per("3,5"))
    assert out["mitoses_per_2mm2"] == 3.5
    assert out["grade"] == "G2"


@pytest.mark.parametrize(
    ("count", "area", "rate", "expected"),
    [
        (5, "10", 1.0, "G1"),
        (10, "10", 2.0, "G2"),
        (9, "10", 1.8, "G1"),
        (100, "10", 20.0, "G2"),
        (101, "10", 20.2, "G3"),
    ],
)
def test_unit_path_count_and_area(count: int, area: str, rate: float, expected: str) -> None:
    out = run(mitoses={"count": count, "area_mm2": area})
    assert out["mitoses_per_2mm2"] == rate
    assert out["grade"] == expected


def test_unit_path_count_hpf_diameter() -> None:
    # Contract example: 21 mitoses in 10 HPF of 0.55 mm is 17.68 per 2 mm².
    out = run(ki67_percent=1, mitoses={"count": 21, "hpf": 10, "field_diameter_mm": 0.55})
    assert out["grade"] == "G2"
    assert out["mitoses_per_2mm2"] == pytest.approx(17.678, abs=0.001)
    assert round(out["mitoses_per_2mm2"], 2) == 17.68


def test_unit_path_count_hpf_field_area() -> None:
    out = run(mitoses={"count": "10", "hpf": "50", "field_area_mm2": "0.2"})
    assert out["mitoses_per_2mm2"] == 2.0
    assert out["grade"] == "G2"


def test_36_mitoses_over_15_fields_of_024_is_exactly_20() -> None:
    # Binary floats give 20.000000000000004 here, which would be G3.
    assert 36 * 2 / (15 * 0.24) > 20
    for fields in (
        {"count": 36, "hpf": 15, "field_area_mm2": 0.24},
        {"count": "36", "hpf": "15", "field_area_mm2": "0,24"},
        {"count": 36, "area_mm2": "3.6"},
    ):
        out = run(mitoses=fields)
        assert out["mitoses_per_2mm2"] == 20.0
        assert out["grade"] == "G2", fields
    assert run(mitoses={"count": 37, "hpf": 15, "field_area_mm2": 0.24})["grade"] == "G3"


def test_thoracic_float_trap_18_over_15_fields_of_024_is_exactly_10() -> None:
    assert 18 * 2 / (15 * 0.24) > 10  # the float trap is real
    out = grade(
        {
            "site": "lung",
            "differentiation": "well",
            "necrosis": False,
            "mitoses": {"count": 18, "hpf": 15, "field_area_mm2": 0.24},
        }
    ).to_dict()
    assert out["mitoses_per_2mm2"] == 10.0
    assert out["classification"] == "atypical_carcinoid"


def test_ki67_from_counts_is_exact() -> None:
    out = run(ki67={"positive_cells": 3, "total_cells": 100})
    assert out["ki67_percent"] == 3.0
    assert out["grade"] == "G2"
    out = run(ki67={"positive_cells": "2999", "total_cells": "100000"})
    assert out["ki67_percent"] == 2.999
    assert out["grade"] == "G1"
    out = run(ki67={"positive_cells": 100, "total_cells": 500})
    assert out["ki67_percent"] == 20.0
    assert out["grade"] == "G2"
    out = run(ki67={"positive_cells": 20001, "total_cells": 100000})
    assert out["grade"] == "G3"
    out = run(ki67={"positive_cells": 1, "total_cells": 3})
    assert out["ki67_percent"] == 100 / 3


def test_decimal_sums_stay_exact() -> None:
    # 0.1 + 0.2 style: decimals combine exactly (3 fields of 0.1 is 0.3, not 0.30000000000000004).
    assert 0.1 * 3 != 0.3
    out = run(mitoses={"count": 3, "hpf": 3, "field_area_mm2": 0.1})
    assert out["mitoses_per_2mm2"] == 20.0
    assert out["grade"] == "G2"
    out = run(mitoses={"count": 3, "area_mm2": "0.3"})
    assert out["mitoses_per_2mm2"] == 20.0
    assert out["grade"] == "G2"


def test_per_10_hpf_is_not_per_2mm2() -> None:
    # 2 mitoses in 10 fields of 0.55 mm is 1.68 per 2 mm² (G1); reading it as 2 per 2 mm² gives G2.
    out = run(mitoses={"count": 2, "hpf": 10, "field_diameter_mm": "0.55"})
    assert round(out["mitoses_per_2mm2"], 2) == 1.68
    assert out["grade"] == "G1"
    assert run(mitoses=per(2))["grade"] == "G2"


@pytest.mark.parametrize(
    ("count", "hpf", "diameter", "expected"),
    [
        # Value within 1e-9 of a threshold counts as the threshold.
        (21, 8, "0.57812228852", "G2"),  # 20 + 5.6e-10
        (21, 8, "0.578122288", "G3"),  # 20 + 3.7e-8: outside the tolerance
        (1, 3, "0.651470016", "G2"),  # 2 - 7.9e-10
        (1, 3, "0.6514701", "G1"),  # 2 - 5.2e-7
    ],
)
def test_pi_tolerance_at_thresholds(count: int, hpf: int, diameter: str, expected: str) -> None:
    out = run(mitoses={"count": count, "hpf": hpf, "field_diameter_mm": diameter})
    assert out["grade"] == expected


def test_compare_tolerance() -> None:
    assert compare(20 + TOLERANCE / 2, 20) == 0
    assert compare(20 - TOLERANCE / 2, 20) == 0
    assert compare(20 + 3 * TOLERANCE, 20) == 1
    assert compare(20 - 3 * TOLERANCE, 20) == -1
    # Exact values get no tolerance.
    assert compare(Fraction(20) + Fraction(1, 10**12), 20) == 1
    assert run(mitoses=per("20.000000000001"))["grade"] == "G3"


# --- differentiation --------------------------------------------------------------------


@pytest.mark.parametrize("differentiation", [None, "unknown", "", "Unknown"])
def test_unknown_differentiation_g1_g2_is_net(differentiation: object) -> None:
    for ki67, expected in (("2", "G1"), ("15", "G2")):
        inputs: dict[str, object] = {"site": "pancreas", "ki67_percent": ki67}
        if differentiation is not None:
            inputs["differentiation"] = differentiation
        out = grade(inputs).to_dict()
        assert (out["status"], out["classification"], out["grade"]) == ("ok", "NET", expected)
        assert "differentiation_required" not in out["flags"]


def test_unknown_differentiation_g3_requires_differentiation() -> None:
    out = grade({"site": "pancreas", "ki67_percent": "25"}).to_dict()
    assert out["status"] == "incomplete"
    assert out["classification"] == "NEN_differentiation_not_stated"
    assert out["grade"] == "G3"
    assert "differentiation_required" in out["flags"]
    well = run(ki67_percent="25")
    assert (well["status"], well["classification"], well["grade"]) == ("ok", "NET", "G3")
    assert "differentiation_required" not in well["flags"]


@pytest.mark.parametrize(
    ("ki67", "low_flag"), [("15", True), ("20", True), ("20.01", False), ("80", False)]
)
def test_poorly_differentiated_is_nec(ki67: str, low_flag: bool) -> None:
    out = run(differentiation="poor", ki67_percent=ki67)
    assert out["status"] == "ok"
    assert out["classification"] == "NEC"
    assert out["grade"] == "not_graded_high_grade"
    assert ("nec_with_low_proliferation_review_morphology" in out["flags"]) is low_flag
    assert "ki67_gt55_confirm_well_differentiated" not in out["flags"]
    assert out["grade_driver"] is None  # no index sets a NEC's grade
    # The index flags still describe the indices given.
    assert "mitoses_missing" in out["flags"]
    assert ("near_threshold_recount_advised" in out["flags"]) is (ki67 in ("20", "20.01"))


def test_nec_keeps_the_index_flags() -> None:
    out = run(differentiation="poor", ki67_percent="2", mitoses=per("30"))
    assert out["flags"] == ["discordant_indices_higher_grade_used"]
    out = run(differentiation="poor", mitoses={"count": 3, "area_mm2": "5"})
    assert out["flags"] == [
        "ki67_missing_grade_provisional",
        "counted_area_below_10mm2",
        "nec_with_low_proliferation_review_morphology",
    ]


def test_nec_low_proliferation_uses_the_higher_index() -> None:
    out = run(differentiation="poor", ki67_percent="10", mitoses=per("25"))
    assert "nec_with_low_proliferation_review_morphology" not in out["flags"]
    out = run(differentiation="poor", ki67_percent="10", mitoses=per("20"))
    assert "nec_with_low_proliferation_review_morphology" in out["flags"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("well", "NET"),
        ("Well", "NET"),
        (" well-differentiated ", "NET"),
        ("poor", "NEC"),
        ("poorly differentiated", "NEC"),
        ("POORLY_DIFFERENTIATED", "NEC"),
    ],
)
def test_differentiation_spellings(typed: str, expected: str) -> None:
    assert run(differentiation=typed, ki67_percent="5")["classification"] == expected


# --- sites ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "site",
    [
        "pancreas",
        "small_intestine",
        "stomach",
        "duodenum",
        "ampulla",
        "appendix",
        "colon",
        "rectum",
        "gallbladder",
        "unknown_primary",
        "Small intestine",
        " PANCREAS ",
    ],
)
def test_gep_sites_use_the_table(site: str) -> None:
    out = run(site=site, ki67_percent="5")
    assert (out["classification"], out["grade"]) == ("NET", "G2")
    assert "thoracic_criteria_applied" not in out["flags"]


def test_liver_is_not_a_primary_site() -> None:
    out = run(site="liver", ki67_percent="5")
    assert error_field(out) == "site"
    message = out["error"]["message"].lower()
    assert "metasta" in message
    assert "primary" in message


@pytest.mark.parametrize("site", ["lymph_node", "Lymph node", "bone", "peritoneum"])
def test_other_metastatic_sites_are_refused(site: str) -> None:
    out = run(site=site, ki67_percent="5")
    assert error_field(out) == "site"
    assert "primary" in out["error"]["message"]


# --- thoracic ---------------------------------------------------------------------------


def lung(**fields: object) -> dict[str, object]:
    inputs: dict[str, object] = {"site": "lung", "differentiation": "well"}
    inputs.update(fields)
    out = grade(inputs).to_dict()
    assert set(out) == OUTPUT_KEYS
    return out


@pytest.mark.parametrize(
    ("rate", "necrosis", "status", "classification"),
    [
        ("0", False, "ok", "typical_carcinoid"),
        ("1.99", False, "ok", "typical_carcinoid"),
        ("1.99", True, "ok", "atypical_carcinoid"),
        ("1.99", None, "incomplete", "TC_or_AC"),
        ("2", False, "ok", "atypical_carcinoid"),
        ("2", True, "ok", "atypical_carcinoid"),
        ("2", None, "ok", "atypical_carcinoid"),
        ("10", False, "ok", "atypical_carcinoid"),
        ("10", None, "ok", "atypical_carcinoid"),
        ("10.01", False, "ok", "outside_carcinoid_criteria"),
        ("10.01", True, "ok", "outside_carcinoid_criteria"),
        ("25", None, "ok", "outside_carcinoid_criteria"),
    ],
)
def test_thoracic_boundaries(
    rate: str, necrosis: bool | None, status: str, classification: str
) -> None:
    out = lung(mitoses=per(rate), necrosis=necrosis)
    assert out["status"] == status
    assert out["classification"] == classification
    # Revision 2: WHO 2021 thoracic names, typical carcinoid G1 and atypical carcinoid G2.
    assert out["grade"] == {"typical_carcinoid": "G1", "atypical_carcinoid": "G2"}.get(
        classification
    )
    assert out["grade_driver"] is None
    assert "thoracic_criteria_applied" in out["flags"]
    assert ("necrosis_status_required" in out["flags"]) is (classification == "TC_or_AC")
    gt10 = "gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses" in out["flags"]
    assert gt10 is (classification == "outside_carcinoid_criteria")


def test_thoracic_necrosis_absent_key_is_unknown() -> None:
    out = grade({"site": "thymus", "mitoses": per("1")}).to_dict()
    assert (out["status"], out["classification"]) == ("incomplete", "TC_or_AC")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("yes", "atypical_carcinoid"), ("no", "typical_carcinoid"), ("unknown", "TC_or_AC")],
)
def test_thoracic_necrosis_words(typed: str, expected: str) -> None:
    assert lung(mitoses=per("1"), necrosis=typed)["classification"] == expected


def test_thoracic_pi_tolerance() -> None:
    near_10 = {"count": 11, "hpf": 9, "field_diameter_mm": "0.55788559145"}  # 10 + 3.2e-10
    assert lung(mitoses=near_10, necrosis=False)["classification"] == "atypical_carcinoid"
    above_10 = {"count": 11, "hpf": 9, "field_diameter_mm": "0.557885591"}  # 10 + 1.6e-8
    assert lung(mitoses=above_10)["classification"] == "outside_carcinoid_criteria"
    near_2 = {"count": 1, "hpf": 3, "field_diameter_mm": "0.651470016"}  # 2 - 7.9e-10
    assert lung(mitoses=near_2, necrosis=False)["classification"] == "atypical_carcinoid"


def test_thoracic_ki67_is_reported_but_not_used() -> None:
    out = lung(mitoses=per("1"), necrosis=False, ki67_percent="25")
    assert out["classification"] == "typical_carcinoid"
    assert out["ki67_percent"] == 25.0
    assert "ki67_not_used_for_tc_ac" in out["flags"]
    assert (
        "near_threshold_recount_advised"
        not in lung(mitoses=per("1"), necrosis=False, ki67_percent="20")["flags"]
    )
    without = lung(mitoses=per("1"), necrosis=False)
    assert "ki67_not_used_for_tc_ac" not in without["flags"]
    # Ki-67 is still validated.
    assert error_field(lung(mitoses=per("1"), ki67_percent="150")) == "ki67_percent"


def test_thoracic_poorly_differentiated_is_nec() -> None:
    out = lung(differentiation="poor", mitoses=per("1"), necrosis=False)
    assert (out["status"], out["classification"], out["grade"]) == (
        "ok",
        "NEC",
        "not_graded_high_grade",
    )
    assert "thoracic_criteria_applied" in out["flags"]


def test_thoracic_needs_mitoses() -> None:
    assert error_field(lung(ki67_percent="5")) == "mitoses"
    assert error_field(lung()) == "mitoses"
    assert error_field(lung(differentiation="poor", ki67_percent="80")) == "mitoses"


def test_thoracic_site_spellings() -> None:
    assert lung(site="Lung", mitoses=per("3"))["classification"] == "atypical_carcinoid"
    assert lung(site="thymus", mitoses=per("3"))["classification"] == "atypical_carcinoid"


# --- MiNEN ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ne", "outcome"),
    [
        ("0", "not_MiNEN"),
        ("29.9", "not_MiNEN"),
        ("29,99", "not_MiNEN"),
        ("30", "MiNEN"),
        (30, "MiNEN"),
        ("50", "MiNEN"),
        ("70", "MiNEN"),
        # Revision 2: the non-neuroendocrine part under 30 %: graded as a neuroendocrine tumour.
        ("70.1", "NET"),
        ("100", "NET"),
    ],
)
def test_minen_thresholds(ne: object, outcome: str) -> None:
    out = run(ne_component_percent=ne, ki67_percent="12")
    assert out["status"] == "ok"
    assert out["classification"] == outcome
    if outcome == "MiNEN":
        assert out["grade"] == "G2"
        assert "grade_each_component_separately" in out["flags"]
        assert "not_minen_component_below_30" not in out["flags"]
    elif outcome == "NET":
        assert (out["grade"], out["grade_driver"]) == ("G2", "ki67")
        assert out["flags"] == ["mitoses_missing", "not_minen_component_below_30"]
    else:
        assert out["grade"] is None
        assert out["flags"] == ["not_minen_component_below_30"]


def test_large_neuroendocrine_component_uses_the_normal_rules() -> None:
    """Revision 2: NE component over 70 % is graded like any NEN of its site and
    differentiation, and keeps the flag that says why it is not a MiNEN."""
    flag = "not_minen_component_below_30"
    g3 = run(ne_component_percent="80", ki67_percent="25", mitoses=per("3"))
    assert (g3["classification"], g3["grade"], g3["grade_driver"]) == ("NET", "G3", "ki67")
    assert flag in g3["flags"]
    nec = run(ne_component_percent="80", differentiation="poor", ki67_percent="60")
    assert (nec["classification"], nec["grade"]) == ("NEC", "not_graded_high_grade")
    assert flag in nec["flags"]
    unstated = run(ne_component_percent="90", differentiation="unknown", ki67_percent="30")
    assert (unstated["status"], unstated["classification"]) == (
        "incomplete",
        "NEN_differentiation_not_stated",
    )
    thoracic = lung(ne_component_percent="75", mitoses=per("1"), necrosis=False)
    assert (thoracic["classification"], thoracic["grade"]) == ("typical_carcinoid", "G1")
    assert flag in thoracic["flags"]
    assert "thoracic_criteria_applied" in thoracic["flags"]
    # Graded, so an index is needed, as for any tumour.
    assert error_field(run(ne_component_percent="80")) == "ki67_percent"
    assert error_field(lung(ne_component_percent="80", ki67_percent="5")) == "mitoses"


def test_not_minen_needs_no_index() -> None:
    out = run(ne_component_percent="10")
    assert (out["status"], out["classification"], out["grade"]) == ("ok", "not_MiNEN", None)


def test_minen_still_needs_an_index() -> None:
    assert error_field(run(ne_component_percent="50")) == "ki67_percent"


def test_minen_keeps_classification_while_grading() -> None:
    out = run(ne_component_percent="40", ki67_percent="2", mitoses=per("25"))
    assert (out["classification"], out["grade"], out["grade_driver"]) == ("MiNEN", "G3", "mitoses")
    assert "discordant_indices_higher_grade_used" in out["flags"]
    poor = run(ne_component_percent="40", differentiation="poor", ki67_percent="50")
    assert (poor["classification"], poor["grade"]) == ("MiNEN", "not_graded_high_grade")
    unknown = run(ne_component_percent="40", differentiation="unknown", ki67_percent="50")
    assert (unknown["status"], unknown["classification"]) == ("incomplete", "MiNEN")
    assert "differentiation_required" in unknown["flags"]


def test_minen_decided_before_thoracic_rules() -> None:
    out = lung(ne_component_percent="10", ki67_percent="5")
    assert out["classification"] == "not_MiNEN"
    out = lung(ne_component_percent="50", ki67_percent="5")
    assert out["classification"] == "MiNEN"


@pytest.mark.parametrize("ne", ["-1", "100.5", "abc", "NaN", True])
def test_invalid_ne_component_is_an_error(ne: object) -> None:
    assert error_field(run(ne_component_percent=ne, ki67_percent="5")) == "ne_component_percent"


# --- flags beside their thresholds ------------------------------------------------------


@pytest.mark.parametrize(
    ("ki67", "near"),
    [
        ("2.49", False),
        ("2.5", True),
        ("3", True),
        ("3.5", True),
        ("3.51", False),
        ("18.99", False),
        ("19", True),
        ("21", True),
        ("21.01", False),
    ],
)
def test_near_threshold_flag(ki67: str, near: bool) -> None:
    assert ("near_threshold_recount_advised" in run(ki67_percent=ki67)["flags"]) is near


@pytest.mark.parametrize(("total", "few"), [(499, True), (500, False), (10, True), (2000, False)])
def test_fewer_than_500_cells_flag(total: int, few: bool) -> None:
    out = run(ki67={"positive_cells": 5, "total_cells": total})
    assert ("ki67_fewer_than_500_cells" in out["flags"]) is few
    assert "ki67_fewer_than_500_cells" not in run(ki67_percent="1")["flags"]


@pytest.mark.parametrize(
    ("mitoses", "small"),
    [
        ({"count": 1, "area_mm2": "9.49"}, True),
        ({"count": 1, "area_mm2": "9.5"}, False),
        ({"count": 1, "area_mm2": "10"}, False),
        ({"count": 1, "hpf": 19, "field_area_mm2": "0.5"}, False),  # 9.5 mm²
        ({"count": 1, "hpf": 18, "field_area_mm2": "0.5"}, True),  # 9 mm²
        ({"count": 1, "hpf": 42, "field_diameter_mm": "0.55"}, False),  # 9.98 mm², contract
        ({"count": 1, "hpf": 39, "field_diameter_mm": "0.55"}, True),  # 9.27 mm²
        ({"per_2mm2": 1}, False),  # area unknown
    ],
)
def test_counted_area_flag(mitoses: dict[str, object], small: bool) -> None:
    assert ("counted_area_below_10mm2" in run(mitoses=mitoses)["flags"]) is small


@pytest.mark.parametrize(
    ("diameter", "unusual"),
    [("0.34", True), ("0.35", False), ("0.55", False), ("0.75", False), ("0.76", True)],
)
def test_field_diameter_flag(diameter: str, unusual: bool) -> None:
    out = run(mitoses={"count": 1, "hpf": 50, "field_diameter_mm": diameter})
    assert ("field_diameter_unusual" in out["flags"]) is unusual
    area_path = run(mitoses={"count": 1, "hpf": 50, "field_area_mm2": "0.9"})
    assert "field_diameter_unusual" not in area_path["flags"]


@pytest.mark.parametrize(
    ("ki67", "differentiation", "flagged"),
    [
        ("55", "well", False),
        ("55.01", "well", True),
        ("80", "unknown", True),
        ("80", "poor", False),
    ],
)
def test_ki67_over_55_flag(ki67: str, differentiation: str, flagged: bool) -> None:
    out = run(ki67_percent=ki67, differentiation=differentiation)
    assert ("ki67_gt55_confirm_well_differentiated" in out["flags"]) is flagged


def test_flags_are_known_and_in_contract_order() -> None:
    out = run(
        ki67={"positive_cells": 10, "total_cells": 100},
        mitoses={"count": 60, "hpf": 10, "field_diameter_mm": "0.8"},
    )
    assert out["flags"] == [
        "discordant_indices_higher_grade_used",
        "ki67_fewer_than_500_cells",
        "counted_area_below_10mm2",
        "field_diameter_unusual",
    ]
    assert set(out["flags"]) <= set(FLAGS)


# --- contract examples ------------------------------------------------------------------


def test_contract_example_discordant() -> None:
    out = run(ki67_percent=2, mitoses=per(5))
    assert (out["classification"], out["grade"], out["grade_driver"]) == ("NET", "G2", "mitoses")
    assert "discordant_indices_higher_grade_used" in out["flags"]


def test_contract_example_both_at_20() -> None:
    out = run(ki67_percent="20", mitoses=per(20))
    assert (out["status"], out["classification"], out["grade"]) == ("ok", "NET", "G2")
    assert out["grade_driver"] == "concordant"


def test_contract_example_hpf_diameter() -> None:
    out = run(ki67_percent=1, mitoses={"count": 21, "hpf": 10, "field_diameter_mm": 0.55})
    assert (out["classification"], out["grade"]) == ("NET", "G2")
    assert f"{out['mitoses_per_2mm2']:.2f}" == "17.68"


def test_contract_example_lung_typical() -> None:
    out = lung(mitoses=per(1), necrosis=False, ki67_percent=25)
    assert (out["status"], out["classification"]) == ("ok", "typical_carcinoid")


def test_contract_example_infinity() -> None:
    assert error_field(run(ki67_percent="Infinity")) == "ki67_percent"


# --- errors -----------------------------------------------------------------------------

LONG = "9" * 10_000


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ki67_percent": "-1"}, "ki67_percent"),
        ({"ki67_percent": -0.5}, "ki67_percent"),
        ({"ki67_percent": "100.01"}, "ki67_percent"),
        ({"ki67_percent": 101}, "ki67_percent"),
        ({"ki67_percent": "NaN"}, "ki67_percent"),
        ({"ki67_percent": float("nan")}, "ki67_percent"),
        ({"ki67_percent": "-inf"}, "ki67_percent"),
        ({"ki67_percent": "inf"}, "ki67_percent"),
        ({"ki67_percent": "twelve"}, "ki67_percent"),
        ({"ki67_percent": "١٢"}, "ki67_percent"),
        ({"ki67_percent": "1,000"}, "ki67_percent"),
        ({"ki67_percent": "1e1"}, "ki67_percent"),
        ({"ki67_percent": ""}, "ki67_percent"),
        ({"ki67_percent": True}, "ki67_percent"),
        ({"ki67_percent": [12]}, "ki67_percent"),
        ({"ki67_percent": LONG}, "ki67_percent"),
        ({}, "ki67_percent"),  # neither index
        ({"ki67_percent": None}, "ki67_percent"),  # null counts as absent: neither index
        ({"ki67_percent": None, "mitoses": None}, "ki67_percent"),
        ({"ki67_percent": "5", "ki67": {"positive_cells": 1, "total_cells": 10}}, "ki67_percent"),
        ({"ki67": {"positive_cells": 11, "total_cells": 10}}, "ki67.positive_cells"),
        ({"ki67": {"positive_cells": 0, "total_cells": 0}}, "ki67.total_cells"),
        ({"ki67": {"positive_cells": 5, "total_cells": 0}}, "ki67.total_cells"),
        ({"ki67": {"positive_cells": 5, "total_cells": "-10"}}, "ki67.total_cells"),
        ({"ki67": {"positive_cells": 5, "total_cells": "10.5"}}, "ki67.total_cells"),
        ({"ki67": {"positive_cells": 5}}, "ki67.total_cells"),
        ({"ki67": {"total_cells": 500}}, "ki67.positive_cells"),
        ({"ki67": {"positive_cells": "x", "total_cells": 500}}, "ki67.positive_cells"),
        ({"ki67": {"positive_cells": False, "total_cells": 500}}, "ki67.positive_cells"),
        ({"ki67": 12}, "ki67"),
        ({"ki67": {"positive_cells": 1, "total_cells": 5, "percent": 20}}, "ki67"),
        ({"mitoses": per("-2")}, "mitoses.per_2mm2"),
        ({"mitoses": per("Infinity")}, "mitoses.per_2mm2"),
        ({"mitoses": per(LONG)}, "mitoses.per_2mm2"),
        ({"mitoses": {"count": "2.5", "area_mm2": 10}}, "mitoses.count"),
        ({"mitoses": {"count": -1, "area_mm2": 10}}, "mitoses.count"),
        ({"mitoses": {"count": "", "area_mm2": 10}}, "mitoses.count"),
        ({"mitoses": {"count": 2, "area_mm2": 0}}, "mitoses.area_mm2"),
        ({"mitoses": {"count": 2, "area_mm2": "-3"}}, "mitoses.area_mm2"),
        ({"mitoses": {"count": 2, "hpf": 0, "field_area_mm2": 0.2}}, "mitoses.hpf"),
        ({"mitoses": {"count": 2, "hpf": "-10", "field_diameter_mm": 0.5}}, "mitoses.hpf"),
        ({"mitoses": {"count": 2, "hpf": "10.5", "field_diameter_mm": 0.5}}, "mitoses.hpf"),
        ({"mitoses": {"count": 2, "hpf": 10, "field_diameter_mm": 0}}, "mitoses.field_diameter_mm"),
        (
            {"mitoses": {"count": 2, "hpf": 10, "field_diameter_mm": "nan"}},
            "mitoses.field_diameter_mm",
        ),
        ({"mitoses": {"count": 2, "hpf": 10, "field_area_mm2": "0"}}, "mitoses.field_area_mm2"),
        ({"mitoses": {"count": 2, "hpf": 10, "field_area_mm2": "-0.2"}}, "mitoses.field_area_mm2"),
        ({"mitoses": {"count": 2}}, "mitoses"),
        ({"mitoses": {"count": 2, "hpf": 10}}, "mitoses"),
        ({"mitoses": {"per_2mm2": 2, "count": 3}}, "mitoses"),
        (
            {"mitoses": {"count": 2, "hpf": 10, "field_diameter_mm": 0.5, "field_area_mm2": 0.2}},
            "mitoses",
        ),
        ({"mitoses": {"per_10_hpf": 2}}, "mitoses"),
        ({"mitoses": 5}, "mitoses"),
        ({"mitoses": "5"}, "mitoses"),
        ({"mitoses": [5]}, "mitoses"),
        ({"ki67_percent": "5", "necrosis": "maybe"}, "necrosis"),
        ({"ki67_percent": "5", "necrosis": 1}, "necrosis"),
        ({"ki67_percent": "5", "differentiation": "moderate"}, "differentiation"),
        ({"ki67_percent": "5", "differentiation": "moderately differentiated"}, "differentiation"),
        ({"ki67_percent": "5", "differentiation": "excellent"}, "differentiation"),
        ({"ki67_percent": "5", "differentiation": 3}, "differentiation"),
        ({"ki67_percent": "5", "site": "liver"}, "site"),
        ({"ki67_percent": "5", "site": "mars"}, "site"),
        ({"ki67_percent": "5", "site": ""}, "site"),
        ({"ki67_percent": "5", "site": None}, "site"),
        ({"ki67_percent": "5", "site": 7}, "site"),
        ({"ki67_percent": "5", "site": LONG}, "site"),
        ({"ki67_percent": "5", "ne_component_percent": "101"}, "ne_component_percent"),
    ],
)
def test_errors_name_the_field(fields: dict[str, object], field: str) -> None:
    out = run(**fields)
    assert error_field(out) == field
    assert field in ERROR_FIELDS
    for key in ("classification", "grade", "grade_driver", "ki67_percent", "mitoses_per_2mm2"):
        assert out[key] is None
    assert out["flags"] == []
    assert len(out["error"]["message"]) < 400  # never echoes huge input back


def test_moderate_differentiation_message() -> None:
    out = run(ki67_percent="5", differentiation="moderate")
    assert "moderately differentiated" in out["error"]["message"]


def test_missing_site_is_an_error() -> None:
    assert error_field(grade({"ki67_percent": "5"}).to_dict()) == "site"


@pytest.mark.parametrize("inputs", [None, [], "pancreas", 42, {1: 2}])
def test_non_object_input_never_raises(inputs: object) -> None:
    out = grade(inputs).to_dict()  # type: ignore[arg-type]
    assert out["status"] == "error"
    assert out["error"]["field"] in ERROR_FIELDS


def test_long_strings_error_quickly_everywhere() -> None:
    long_text = "1" * 5000 + "x" * 5000
    cases = [
        {"ki67_percent": long_text},
        {"ki67": {"positive_cells": long_text, "total_cells": 500}},
        {"ki67": {"positive_cells": 1, "total_cells": long_text}},
        {"mitoses": {"count": long_text, "hpf": 10, "field_diameter_mm": "0.5"}},
        {"mitoses": {"count": 1, "hpf": long_text, "field_diameter_mm": "0.5"}},
        {"ki67_percent": 1, "differentiation": long_text},
        {"ki67_percent": 1, "necrosis": long_text},
        {"ki67_percent": 1, "ne_component_percent": long_text},
        {"ki67_percent": 1, "site": long_text},
        {"mitoses": {long_text: 1}},
    ]
    for fields in cases:
        start = time.perf_counter()
        out = run(**fields)
        assert time.perf_counter() - start < 0.5
        assert out["status"] == "error"
        assert long_text[:100] not in out["error"]["message"]
        assert len(out["error"]["message"]) < 400


def test_huge_integers_do_not_overflow() -> None:
    assert error_field(run(mitoses=per(10**400))) == "mitoses.per_2mm2"
    tiny_area = run(mitoses={"count": 10**11, "area_mm2": 5e-324})
    assert error_field(tiny_area) == "mitoses.area_mm2"
    tiny_field = run(mitoses={"count": 10**11, "hpf": 1, "field_diameter_mm": 5e-324})
    assert error_field(tiny_field) == "mitoses.field_diameter_mm"


# --- result object ----------------------------------------------------------------------


def test_result_is_frozen_and_carries_the_engine_version() -> None:
    result = grade({"site": "pancreas", "differentiation": "well", "ki67_percent": "12"})
    assert isinstance(result, GradeResult)
    assert result.status == "ok"
    with pytest.raises(AttributeError):
        result.status = "error"  # type: ignore[misc]
    out = result.to_dict()
    assert out["engine_version"] == ENGINE_VERSION
    assert out["error"] is None
    assert out["mitoses_per_2mm2"] is None
    assert out["ki67_percent"] == 12.0
    assert isinstance(out["flags"], list)


def test_null_values_inside_mitoses_count_as_left_out() -> None:
    out = run(mitoses={"count": 2, "area_mm2": 1, "hpf": None})
    assert out["mitoses_per_2mm2"] == 4.0
    out = run(ki67_percent="5", mitoses={"per_2mm2": None})
    assert "mitoses_missing" in out["flags"]


def test_mitotic_count_written_as_whole_decimal_is_accepted() -> None:
    assert run(mitoses={"count": "4.0", "area_mm2": "2"})["mitoses_per_2mm2"] == 4.0
