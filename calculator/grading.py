"""WHO grading of neuroendocrine neoplasms (shared/spec/grading.md).

`grade(inputs)` never raises: bad input gives a result with status "error" and the field path.
Numbers are exact Fractions; thresholds are compared with literal inequalities, never rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from calculator.mitoses import MitoticRate, Number, compare, read_mitoses
from calculator.user_numbers import FieldError, echo, parse_field
from calculator.version import ENGINE_VERSION

GEP_SITES: tuple[str, ...] = (
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
)
THORACIC_SITES: tuple[str, ...] = ("lung", "thymus")
PRIMARY_SITES: tuple[str, ...] = GEP_SITES + THORACIC_SITES

# Places where metastases are found: a clinician may type them, but they are not primaries.
METASTATIC_SITES: frozenset[str] = frozenset(
    {"liver", "lymph_node", "lymph_nodes", "node", "bone", "peritoneum", "metastasis", "brain"}
)

# Every flag, in the contract's order; results list their flags in this order.
FLAGS: tuple[str, ...] = (
    "discordant_indices_higher_grade_used",
    "ki67_missing_grade_provisional",
    "mitoses_missing",
    "near_threshold_recount_advised",
    "ki67_fewer_than_500_cells",
    "counted_area_below_10mm2",
    "field_diameter_unusual",
    "ki67_gt55_confirm_well_differentiated",
    "nec_with_low_proliferation_review_morphology",
    "differentiation_required",
    "grade_each_component_separately",
    "not_minen_component_below_30",
    "thoracic_criteria_applied",
    "ki67_not_used_for_tc_ac",
    "necrosis_status_required",
    "gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses",
)

# Every field path an error can name ("input" is the whole object, e.g. not a JSON object).
ERROR_FIELDS: tuple[str, ...] = (
    "input",
    "site",
    "differentiation",
    "ki67",
    "ki67_percent",
    "ki67.positive_cells",
    "ki67.total_cells",
    "mitoses",
    "mitoses.per_2mm2",
    "mitoses.count",
    "mitoses.area_mm2",
    "mitoses.hpf",
    "mitoses.field_diameter_mm",
    "mitoses.field_area_mm2",
    "necrosis",
    "ne_component_percent",
)

STATUSES: tuple[str, ...] = ("ok", "incomplete", "error")

_GRADE_RANK = {"G1": 1, "G2": 2, "G3": 3}

# WHO asks for at least 500 tumour cells in the Ki-67 hot spot.
MIN_KI67_CELLS = 500
# A MiNEN needs each component (neuroendocrine and not) to be at least 30 %.
MINEN_MIN_COMPONENT = 30


@dataclass(frozen=True)
class GradeError:
    """Which input is wrong (its path) and why, in words a clinician understands."""

    field: str
    message: str


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading; `to_dict()` is the contract's JSON output."""

    status: str
    classification: str | None = None
    grade: str | None = None
    grade_driver: str | None = None
    ki67_percent: float | None = None
    mitoses_per_2mm2: float | None = None
    flags: tuple[str, ...] = ()
    error: GradeError | None = None
    engine_version: str = ENGINE_VERSION

    def to_dict(self) -> dict[str, object]:
        """The output JSON object: every key always present, null when not applicable."""
        return {
            "status": self.status,
            "classification": self.classification,
            "grade": self.grade,
            "grade_driver": self.grade_driver,
            "ki67_percent": self.ki67_percent,
            "mitoses_per_2mm2": self.mitoses_per_2mm2,
            "flags": list(self.flags),
            "error": (
                None
                if self.error is None
                else {"field": self.error.field, "message": self.error.message}
            ),
            "engine_version": self.engine_version,
        }


@dataclass(frozen=True)
class _Ki67:
    percent: Fraction
    total_cells: Fraction | None = None  # known only when given as cell counts


def grade_ki67(percent: Fraction) -> str:
    """WHO digestive-system grade from Ki-67: < 3 G1, 3 to 20 G2, > 20 G3."""
    if percent < 3:
        return "G1"
    if percent <= 20:
        return "G2"
    return "G3"


def grade_mitoses(per_2mm2: Number) -> str:
    """WHO digestive-system grade from mitoses per 2 mm²: < 2 G1, 2 to 20 G2, > 20 G3."""
    if compare(per_2mm2, 2) < 0:
        return "G1"
    if compare(per_2mm2, 20) <= 0:
        return "G2"
    return "G3"


def grade(inputs: Mapping[str, object]) -> GradeResult:
    """Grade one tumour from the contract's input object. Never raises."""
    try:
        return _grade(inputs)
    except FieldError as exc:
        return _error(exc.field, exc.message)
    except Exception:
        # The contract says never crash: an input we did not foresee is still an answer.
        return _error("input", "The calculator could not read this input; check every value.")


def _error(field: str, message: str) -> GradeResult:
    return GradeResult(status="error", error=GradeError(field=field, message=message))


