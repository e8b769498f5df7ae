"""The grade calculator's wording (calculator/data/grading_text.toml): complete, consistent with
the engine's thresholds, and the only place it lives (the page script holds none)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from calculator import grading_text
from calculator.grading import CLASSIFICATIONS, ERROR_FIELDS, FLAGS, grade
from calculator.grading_text import (
    FIELD_TEXTS,
    FLAG_TEXTS,
    HEADLINES,
    SEVERITIES,
    flag_details,
    headline,
    number_text,
)
from calculator.thresholds import (
    COUNTED_AREA_MIN_MM2,
    KI67_CONFIRM_WELL_ABOVE,
    MIN_KI67_CELLS,
    THRESHOLD_TEXT,
    decimal_text,
)

REPO = Path(__file__).resolve().parents[2]
SOURCE = tomllib.loads((REPO / "calculator/data/grading_text.toml").read_text(encoding="utf-8"))
GRADE_JS = REPO / "docs/javascripts/grade-calculator.js"

# The brief's warnings: act on these before relying on the result.
MUST_WARN = {
    "ki67_gt55_confirm_well_differentiated",
    "differentiation_required",
    "necrosis_status_required",
    "gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses",
    "nec_with_low_proliferation_review_morphology",
}


def test_every_flag_has_a_text_and_a_severity() -> None:
    assert list(FLAG_TEXTS) == list(FLAGS)  # same flags, in the contract's order
    for flag, entry in FLAG_TEXTS.items():
        assert entry.severity in SEVERITIES, flag
        assert entry.text.endswith("."), flag
        assert "{" not in entry.text and "}" not in entry.text, flag
    assert {f for f, e in FLAG_TEXTS.items() if e.severity == "warning"} >= MUST_WARN


def test_flag_details_follow_the_flags() -> None:
    out = grade({"site": "pancreas", "ki67": {"positive_cells": 10, "total_cells": 100}}).to_dict()
    assert [d["id"] for d in out["flag_details"]] == out["flags"]
    assert out["flag_details"] == flag_details(out["flags"])
    assert out["flag_details"][0] == {
        "id": "mitoses_missing",
        "text": FLAG_TEXTS["mitoses_missing"].text,
        "severity": "note",
    }


@pytest.mark.parametrize("classification", CLASSIFICATIONS)
@pytest.mark.parametrize("grade_", ["G1", "G2", "G3", "not_graded_high_grade", None])
def test_every_headline_renders(classification: str, grade_: str | None) -> None:
    text = headline("ok", classification, grade_)
    assert text and "{" not in text
    if grade_ in ("G1", "G2", "G3") and classification in (
        "NET",
        "MiNEN",
        "typical_carcinoid",
        "atypical_carcinoid",
    ):
        assert grade_ in text


def test_one_wording_for_the_headlines() -> None:
    assert set(HEADLINES) >= set(CLASSIFICATIONS) | {"error"}
    assert headline("ok", "NET", "G2") == "NET G2"
    assert headline("ok", "typical_carcinoid", "G1") == "Typical carcinoid (G1)"
    assert headline("ok", "NEC", "not_graded_high_grade") == "Neuroendocrine carcinoma (NEC)"
    assert headline("error", None, None) == "Not graded"


# Digits that are names, units or grades, not thresholds.
_NOT_THRESHOLDS = re.compile(r"(?i)Ki-67|G[123]|grade 3|2 mm²")


def _texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    return []


def test_the_data_writes_no_threshold_as_digits() -> None:
    """Thresholds come from calculator/thresholds.py through {placeholders}."""
    for text in _texts(SOURCE):
        bare = _NOT_THRESHOLDS.sub("", re.sub(r"\{[a-z0-9_]+\}", "", text))
        assert not re.search(r"\d", bare), text


def test_the_texts_quote_the_engine_thresholds() -> None:
    assert "0.35\u20130.75 mm" in FLAG_TEXTS["field_diameter_unusual"].text
    assert f"Fewer than {MIN_KI67_CELLS} tumour" in FLAG_TEXTS["ki67_fewer_than_500_cells"].text
    assert (
        "within 0.5 of 3 %, or within 1 of 20 %"
        in FLAG_TEXTS["near_threshold_recount_advised"].text
    )
    assert f"less than {decimal_text(COUNTED_AREA_MIN_MM2)} mm²" in (
        FLAG_TEXTS["counted_area_below_10mm2"].text
    )
    assert f"above {KI67_CONFIRM_WELL_ABOVE} %" in (
        FLAG_TEXTS["ki67_gt55_confirm_well_differentiated"].text
    )
    assert "Below 2 mitoses" in FLAG_TEXTS["necrosis_status_required"].text
    assert "More than 10 mitoses" in (
        FLAG_TEXTS["gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses"].text
    )
    assert (
        FIELD_TEXTS["ki67.total_cells"].label == f"Tumour cells counted (at least {MIN_KI67_CELLS})"
    )


def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown placeholder"):
        grading_text._fill("within {ki67_cutoff} %", "test")
    assert grading_text._fill("{minen_min_component} % of {grade}", "test") == "30 % of {grade}"
    assert set(THRESHOLD_TEXT) >= {"minen_min_component", "field_diameter_usual_from"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (12.0, "12"),
        (12.5, "12.5"),
        (2.99, "2.99"),
        (17.67766952966369, "≈ 17.68"),
        (1e-07, "≈ 0.00"),
    ],
)
def test_numbers_are_shown_exact_or_marked_rounded(value: float, shown: str) -> None:
    assert number_text(value) == shown


# --- field texts agree with the engine ---------------------------------------------------

NUMBER_FIELDS = [
    f for f in ERROR_FIELDS if f not in ("input", "site", "differentiation", "ki67", "mitoses")
]


def _inputs_with(field: str, value: str) -> dict[str, object]:
    base: dict[str, object] = {"site": "pancreas", "differentiation": "well"}
    if field == "ki67_percent":
        return {**base, "ki67_percent": value}
    if field == "ne_component_percent":
        return {**base, "ki67_percent": "5", "ne_component_percent": value}
    if field.startswith("ki67."):
        counts = {"positive_cells": "10", "total_cells": "1000"}
        counts[field.removeprefix("ki67.")] = value
        return {**base, "ki67": counts}
    shapes = {
        "mitoses.per_2mm2": {"per_2mm2": value},
        "mitoses.count": {"count": value, "area_mm2": "10"},
        "mitoses.area_mm2": {"count": "3", "area_mm2": value},
        "mitoses.hpf": {"count": "3", "hpf": value, "field_diameter_mm": "0.5"},
        "mitoses.field_diameter_mm": {"count": "3", "hpf": "10", "field_diameter_mm": value},
        "mitoses.field_area_mm2": {"count": "3", "hpf": "10", "field_area_mm2": value},
    }
    return {**base, "mitoses": shapes[field]}


@pytest.mark.parametrize("field", [f for f in NUMBER_FIELDS if f != "necrosis"])
def test_field_texts_match_the_engine(field: str) -> None:
    text = FIELD_TEXTS[field]
    refused = grade(_inputs_with(field, "x")).to_dict()["error"]
    assert refused["field"] == field
    assert refused["message"].startswith(text.subject)  # messages name the field this way
    fraction = grade(_inputs_with(field, "0.5")).to_dict()
    whole_refused = fraction["status"] == "error" and "whole number" in fraction["error"]["message"]
    assert whole_refused is text.whole
    assert text.inputmode == ("text" if text.bound else "numeric" if text.whole else "decimal")


def test_only_ki67_percent_takes_a_bound() -> None:
    assert [f for f, t in FIELD_TEXTS.items() if t.bound] == ["ki67_percent"]
    assert grade(_inputs_with("ki67_percent", "<1")).to_dict()["status"] == "ok"
    for field in NUMBER_FIELDS:
        if field not in ("necrosis", "ki67_percent"):
            assert grade(_inputs_with(field, "<1")).to_dict()["error"]["field"] == field


# --- the page script holds no clinical text ------------------------------------------------


def _code_only(source: str) -> str:
    without_blocks = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return "\n".join(re.sub(r"(^|\s)//.*$", "", line) for line in without_blocks.splitlines())


def test_grade_page_script_has_no_clinical_words() -> None:
    code = _code_only(GRADE_JS.read_text(encoding="utf-8"))
    found = re.findall(r"(?i)carcinoid|neuroendocrine|recount|0\.35|0\.75|ki-67 \d|G[123]\b", code)
    assert found == []
    # It shows what the engine sends.
    for key in ("result.headline", "result.explanation", "result.flag_details"):
        assert key in code
