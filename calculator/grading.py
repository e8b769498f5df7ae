"""WHO grading of neuroendocrine neoplasms (shared/spec/grading.md).

`grade(inputs)` answers every input: bad input gives a result with status "error" and the
field path. An unexpected exception is a bug and propagates (the boundary, calculator.web.handle
or the CLI, logs it). Numbers are exact Fractions; thresholds are compared with literal
inequalities, never rounded. The words of a result come from calculator/grading_text.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from calculator import grading_text
from calculator.ki67 import Ki67, grade_ki67, read_ki67
from calculator.mitoses import MitoticRate, Number, compare, fields_to_cover, read_mitoses
from calculator.sites import GEP_SITES, PRIMARY_SITES, THORACIC_SITES
from calculator.thresholds import (
    COUNTED_AREA_MIN_MM2,
    COUNTED_AREA_TARGET_MM2,
    FIELD_DIAMETER_USUAL_MM,
    KI67_CONFIRM_WELL_ABOVE,
    KI67_G2_FROM,
    KI67_G2_TO,
    MIN_KI67_CELLS,
    MINEN_MIN_COMPONENT,
    MITOSES_G2_FROM,
    MITOSES_G2_TO,
    NEAR_KI67_G2_FROM,
    NEAR_KI67_G2_TO,
    THORACIC_AC_FROM,
    THORACIC_AC_TO,
)
from calculator.user_numbers import FieldError, echo, parse_field
from calculator.version import ENGINE_VERSION

__all__ = [
    "CLASSIFICATIONS",
    "ERROR_FIELDS",
    "FLAGS",
    "GEP_SITES",
    "MINEN_MIN_COMPONENT",
    "MIN_KI67_CELLS",
    "PRIMARY_SITES",
    "STATUSES",
    "THORACIC_SITES",
    "GradeError",
    "GradeResult",
    "grade",
    "grade_ki67",
    "grade_mitoses",
    "read_tumour",
]

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
    "ki67_reported_as_bound",
)

CLASSIFICATIONS: tuple[str, ...] = (
    "NET",
    "NEC",
    "MiNEN",
    "not_MiNEN",
    "NEN_differentiation_not_stated",
    "typical_carcinoid",
    "atypical_carcinoid",
    "outside_carcinoid_criteria",
    "TC_or_AC",
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
# WHO 2021 thoracic names: typical carcinoid is the G1, atypical carcinoid the G2 tumour.
_THORACIC_GRADE = {"typical_carcinoid": "G1", "atypical_carcinoid": "G2"}

# The wording data must cover the engine's flags and classifications, or the engine does not load.
if set(grading_text.FLAG_TEXTS) != set(FLAGS):
    raise ValueError("grading_text.toml: [flags] must hold exactly the engine's FLAGS")
_MISSING = set(CLASSIFICATIONS) - set(grading_text.HEADLINES)
if _MISSING:
    raise ValueError(f"grading_text.toml: no headline for {sorted(_MISSING)}")


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
    ki67_bound: str | None = None  # "below" or "above" when Ki-67 was reported as a bound
    # The areas behind a mitotic count given as an area or in fields, when known.
    field_area_mm2: float | None = None
    counted_area_mm2: float | None = None
    fields_for_10mm2: int | None = None

    @property
    def headline(self) -> str:
        """The result in one line, e.g. "NET G2" or "Typical carcinoid (G1)"."""
        return grading_text.headline(self.status, self.classification, self.grade)

    def to_dict(self) -> dict[str, object]:
        """The output JSON object: every key always present, null when not applicable."""
        return {
            "status": self.status,
            "classification": self.classification,
            "grade": self.grade,
            "grade_driver": self.grade_driver,
            "ki67_percent": self.ki67_percent,
            "ki67_bound": self.ki67_bound,
            "mitoses_per_2mm2": self.mitoses_per_2mm2,
            "flags": list(self.flags),
            "error": (
                None
                if self.error is None
                else {"field": self.error.field, "message": self.error.message}
            ),
            "engine_version": self.engine_version,
            "headline": self.headline,
            "explanation": grading_text.explanation(
                self.grade_driver,
                self.grade,
                self.ki67_percent,
                self.ki67_bound,
                self.mitoses_per_2mm2,
            ),
            "flag_details": grading_text.flag_details(self.flags),
            "field_area_mm2": self.field_area_mm2,
            "counted_area_mm2": self.counted_area_mm2,
            "fields_for_10mm2": self.fields_for_10mm2,
            "area_explanation": grading_text.area_explanation(
                self.field_area_mm2, self.counted_area_mm2, self.fields_for_10mm2
            ),
        }


def grade_mitoses(per_2mm2: Number) -> str:
    """WHO digestive-system grade from mitoses per 2 mm²: < 2 G1, 2 to 20 G2, > 20 G3."""
    if compare(per_2mm2, MITOSES_G2_FROM) < 0:
        return "G1"
    if compare(per_2mm2, MITOSES_G2_TO) <= 0:
        return "G2"
    return "G3"


def grade(inputs: Mapping[str, object]) -> GradeResult:
    """Grade one tumour from the contract's input object.

    Bad input is an answer (status "error"); any other exception is a bug and propagates.
    """
    try:
        return _grade(inputs)
    except FieldError as exc:
        return _error(exc.field, exc.message)


def _error(field: str, message: str) -> GradeResult:
    return GradeResult(status="error", error=GradeError(field=field, message=message))


@dataclass(frozen=True)
class _Indices:
    """The validated indices, and what every result reports about them."""

    ki67: Ki67 | None
    mitoses: MitoticRate | None

    def values(self) -> dict[str, object]:
        ki67, mitoses = self.ki67, self.mitoses
        return {
            "ki67_percent": None if ki67 is None else float(ki67.percent),
            "ki67_bound": None if ki67 is None else ki67.bound,
            "mitoses_per_2mm2": None if mitoses is None else float(mitoses.per_2mm2),
            **self.areas(),
        }

    def areas(self) -> dict[str, object]:
        """One field's area, the area counted and the fields that would cover 10 mm²."""
        mitoses = self.mitoses
        counted = None if mitoses is None else mitoses.area_mm2
        one_field = None if mitoses is None else mitoses.field_area_mm2
        return {
            "field_area_mm2": None if one_field is None else float(one_field),
            "counted_area_mm2": None if counted is None else float(counted),
            "fields_for_10mm2": (
                None if one_field is None else fields_to_cover(COUNTED_AREA_TARGET_MM2, one_field)
            ),
        }

    def flags(self) -> set[str]:
        """Flags about how the indices were given and counted, whatever the classification."""
        ki67, mitoses = self.ki67, self.mitoses
        flags: set[str] = set()
        if ki67 is not None:
            if ki67.bound is not None:
                flags.add("ki67_reported_as_bound")
            if ki67.total_cells is not None and ki67.total_cells < MIN_KI67_CELLS:
                flags.add("ki67_fewer_than_500_cells")
        if mitoses is not None:
            if mitoses.area_mm2 is not None and compare(mitoses.area_mm2, COUNTED_AREA_MIN_MM2) < 0:
                flags.add("counted_area_below_10mm2")
            diameter = mitoses.field_diameter_mm
            low, high = FIELD_DIAMETER_USUAL_MM
            if diameter is not None and not low <= diameter <= high:
                flags.add("field_diameter_unusual")
        return flags


