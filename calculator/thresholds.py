"""The WHO numbers the grading engine compares with (shared/spec/grading.md), in one place.

The rules (calculator/grading.py, ki67.py, mitoses.py) and the clinical text
(calculator/data/grading_text.toml, through calculator/grading_text.py) both read them, so a
sentence cannot quote a threshold the engine does not use.
"""

from __future__ import annotations

from fractions import Fraction

# Digestive (GEP) table, Ki-67 %: below 3 is G1, 3 to 20 (both included) G2, above 20 G3.
KI67_G2_FROM = 3
KI67_G2_TO = 20
# Digestive table, mitoses per 2 mm²: below 2 is G1, 2 to 20 (both included) G2, above 20 G3.
MITOSES_G2_FROM = 2
MITOSES_G2_TO = 20

# Thoracic carcinoid criteria, mitoses per 2 mm²: below 2 (and no necrosis) typical, 2 to 10
# (both included) atypical, above 10 outside carcinoid criteria.
THORACIC_AC_FROM = 2
THORACIC_AC_TO = 10

# Recount advised when Ki-67 is this close to a cut-off (ends included).
NEAR_KI67_G2_FROM = Fraction(1, 2)
NEAR_KI67_G2_TO = 1

# Above this Ki-67 a well-differentiated call deserves a second look at the morphology.
KI67_CONFIRM_WELL_ABOVE = 55

# WHO asks for at least 500 tumour cells in the Ki-67 hot spot.
MIN_KI67_CELLS = 500

# "Below 10 mm²", drawn at 9.5 so that 42 fields of 0.55 mm (9.98 mm²) pass.
COUNTED_AREA_MIN_MM2 = Fraction(19, 2)
# The area WHO asks mitoses to be counted over; the grade page says how many fields reach it.
COUNTED_AREA_TARGET_MM2 = 10

# Usual microscope field diameters; outside them a warning, outside the possible range an error
# (5 mm or more, or below 0.05 mm, is a unit slip rather than a microscope).
FIELD_DIAMETER_USUAL_MM = (Fraction(35, 100), Fraction(75, 100))
FIELD_DIAMETER_POSSIBLE_MM = (Fraction(5, 100), Fraction(5))

# A MiNEN needs each component (neuroendocrine and not) to be at least 30 % of the tumour.
MINEN_MIN_COMPONENT = 30


def decimal_text(value: int | Fraction) -> str:
    """A threshold as people write it: 3, 0.5, 9.5, 0.35 (thresholds are short decimals)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.6f}".rstrip("0")
    if Fraction(text) != value:
        raise ValueError(f"{value} is not a short decimal")
    return text


# The thresholds by the names the clinical text uses for them ({name} placeholders).
THRESHOLD_TEXT: dict[str, str] = {
    "ki67_g2_from": decimal_text(KI67_G2_FROM),
    "ki67_g2_to": decimal_text(KI67_G2_TO),
    "mitoses_g2_from": decimal_text(MITOSES_G2_FROM),
    "mitoses_g2_to": decimal_text(MITOSES_G2_TO),
    "thoracic_ac_from": decimal_text(THORACIC_AC_FROM),
    "thoracic_ac_to": decimal_text(THORACIC_AC_TO),
    "near_ki67_g2_from": decimal_text(NEAR_KI67_G2_FROM),
    "near_ki67_g2_to": decimal_text(NEAR_KI67_G2_TO),
    "ki67_confirm_well_above": decimal_text(KI67_CONFIRM_WELL_ABOVE),
    "min_ki67_cells": decimal_text(MIN_KI67_CELLS),
    "counted_area_min_mm2": decimal_text(COUNTED_AREA_MIN_MM2),
    "counted_area_target_mm2": decimal_text(COUNTED_AREA_TARGET_MM2),
    "field_diameter_usual_from": decimal_text(FIELD_DIAMETER_USUAL_MM[0]),
    "field_diameter_usual_to": decimal_text(FIELD_DIAMETER_USUAL_MM[1]),
    "field_diameter_possible_from": decimal_text(FIELD_DIAMETER_POSSIBLE_MM[0]),
    "field_diameter_possible_to": decimal_text(FIELD_DIAMETER_POSSIBLE_MM[1]),
    "minen_min_component": decimal_text(MINEN_MIN_COMPONENT),
}