def _grade(inputs: Mapping[str, object]) -> GradeResult:
    if not isinstance(inputs, Mapping):
        raise FieldError("input", f"The input must be one JSON object, not {echo(inputs)}.")
    site = _read_site(inputs.get("site"))
    differentiation = _read_differentiation(inputs.get("differentiation"))
    ne_percent = _read_optional_percent("ne_component_percent", inputs.get("ne_component_percent"))
    ki67 = _read_ki67(inputs.get("ki67_percent"), inputs.get("ki67"))
    mitoses = read_mitoses(inputs.get("mitoses"))
    necrosis = _read_necrosis(inputs.get("necrosis"))

    values = {
        "ki67_percent": None if ki67 is None else float(ki67.percent),
        "mitoses_per_2mm2": None if mitoses is None else float(mitoses.per_2mm2),
    }
    minen = False
    if ne_percent is not None:
        # MiNEN is decided first: both components must be at least 30 %.
        minen = ne_percent >= MINEN_MIN_COMPONENT and 100 - ne_percent >= MINEN_MIN_COMPONENT
        if not minen:
            return GradeResult(
                status="ok",
                classification="not_MiNEN",
                flags=("not_minen_component_below_30",),
                **values,
            )
    if site in THORACIC_SITES and not minen:
        return _thoracic(differentiation, ki67, mitoses, necrosis, values)
    return _gep(differentiation, ki67, mitoses, minen, values)


def _gep(
    differentiation: str,
    ki67: _Ki67 | None,
    mitoses: MitoticRate | None,
    minen: bool,
    values: dict[str, float | None],
) -> GradeResult:
    if ki67 is None and mitoses is None:
        raise FieldError(
            "ki67_percent",
            "Neither index was given: enter the Ki-67 index (or the cell counts) and/or the "
            "mitotic count.",
        )
    flags = _quality_flags(ki67, mitoses)
    if minen:
        flags.add("grade_each_component_separately")
    ki67_grade = None if ki67 is None else grade_ki67(ki67.percent)
    mitoses_grade = None if mitoses is None else grade_mitoses(mitoses.per_2mm2)
    final, driver, grade_flags = _combine(ki67_grade, mitoses_grade)

    # The index flags describe the indices whatever the differentiation; only the
    # "confirm well differentiated" flag makes no sense for a poorly differentiated tumour.
    flags |= grade_flags
    if ki67 is not None:
        if _near_threshold(ki67.percent):
            flags.add("near_threshold_recount_advised")
        if ki67.percent > 55 and differentiation != "poor":
            flags.add("ki67_gt55_confirm_well_differentiated")

    if differentiation == "poor":
        # Poorly differentiated is NEC: high grade by definition, not given G1-G3, so no
        # index "drives" the grade.
        if final != "G3":
            flags.add("nec_with_low_proliferation_review_morphology")
        return GradeResult(
            status="ok",
            classification="MiNEN" if minen else "NEC",
            grade="not_graded_high_grade",
            flags=_ordered(flags),
            **values,
        )

    status = "ok"
    classification = "MiNEN" if minen else "NET"
    if final == "G3" and differentiation == "unknown":
        # G3 could be NET G3 or NEC, and treatment differs: differentiation is required.
        status = "incomplete"
        flags.add("differentiation_required")
        if not minen:
            classification = "NEN_differentiation_not_stated"
    return GradeResult(
        status=status,
        classification=classification,
        grade=final,
        grade_driver=driver,
        flags=_ordered(flags),
        **values,
    )


def _thoracic(
    differentiation: str,
    ki67: _Ki67 | None,
    mitoses: MitoticRate | None,
    necrosis: bool | None,
    values: dict[str, float | None],
) -> GradeResult:
    if mitoses is None:
        raise FieldError(
            "mitoses",
            "Lung and thymus tumours are classified by the mitotic count per 2 mm² (and "
            "necrosis); enter the mitotic count.",
        )
    flags = _quality_flags(ki67, mitoses)
    flags.add("thoracic_criteria_applied")
    if ki67 is not None:
        # Reported, but typical versus atypical carcinoid does not use Ki-67.
        flags.add("ki67_not_used_for_tc_ac")
        if differentiation != "poor" and ki67.percent > 55:
            flags.add("ki67_gt55_confirm_well_differentiated")
    status = "ok"
    rate = mitoses.per_2mm2
    if differentiation == "poor":
        classification = "NEC"
    elif compare(rate, 10) > 0:
        classification = "outside_carcinoid_criteria"
        flags.add("gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses")
    elif compare(rate, 2) >= 0 or necrosis is True:
        # 2 to 10 mitoses whatever the necrosis, or necrosis with fewer than 2.
        classification = "atypical_carcinoid"
    elif necrosis is False:
        classification = "typical_carcinoid"
    else:
        # Never assume necrosis is absent: without it TC and AC cannot be told apart.
        status = "incomplete"
        classification = "TC_or_AC"
        flags.add("necrosis_status_required")
    return GradeResult(
        status=status,
        classification=classification,
        grade="not_graded_high_grade" if classification == "NEC" else None,
        flags=_ordered(flags),
        **values,
    )


