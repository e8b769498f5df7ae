"""The areas behind a mitotic count (issue 23): one field's area, the area counted, and how many
fields of that size cover the 10 mm² WHO asks for, with the sentences the grade page shows."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator import grade
from calculator.grading_text import AREA_TEXTS
from calculator.mitoses import fields_to_cover
from calculator.thresholds import COUNTED_AREA_TARGET_MM2, FIELD_DIAMETER_POSSIBLE_MM

AREA_KEYS = ("field_area_mm2", "counted_area_mm2", "fields_for_10mm2", "area_explanation")


def run(mitoses: dict[str, object], site: str = "pancreas") -> dict[str, object]:
    return grade({"site": site, "differentiation": "well", "mitoses": mitoses}).to_dict()


def test_fields_given_by_diameter() -> None:
    out = run({"count": "3", "hpf": "10", "field_diameter_mm": "0.55"})
    one_field = math.pi * 0.55**2 / 4
    assert out["field_area_mm2"] == pytest.approx(one_field, rel=1e-12)
    assert out["counted_area_mm2"] == pytest.approx(10 * one_field, rel=1e-12)
    # 42 fields of 0.55 mm are 9.98 mm², just short of 10: 43 are needed.
    assert out["fields_for_10mm2"] == 43
    assert out["area_explanation"] == [
        "Area of one field: ≈ 0.24 mm².",
        "Area counted: ≈ 2.38 mm².",
        "Fields of this size needed to cover 10 mm²: 43.",
    ]


@pytest.mark.parametrize(
    ("field_area", "fields"),
    [("0.2", 50), ("0.25", 40), ("0,3", 34), ("0.5", 20), ("12", 1), ("0.24", 42)],
)
def test_fields_given_by_area_are_exact(field_area: str, fields: int) -> None:
    """An exact area that divides 10 asks for exactly that many fields, not one more."""
    out = run({"count": "4", "hpf": "20", "field_area_mm2": field_area})
    area = Fraction(field_area.replace(",", "."))
    assert out["field_area_mm2"] == float(area)
    assert out["counted_area_mm2"] == float(20 * area)
    assert out["fields_for_10mm2"] == fields
    assert out["area_explanation"][-1] == f"Fields of this size needed to cover 10 mm²: {fields}."


def test_count_over_an_area_gives_the_area_only() -> None:
    out = run({"count": "3", "area_mm2": "8.5"})
    assert (out["field_area_mm2"], out["counted_area_mm2"], out["fields_for_10mm2"]) == (
        None,
        8.5,
        None,
    )
    assert out["area_explanation"] == ["Area counted: 8.5 mm²."]


@pytest.mark.parametrize(
    "inputs",
    [
        {"site": "pancreas", "differentiation": "well", "mitoses": {"per_2mm2": "3"}},
        {"site": "pancreas", "differentiation": "well", "ki67_percent": "12"},
        {"site": "liver", "ki67_percent": "12"},  # an error
        {"site": "pancreas", "mitoses": {"count": "3", "hpf": "10", "field_diameter_mm": "55"}},
    ],
)
def test_no_area_without_one(inputs: dict[str, object]) -> None:
    out = grade(inputs).to_dict()
    assert [out[key] for key in AREA_KEYS] == [None, None, None, []]


def test_areas_in_every_classification() -> None:
    """The areas describe the count, whatever the tumour is called."""
    mitoses = {"count": "3", "hpf": "50", "field_area_mm2": "0.2"}
    for inputs in (
        {"site": "lung", "differentiation": "well", "necrosis": False, "mitoses": mitoses},
        {"site": "pancreas", "differentiation": "poor", "mitoses": mitoses},
        {"site": "pancreas", "ne_component_percent": "10", "mitoses": mitoses},  # not a MiNEN
    ):
        out = grade(inputs).to_dict()
        assert out["status"] == "ok", out
        assert (out["field_area_mm2"], out["counted_area_mm2"], out["fields_for_10mm2"]) == (
            0.2,
            10.0,
            50,
        )


def test_the_sequencing_result_carries_the_grade_and_areas_while_it_asks() -> None:
    """The grade found from indices travels with every answer, also before the walk ends, so
    the sequence page's path can say it (issue 23)."""
    from calculator import web

    out = web.sequence_params(
        {
            "site": "pancreas",
            "differentiation": "well",
            "mitoses.count": "3",
            "mitoses.hpf": "10",
            "mitoses.field_diameter_mm": "0.5",
        }
    )
    assert out["status"] == "needs_input"
    grading = out["grading"]
    assert isinstance(grading, dict)
    assert (grading["grade"], grading["headline"]) == ("G2", "NET G2")  # 3.06 per 2 mm²
    assert grading["fields_for_10mm2"] == 51  # 0.196 mm² a field: 50 fields are 9.82 mm²


def test_area_words_come_from_the_data_with_the_target_filled_in() -> None:
    assert set(AREA_TEXTS) == {"field_area", "counted_area", "fields_for_target"}
    assert str(COUNTED_AREA_TARGET_MM2) in AREA_TEXTS["fields_for_target"]
    for text in AREA_TEXTS.values():
        assert "{value}" in text
        assert "{" not in text.replace("{value}", "")


@given(
    st.fractions(
        min_value=FIELD_DIAMETER_POSSIBLE_MM[0],
        max_value=FIELD_DIAMETER_POSSIBLE_MM[1] - Fraction(1, 1000),
        max_denominator=1000,
    )
)
def test_fields_for_10mm2_is_the_fewest_that_cover_it(diameter: Fraction) -> None:
    one_field = math.pi * float(diameter) ** 2 / 4
    fields = fields_to_cover(COUNTED_AREA_TARGET_MM2, one_field)
    assert fields >= 1
    assert fields * one_field >= COUNTED_AREA_TARGET_MM2 - 1e-9
    assert (fields - 1) * one_field < COUNTED_AREA_TARGET_MM2


def test_float_noise_does_not_add_a_field() -> None:
    assert fields_to_cover(10, 10 / 42) == 42
    assert fields_to_cover(10, Fraction(10, 42)) == 42
    assert fields_to_cover(10, Fraction(10, 42) - Fraction(1, 10**12)) == 43


def test_the_record_summary_names_the_areas() -> None:
    from datetime import date

    from calculator.record_text import grade_record

    inputs = {
        "site": "pancreas",
        "differentiation": "well",
        "mitoses": {"count": "3", "hpf": "50", "field_area_mm2": "0.2"},
    }
    lines = grade_record(inputs, today=date(2026, 8, 1)).text.splitlines()
    assert "Area counted: 10 mm²." in lines
    assert "Fields of this size needed to cover 10 mm²: 50." in lines
