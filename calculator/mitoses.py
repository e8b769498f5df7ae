"""Mitotic counts in any of the accepted shapes, converted to mitoses per 2 mm².

Values stay exact Fractions unless π is involved (a field given by its diameter); then they
are floats, and comparisons with thresholds use a 1e-9 tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from calculator.thresholds import (
    FIELD_DIAMETER_POSSIBLE_MM,
    FIELD_DIAMETER_USUAL_MM,
    THRESHOLD_TEXT,
)
from calculator.user_numbers import FieldError, echo, parse_field

# Within this distance of a threshold a π-derived value counts as equal to it, so float error
# cannot push 20.000000000001 into G3.
TOLERANCE = 1e-9

Number = Fraction | float

# The accepted shapes of the `mitoses` object (the contract's list).
SHAPES: tuple[frozenset[str], ...] = (
    frozenset({"per_2mm2"}),
    frozenset({"count", "area_mm2"}),
    frozenset({"count", "hpf", "field_diameter_mm"}),
    frozenset({"count", "hpf", "field_area_mm2"}),
)
_SHAPE_HELP = (
    'give one of: {"per_2mm2"}, {"count", "area_mm2"}, {"count", "hpf", "field_diameter_mm"} '
    'or {"count", "hpf", "field_area_mm2"}'
)


@dataclass(frozen=True)
class MitoticRate:
    """Mitoses per 2 mm², plus what the flags need to know about how they were counted."""

    per_2mm2: Number
    area_mm2: Number | None = None  # total area counted, when known
    field_diameter_mm: Fraction | None = None
    field_area_mm2: Number | None = None  # one field's area, when counted in fields


def compare(value: Number, threshold: int | Fraction) -> int:
    """-1, 0 or 1 as value is below, at or above threshold (exact, or within TOLERANCE)."""
    if isinstance(value, Fraction):
        return (value > threshold) - (value < threshold)
    diff = value - float(threshold)
    if abs(diff) <= TOLERANCE:
        return 0
    return 1 if diff > 0 else -1


def field_area(diameter_mm: Fraction) -> float:
    """Area of one circular field, pi * (d / 2)^2."""
    return math.pi * float(diameter_mm * diameter_mm / 4)


def fields_to_cover(target_mm2: int | Fraction, one_field_mm2: Number) -> int:
    """How many fields of `one_field_mm2` cover at least `target_mm2` (a whole number of fields)."""
    needed = Fraction(target_mm2) / Fraction(one_field_mm2)
    whole = math.ceil(needed)
    # A π-derived area a hair too small must not ask for one field more than it covers.
    if isinstance(one_field_mm2, float) and whole - float(needed) > 1 - TOLERANCE:
        whole -= 1
    return whole


def read_mitoses(value: object) -> MitoticRate | None:
    """Validate the `mitoses` input and convert it; None when no mitotic count was given."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise FieldError(
            "mitoses",
            f"The mitotic count was given as {echo(value)}, which is not a recognised form; "
            + _SHAPE_HELP,
        )
    # A key with a null value counts as left out (a form field left blank).
    given = {key: item for key, item in value.items() if item is not None}
    if not given:
        return None
    keys = frozenset(given)
    if keys not in SHAPES:
        shown = ", ".join(sorted(str(key)[:40] for key in keys)[:8])
        raise FieldError(
            "mitoses",
            f"The mitotic count has an unrecognised combination of values ({shown}); "
            + _SHAPE_HELP,
        )
    if keys == {"per_2mm2"}:
        return MitoticRate(per_2mm2=parse_field("mitoses.per_2mm2", given["per_2mm2"]))
    count = parse_field("mitoses.count", given["count"], whole=True)
    if "area_mm2" in keys:
        area = parse_field("mitoses.area_mm2", given["area_mm2"], positive=True)
        return _checked(MitoticRate(per_2mm2=count * 2 / area, area_mm2=area), "mitoses.area_mm2")
    fields = parse_field("mitoses.hpf", given["hpf"], whole=True, positive=True)
    if "field_area_mm2" in keys:
        one_field = parse_field("mitoses.field_area_mm2", given["field_area_mm2"], positive=True)
        area = fields * one_field
        rate = MitoticRate(per_2mm2=count * 2 / area, area_mm2=area, field_area_mm2=one_field)
        return _checked(rate, "mitoses.field_area_mm2")
    diameter = _read_diameter(given["field_diameter_mm"])
    # count * 2 / (fields * pi * d^2 / 4) = 8 count / (fields d^2) / pi: keep the exact part
    # exact and divide by pi once, so the only inexact step is a single float division.
    per_2mm2 = float(8 * count / (fields * diameter * diameter)) / math.pi
    one_field = field_area(diameter)
    return MitoticRate(
        per_2mm2=per_2mm2,
        area_mm2=float(fields) * one_field,
        field_diameter_mm=diameter,
        field_area_mm2=one_field,
    )


DIAMETER_FIELD = "mitoses.field_diameter_mm"


def _read_diameter(value: object) -> Fraction:
    """The field diameter in mm; a value no microscope field has is a unit slip, named as such."""
    diameter = parse_field(DIAMETER_FIELD, value, positive=True)
    smallest, too_large = FIELD_DIAMETER_POSSIBLE_MM
    if smallest <= diameter < too_large:
        return diameter
    usual_from = THRESHOLD_TEXT["field_diameter_usual_from"]
    usual_to = THRESHOLD_TEXT["field_diameter_usual_to"]
    shown = _decimal(diameter)
    meant = _usual_rescaled(diameter)
    if meant is not None and diameter / 1000 == meant:
        hint = f"it looks like micrometres, and {shown} µm is {_decimal(meant)} mm."
    elif meant is not None:
        hint = f"a slipped decimal point or unit? Did you mean {_decimal(meant)} mm?"
    else:
        hint = "enter the diameter in millimetres."
    size = "too large" if diameter >= too_large else "too small"
    raise FieldError(
        DIAMETER_FIELD,
        f"The field diameter (mm) {shown} is {size} for a microscope field (usually "
        f"{usual_from} to {usual_to} mm across): {hint}",
    )


def _usual_rescaled(diameter: Fraction) -> Fraction | None:
    """The diameter moved by a power of ten into the usual range, if one power does it."""
    low, high = FIELD_DIAMETER_USUAL_MM
    for power in range(-6, 7):
        candidate = diameter * Fraction(10) ** power
        if low <= candidate <= high:
            return candidate
    return None


def _decimal(value: Fraction) -> str:
    """A decimal as typed (no exponent, no float noise), shortened for a message."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(exact.normalize(), "f")
    return text if len(text) <= 20 else text[:20] + "…"


def _checked(rate: MitoticRate, field: str) -> MitoticRate:
    """Refuse a rate too large to report (a near-zero area), instead of overflowing later."""
    try:
        float(rate.per_2mm2)
    except OverflowError:
        raise FieldError(field, "This area is too small to be real; check the value") from None
    return rate
