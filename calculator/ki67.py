"""The Ki-67 index as given: a percentage, a bound from a report ("<2", ">20 %"), or cell counts.

A bound is accepted only when every value it allows falls in one grade of the digestive table:
"<N" with N at most 3 (all G1) and ">N" with N at least 20 (all G3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from calculator.thresholds import KI67_G2_FROM, KI67_G2_TO, THRESHOLD_TEXT
from calculator.user_numbers import FieldError, NumberError, echo, parse_field, parse_number

FIELD = "ki67_percent"
BELOW = "below"
ABOVE = "above"
_BOUND_SIGNS = {"<": BELOW, ">": ABOVE}
# Signs a report may use that the contract does not accept as a bound (the value itself would
# count), so they get their own message instead of "not a number".
_OTHER_SIGNS = ("≤", "≥", "=<", "=>", "⩽", "⩾")


@dataclass(frozen=True)
class Ki67:
    """The index used for grading; `percent` is the bound itself when `bound` is set."""

    percent: Fraction
    bound: str | None = None  # BELOW ("<N") or ABOVE (">N"); None for a measured value
    total_cells: Fraction | None = None  # known only when given as cell counts

    @property
    def grade(self) -> str:
        """The digestive-table grade of every value this index allows."""
        if self.bound == BELOW:
            return "G1"
        if self.bound == ABOVE:
            return "G3"
        return grade_ki67(self.percent)

    def surely_above(self, threshold: int) -> bool:
        """True when every value this index allows is above `threshold`."""
        if self.bound == ABOVE:
            return self.percent >= threshold
        if self.bound == BELOW:
            return False  # a value below N may be as low as 0
        return self.percent > threshold


def grade_ki67(percent: Fraction) -> str:
    """WHO digestive-system grade from Ki-67: < 3 G1, 3 to 20 G2, > 20 G3."""
    if percent < KI67_G2_FROM:
        return "G1"
    if percent <= KI67_G2_TO:
        return "G2"
    return "G3"


def read_ki67(percent: object, counts: object) -> Ki67 | None:
    """Validate the `ki67_percent` / `ki67` inputs; None when Ki-67 was not given."""
    if percent is not None:
        if counts is not None:
            raise FieldError(
                FIELD, "Ki-67 was given both as a percentage and as cell counts; give only one."
            )
        return _read_percent(percent)
    if counts is None:
        return None
    return _read_counts(counts)


def _read_percent(value: object) -> Ki67:
    text = value.strip() if isinstance(value, str) else ""
    if text.startswith(_OTHER_SIGNS) or text.startswith(("<=", ">=")):
        raise FieldError(FIELD, f"Ki-67 (%) {echo(value)}: {_BOUND_HELP}")
    if text[:1] in _BOUND_SIGNS:
        return _read_bound(value, _BOUND_SIGNS[text[0]], text[1:])
    return Ki67(percent=parse_field(FIELD, value, maximum=100, allow_percent_sign=True))


_WITHIN_ONE_GRADE = (
    f'"<N" with N at most {THRESHOLD_TEXT["ki67_g2_from"]}, or '
    f'">N" with N at least {THRESHOLD_TEXT["ki67_g2_to"]}'
)
_BOUND_HELP = f"give the measured value, or a bound within one grade: {_WITHIN_ONE_GRADE}."


def _read_bound(raw: object, bound: str, rest: str) -> Ki67:
    sign = "<" if bound == BELOW else ">"
    try:
        number = parse_number(rest, allow_percent_sign=True)
    except NumberError as exc:
        raise FieldError(FIELD, f"Ki-67 (%) {echo(raw)}: what follows {sign} {exc}.") from None
    if number > 100:
        raise FieldError(FIELD, f"Ki-67 (%) cannot be over 100 (got {echo(raw)}).")
    if (bound == BELOW and number == 0) or (bound == ABOVE and number == 100):
        where = "below 0" if bound == BELOW else "above 100"
        raise FieldError(FIELD, f"Ki-67 (%) {echo(raw)}: no index is {where} %.")
    grades, cut_offs = _range_grades(bound, number)
    if len(grades) > 1:
        side = "below" if bound == BELOW else "above"
        raise FieldError(
            FIELD,
            f"Ki-67 (%) {echo(raw)} spans the grade cut-off at {' and '.join(cut_offs)}: a "
            f"value {side} {_number(number)} % may be {' or '.join(grades)}. Give the measured "
            f"value, or a bound within one grade: {_WITHIN_ONE_GRADE}.",
        )
    return Ki67(percent=number, bound=bound)


def _range_grades(bound: str, number: Fraction) -> tuple[list[str], list[str]]:
    """The grades of every value a bound allows, and the cut-offs (as text) inside its range."""
    low, high = THRESHOLD_TEXT["ki67_g2_from"] + " %", THRESHOLD_TEXT["ki67_g2_to"] + " %"
    if bound == BELOW:
        # Below N: from 0 (G1) up to N; 3 itself is G2 and anything above 20 is G3.
        reached = {"G1": True, "G2": number > KI67_G2_FROM, "G3": number > KI67_G2_TO}
        cut_offs = [low] * reached["G2"] + [high] * reached["G3"]
    else:
        # Above N: up to 100 (G3) down to N; 20 itself is G2 and anything below 3 is G1.
        reached = {"G1": number < KI67_G2_FROM, "G2": number < KI67_G2_TO, "G3": True}
        cut_offs = [low] * reached["G1"] + [high] * reached["G2"]
    return [grade for grade, hit in reached.items() if hit], cut_offs


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else format(float(value), "g")


def _read_counts(counts: object) -> Ki67:
    if not isinstance(counts, Mapping):
        raise FieldError(
            "ki67",
            f"Ki-67 cell counts must be a group with positive_cells and total_cells, not "
            f"{echo(counts)}.",
        )
    extra = [str(key)[:40] for key in counts if key not in ("positive_cells", "total_cells")]
    if extra:
        raise FieldError(
            "ki67",
            f"Unexpected Ki-67 value(s): {', '.join(sorted(extra)[:5])}; give positive_cells "
            "and total_cells.",
        )
    for key in ("positive_cells", "total_cells"):
        if counts.get(key) is None:
            raise FieldError(f"ki67.{key}", f"{_COUNT_LABEL[key]} is required with cell counts.")
    positive = parse_field("ki67.positive_cells", counts["positive_cells"], whole=True)
    total = parse_field("ki67.total_cells", counts["total_cells"], whole=True)
    if total == 0:
        raise FieldError("ki67.total_cells", "Zero tumour cells counted: Ki-67 needs cells.")
    if positive > total:
        raise FieldError(
            "ki67.positive_cells",
            f"More Ki-67 positive cells ({positive}) than cells counted ({total}).",
        )
    return Ki67(percent=positive / total * 100, total_cells=total)


_COUNT_LABEL = {
    "positive_cells": "The number of Ki-67 positive cells",
    "total_cells": "The number of tumour cells counted",
}