def _grade(inputs: Mapping[str, object]) -> GradeResult:
    if not isinstance(inputs, Mapping):
        raise FieldError("input", f"The input must be one JSON object, not {echo(inputs)}.")
    site = _read_site(inputs.get("site"))
    differentiation = _read_differentiation(inputs.get("differentiation"))
    ne_percent = _read_optional_percent("ne_component_percent", inputs.get("ne_component_percent"))
    indices = _Indices(
        ki67=read_ki67(inputs.get("ki67_percent"), inputs.get("ki67")),
        mitoses=read_mitoses(inputs.get("mitoses")),
    )
    necrosis = _read_necrosis(inputs.get("necrosis"))

    # A valid neuroendocrine component decides MiNEN first: each component at least 30 %.
    minen = False
    flags = indices.flags()
    if ne_percent is not None:
        if ne_percent < MINEN_MIN_COMPONENT:
            # Too little neuroendocrine tumour to grade: not a MiNEN, and it stops here. The
            # bound flag stays, as ki67_percent is still reported.
            stopped = {"not_minen_component_below_30"} | (flags & {"ki67_reported_as_bound"})
            return GradeResult(
                status="ok",
                classification="not_MiNEN",
                flags=_ordered(stopped),
                **indices.values(),
            )
        if 100 - ne_percent < MINEN_MIN_COMPONENT:
            # The non-neuroendocrine part is under 30 %: a neuroendocrine tumour, graded as such.
            flags.add("not_minen_component_below_30")
        else:
            minen = True
    if site in THORACIC_SITES and not minen:
        return _thoracic(differentiation, indices, necrosis, flags)
    return _gep(differentiation, indices, minen, flags)