def _combine(ki67_grade: str | None, mitoses_grade: str | None) -> tuple[str, str, set[str]]:
    """The higher of the two grades, which index set it, and the flags that go with it."""
    if ki67_grade is not None and mitoses_grade is not None:
        if ki67_grade == mitoses_grade:
            return ki67_grade, "concordant", set()
        if _GRADE_RANK[ki67_grade] > _GRADE_RANK[mitoses_grade]:
            return ki67_grade, "ki67", {"discordant_indices_higher_grade_used"}
        return mitoses_grade, "mitoses", {"discordant_indices_higher_grade_used"}
    if ki67_grade is not None:
        return ki67_grade, "ki67", {"mitoses_missing"}
    assert mitoses_grade is not None
    return mitoses_grade, "mitoses", {"ki67_missing_grade_provisional"}


def _quality_flags(ki67: _Ki67 | None, mitoses: MitoticRate | None) -> set[str]:
    """Flags about how the indices were counted, whatever the classification."""
    flags: set[str] = set()
    if ki67 is not None and ki67.total_cells is not None and ki67.total_cells < MIN_KI67_CELLS:
        flags.add("ki67_fewer_than_500_cells")
    if mitoses is not None:
        # Under 9.5 mm² (not 10) so that 42 fields of 0.55 mm (9.98 mm²) pass.
        if mitoses.area_mm2 is not None and compare(mitoses.area_mm2, Fraction(19, 2)) < 0:
            flags.add("counted_area_below_10mm2")
        diameter = mitoses.field_diameter_mm
        if diameter is not None and not Fraction(35, 100) <= diameter <= Fraction(75, 100):
            flags.add("field_diameter_unusual")
    return flags


def _near_threshold(percent: Fraction) -> bool:
    """Ki-67 within 0.5 of 3 or within 1 of 20, ends included."""
    return Fraction(5, 2) <= percent <= Fraction(7, 2) or 19 <= percent <= 21


def _ordered(flags: set[str]) -> tuple[str, ...]:
    return tuple(flag for flag in FLAGS if flag in flags)


def _words(value: object) -> str | None:
    """Lower-case text with spaces, hyphens and underscores unified, or None if not text."""
    if not isinstance(value, str):
        return None
    return " ".join(value.strip().casefold().replace("-", " ").replace("_", " ").split())


def _read_site(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError("site", "The primary site is required (e.g. pancreas, small_intestine).")
    words = _words(value)
    if words is None:
        raise FieldError("site", f"The site must be a name, not {echo(value)}.")
    key = words.replace(" ", "_")
    if key in PRIMARY_SITES:
        return key
    choices = ", ".join(PRIMARY_SITES)
    if key in METASTATIC_SITES or key.startswith(("liver", "lymph")):
        where = "The liver is" if key.startswith("liver") else f"{echo(value)} is"
        raise FieldError(
            "site",
            f"{where} where metastases sit, not a primary site. Enter the primary tumour's "
            f"site ({choices}); if the primary is not known, use unknown_primary.",
        )
    raise FieldError("site", f"Unknown site {echo(value)}; choose one of: {choices}.")


def _read_differentiation(value: object) -> str:
    # A missing differentiation means "unknown" (contract).
    if value is None:
        return "unknown"
    words = _words(value)
    if words is None:
        raise FieldError(
            "differentiation",
            f"Differentiation must be well, poor or unknown, not {echo(value)}.",
        )
    if words in ("", "unknown", "not stated", "not known"):
        return "unknown"
    if words in ("well", "well differentiated"):
        return "well"
    if words in ("poor", "poorly", "poorly differentiated"):
        return "poor"
    if words.startswith(("moderat", "intermediate")):
        raise FieldError(
            "differentiation",
            "WHO has no moderately differentiated neuroendocrine neoplasm: choose well "
            "(NET) or poor (NEC), or unknown if the report does not say.",
        )
    raise FieldError(
        "differentiation",
        f"Differentiation must be well, poor or unknown, not {echo(value)}.",
    )


def _read_optional_percent(field: str, value: object) -> Fraction | None:
    if value is None:
        return None
    return parse_field(field, value, maximum=100, allow_percent_sign=True)


def _read_ki67(percent: object, counts: object) -> _Ki67 | None:
    if percent is not None:
        if counts is not None:
            raise FieldError(
                "ki67_percent",
                "Ki-67 was given both as a percentage and as cell counts; give only one.",
            )
        return _Ki67(
            percent=parse_field("ki67_percent", percent, maximum=100, allow_percent_sign=True)
        )
    if counts is None:
        return None
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
    return _Ki67(percent=positive / total * 100, total_cells=total)


_COUNT_LABEL = {
    "positive_cells": "The number of Ki-67 positive cells",
    "total_cells": "The number of tumour cells counted",
}


def _read_necrosis(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    words = _words(value)
    if words in ("", "unknown", "not known", "not stated"):
        return None
    if words in ("true", "yes", "present"):
        return True
    if words in ("false", "no", "absent"):
        return False
    raise FieldError("necrosis", f"Necrosis must be true, false or unknown, not {echo(value)}.")
