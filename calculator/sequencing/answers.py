"""Check the answers against the contract and run the grading engine when indices are given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from calculator.grading import grade
from calculator.sequencing.contract import (
    ANSWER_VALUES,
    GRADING_CLASS,
    GRADING_KEYS,
    KI67_VALUE,
    OPTION_IDS,
    PRIOR_KEY,
    SEQUENCING_KEYS,
)
from calculator.sequencing.model import Interval
from calculator.sites import THORACIC_SITES

GRADES = ANSWER_VALUES["grade"]
# Grading classes whose grade the tree can use directly.
USABLE_CLASSES = ("NET", "MiNEN")


class AnswerError(ValueError):
    """An answer the engine cannot use; `field` names it as the contract does."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Answers:
    """The answers as the walk reads them, plus what the grading engine computed."""

    values: dict[str, str]
    prior: frozenset[str] = frozenset()
    computed: dict[str, object] = field(default_factory=dict)
    grading: dict[str, object] | None = None  # the grading engine's result, when indices were given


def read_answers(answers: object) -> Answers:
    """Validate every key and value; raise AnswerError for the first bad one."""
    if not isinstance(answers, Mapping):
        raise AnswerError("input", "The answers must be one JSON object of key-value pairs.")
    values: dict[str, str] = {}
    prior: frozenset[str] = frozenset()
    grading: dict[str, object] = {}
    for key, value in answers.items():
        if not isinstance(key, str):
            raise AnswerError("input", f"Answer keys must be text, not {key!r}.")
        if key in ANSWER_VALUES:
            if value is not None:
                values[key] = _value(key, value)
        elif key == PRIOR_KEY:
            prior = _prior(value)
        elif key in GRADING_KEYS:
            if value is not None:
                grading[key] = value
        else:
            known = ", ".join((*SEQUENCING_KEYS, *GRADING_KEYS))
            raise AnswerError(key, f"Unknown answer key {key!r}. Known keys: {known}.")
    result = Answers(values, prior)
    if grading:
        _grade(result, grading)
    return result


def _value(key: str, value: object) -> str:
    allowed = ANSWER_VALUES[key]
    if not isinstance(value, str) or value not in allowed:
        shown = repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"
        raise AnswerError(
            key, f"Unknown value {shown} for {key!r}. Expected one of: {', '.join(allowed)}."
        )
    return value


def _prior(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    items: list[object]
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise AnswerError(PRIOR_KEY, "'prior' must be a list of option ids.")
    for item in items:
        if not isinstance(item, str) or item not in OPTION_IDS:
            raise AnswerError(
                PRIOR_KEY,
                f"{item!r} in 'prior' is not a known option id. "
                f"Known ids: {', '.join(OPTION_IDS)}.",
            )
    return frozenset(str(i) for i in items)


def _grade(result: Answers, grading: dict[str, object]) -> None:
    """Grade from Ki-67 / mitoses (shared/spec/grading.md); errors keep the grading field.

    A `grade` answer given beside the indices must agree with them (Revision 2, rule 4).
    """
    site = result.values.get("site")
    if site in THORACIC_SITES:
        return  # thoracic tumours leave the tree before any grade is needed
    inputs: dict[str, object] = dict(grading)
    # Without a site yet, any GEP site checks the numbers the same way.
    inputs["site"] = site or "unknown_primary"
    if "differentiation" in result.values:
        inputs["differentiation"] = result.values["differentiation"]
    graded = grade(inputs).to_dict()
    error = graded.get("error")
    if graded.get("status") == "error" and isinstance(error, Mapping):
        raise AnswerError(str(error.get("field", "input")), str(error.get("message", "")))
    graded.pop("engine_version", None)
    result.grading = graded
    ki67 = graded.get("ki67_percent")
    if isinstance(ki67, int | float):
        result.computed[KI67_VALUE] = _ki67_interval(float(ki67), graded.get("ki67_bound"))
    result.computed[GRADING_CLASS] = graded.get("classification")
    computed_grade = graded.get("grade")
    if computed_grade not in GRADES or graded.get("classification") not in USABLE_CLASSES:
        return
    given = result.values.get("grade")
    if given is None:
        result.values["grade"] = str(computed_grade)
    elif given != computed_grade:
        raise AnswerError("grade", _contradiction(given, str(computed_grade), graded))


def _ki67_interval(value: float, bound: object) -> Interval:
    """Ki-67 as the interval it is known to lie in (a report may give "<3" or ">55")."""
    if bound == "below":
        return Interval(0.0, value, high_open=True)
    if bound == "above":
        return Interval(value, 100.0, low_open=True)
    return Interval.point(value)


def _contradiction(given: str, computed: str, graded: Mapping[str, object]) -> str:
    indices = []
    if graded.get("ki67_percent") is not None:
        indices.append(f"Ki-67 {graded['ki67_percent']:g} %")
    if graded.get("mitoses_per_2mm2") is not None:
        indices.append(f"{graded['mitoses_per_2mm2']:g} mitoses per 2 mm²")
    return (
        f"The grade given ({given}) contradicts the indices given with it "
        f"({' and '.join(indices)}), which grade the tumour {computed}. "
        "Correct the grade or the indices, or leave the grade out and let the calculator "
        "grade from the indices."
    )
