"""The grade calculator's clinical wording, from calculator/data/grading_text.toml.

The engine puts these texts in its answer (headline, explanation, flag_details), so the page,
the command line and a script all show the same words; thresholds in the text are filled in
from calculator/thresholds.py.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from importlib import resources

from calculator.thresholds import THRESHOLD_TEXT

TEXT_FILE = "grading_text.toml"
SEVERITIES = ("warning", "note")
HIGH_GRADE = "not_graded_high_grade"
# Placeholders a text may keep for the engine to fill in per result.
_RESULT_FIELDS = frozenset({"grade", "values", "value"})


@dataclass(frozen=True)
class FlagText:
    severity: str  # "warning" (act before relying on the result) or "note"
    text: str


@dataclass(frozen=True)
class FieldText:
    label: str  # the form's label
    subject: str  # how an error message names the field
    whole: bool  # only whole numbers (a count)
    bound: bool = False  # a bound such as "<1" is accepted (calculator/ki67.py)

    @property
    def inputmode(self) -> str:
        """The keyboard a phone should offer: "<" and ">" need more than a number pad."""
        if self.bound:
            return "text"
        return "numeric" if self.whole else "decimal"


def _fill(text: str, where: str) -> str:
    """Put the thresholds into `text`; placeholders for a result's own values stay."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    unknown = names - set(THRESHOLD_TEXT) - _RESULT_FIELDS
    if unknown:
        raise ValueError(f"{TEXT_FILE}: {where} uses unknown placeholder(s) {sorted(unknown)}")
    kept = {name: "{" + name + "}" for name in _RESULT_FIELDS}
    return text.format(**THRESHOLD_TEXT, **kept)


def _load() -> dict[str, object]:
    source = resources.files("calculator").joinpath("data", TEXT_FILE).read_text(encoding="utf-8")
    return tomllib.loads(source)


_DATA = _load()

HEADLINES: dict[str, str] = {
    key: _fill(text, f"headlines.{key}") for key, text in _DATA["headlines"].items()
}
EXPLANATIONS: dict[str, str] = {
    key: _fill(text, f"explanations.{key}") for key, text in _DATA["explanations"].items()
}
FLAG_TEXTS: dict[str, FlagText] = {
    flag: FlagText(entry["severity"], _fill(entry["text"], f"flags.{flag}"))
    for flag, entry in _DATA["flags"].items()
}
AREA_TEXTS: dict[str, str] = {
    key: _fill(text, f"areas.{key}") for key, text in _DATA["areas"].items()
}
FIELD_TEXTS: dict[str, FieldText] = {
    field: FieldText(
        _fill(entry["label"], f"fields.{field}"),
        _fill(entry["subject"], f"fields.{field}"),
        bool(entry["whole"]),
        bool(entry.get("bound", False)),
    )
    for field, entry in _DATA["fields"].items()
}
# The grade form's other labels, as nested tables of text (build_scripts/render_grade_form.py).
FORM_TEXT: dict[str, object] = _DATA["form"]

for _flag, _entry in FLAG_TEXTS.items():
    if _entry.severity not in SEVERITIES:
        raise ValueError(f"{TEXT_FILE}: flag {_flag!r} has severity {_entry.severity!r}")


def headline(status: str, classification: str | None, grade: str | None) -> str:
    """The one line that heads a result, e.g. "NET G2" or "Typical carcinoid (G1)"."""
    if status == "error" or classification is None:
        return HEADLINES["error"]
    key = classification
    if grade == HIGH_GRADE and f"{classification}_high_grade" in HEADLINES:
        key = f"{classification}_high_grade"
    return HEADLINES[key].format(grade=grade or "")


def explanation(
    grade_driver: str | None,
    grade: str | None,
    ki67_percent: float | None,
    ki67_bound: str | None,
    mitoses_per_2mm2: float | None,
) -> list[str]:
    """The sentences under the headline: what set the grade, and the values used."""
    lines = []
    if grade_driver is not None:
        lines.append(EXPLANATIONS[grade_driver])
    if grade == HIGH_GRADE:
        lines.append(EXPLANATIONS["high_grade"])
    values = []
    if ki67_percent is not None:
        key = {None: "ki67_value", "below": "ki67_below", "above": "ki67_above"}[ki67_bound]
        values.append(EXPLANATIONS[key].format(value=number_text(ki67_percent)))
    if mitoses_per_2mm2 is not None:
        values.append(EXPLANATIONS["mitoses_value"].format(value=number_text(mitoses_per_2mm2)))
    if values:
        lines.append(EXPLANATIONS["values"].format(values="; ".join(values)))
    return lines


def area_explanation(
    field_area_mm2: float | None, counted_area_mm2: float | None, fields_for_target: int | None
) -> list[str]:
    """The areas behind the mitotic rate, one sentence each, when the input gave them."""
    lines = []
    if field_area_mm2 is not None:
        lines.append(AREA_TEXTS["field_area"].format(value=number_text(field_area_mm2)))
    if counted_area_mm2 is not None:
        lines.append(AREA_TEXTS["counted_area"].format(value=number_text(counted_area_mm2)))
    if fields_for_target is not None:
        lines.append(AREA_TEXTS["fields_for_target"].format(value=fields_for_target))
    return lines


def flag_details(flags: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """Each flag with its explanation and severity, in the order given."""
    return [
        {"id": flag, "text": FLAG_TEXTS[flag].text, "severity": FLAG_TEXTS[flag].severity}
        for flag in flags
    ]


def number_text(value: float) -> str:
    """A value as the reader sees it: exact when it has at most two decimals, else ≈ rounded."""
    rounded = round(value, 2)
    if rounded != value:
        return f"≈ {rounded:.2f}"
    if value.is_integer():
        return str(int(value))
    return repr(value)