def _gep(differentiation: str, indices: _Indices, minen: bool, flags: set[str]) -> GradeResult:
    ki67, mitoses = indices.ki67, indices.mitoses
    if ki67 is None and mitoses is None:
        raise FieldError(
            "ki67_percent",
            "Neither index was given: enter the Ki-67 index (or the cell counts) and/or the "
            "mitotic count.",
        )
    if minen:
        flags.add("grade_each_component_separately")
    ki67_grade = None if ki67 is None else ki67.grade
    mitoses_grade = None if mitoses is None else grade_mitoses(mitoses.per_2mm2)
    final, driver, grade_flags = _combine(ki67_grade, mitoses_grade)

    # The index flags describe the indices whatever the differentiation; only the
    # "confirm well differentiated" flag makes no sense for a poorly differentiated tumour.
    flags |= grade_flags
    if ki67 is not None:
        if ki67.bound is None and _near_threshold(ki67.percent):
            # A bound lies wholly in one grade: recounting a value nobody measured means nothing.
            flags.add("near_threshold_recount_advised")
        if ki67.surely_above(KI67_CONFIRM_WELL_ABOVE) and differentiation != "poor":
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
            **indices.values(),
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
        **indices.values(),
    )


def _thoracic(
    differentiation: str, indices: _Indices, necrosis: bool | None, flags: set[str]
) -> GradeResult:
    ki67, mitoses = indices.ki67, indices.mitoses
    if mitoses is None:
        raise FieldError(
            "mitoses",
            "Lung and thymus tumours are classified by the mitotic count per 2 mm² (and "
            "necrosis); enter the mitotic count.",
        )
    flags.add("thoracic_criteria_applied")
    if ki67 is not None:
        # Reported, but typical versus atypical carcinoid does not use Ki-67.
        flags.add("ki67_not_used_for_tc_ac")
        if differentiation != "poor" and ki67.surely_above(KI67_CONFIRM_WELL_ABOVE):
            flags.add("ki67_gt55_confirm_well_differentiated")
    status = "ok"
    rate = mitoses.per_2mm2
    if differentiation == "poor":
        classification = "NEC"
    elif compare(rate, THORACIC_AC_TO) > 0:
        classification = "outside_carcinoid_criteria"
        flags.add("gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses")
    elif compare(rate, THORACIC_AC_FROM) >= 0 or necrosis is True:
        # 2 to 10 mitoses whatever the necrosis, or necrosis with fewer than 2.
        classification = "atypical_carcinoid"
    elif necrosis is False:
        classification = "typical_carcinoid"
    else:
        # Never assume necrosis is absent: without it TC and AC cannot be told apart.
        status = "incomplete"
        classification = "TC_or_AC"
        flags.add("necrosis_status_required")
    if classification == "NEC":
        thoracic_grade: str | None = "not_graded_high_grade"
    else:
        thoracic_grade = _THORACIC_GRADE.get(classification)
    return GradeResult(
        status=status,
        classification=classification,
        grade=thoracic_grade,
        flags=_ordered(flags),
        **indices.values(),
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
    if mitoses_grade is None:
        raise ValueError("_combine needs at least one index grade")
    return mitoses_grade, "mitoses", {"ki67_missing_grade_provisional"}


def _near_threshold(percent: Fraction) -> bool:
    """Ki-67 within 0.5 of 3 or within 1 of 20, ends included."""
    return (
        KI67_G2_FROM - NEAR_KI67_G2_FROM <= percent <= KI67_G2_FROM + NEAR_KI67_G2_FROM
        or KI67_G2_TO - NEAR_KI67_G2_TO <= percent <= KI67_G2_TO + NEAR_KI67_G2_TO
    )


def _ordered(flags: set[str]) -> tuple[str, ...]:
    return tuple(flag for flag in FLAGS if flag in flags)


def _words(value: object) -> str | None:
    """Lower-case text with spaces, hyphens and underscores unified, or None if not text."""
    if not isinstance(value, str):
        return None
    return " ".join(value.strip().casefold().replace("-", " ").replace("_", " ").split())


def read_tumour(inputs: Mapping[str, object]) -> tuple[str, str, bool | None]:
    """The site id, differentiation and necrosis as the engine reads them (for the record
    summary); bad input raises FieldError, as in `grade`."""
    return (
        _read_site(inputs.get("site")),
        _read_differentiation(inputs.get("differentiation")),
        _read_necrosis(inputs.get("necrosis")),
    )


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
