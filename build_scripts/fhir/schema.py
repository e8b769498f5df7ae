"""JSON Schemas (draft 2020-12) of the two calculators' input and output, from the engine's own
definitions: the answer vocabulary and stable ids (calculator/sequencing/contract.py, the tree),
the flat parameters (calculator/flat_params.py), and the keys the results write (`to_dict()` of
an empty result). A key the engine adds without a schema here stops the build; the tests
validate real engine outputs against these files."""

from __future__ import annotations

from typing import Any

from build_scripts.fhir.naming import CANONICAL_BASE
from calculator.flat_params import KI67_KEYS, MITOSES_KEYS, NECROSIS_KEY, PLAIN_KEYS
from calculator.grading import CLASSIFICATIONS, ERROR_FIELDS, FLAGS, GradeResult
from calculator.grading import STATUSES as GRADE_STATUSES
from calculator.grading_text import SEVERITIES
from calculator.mitoses import SHAPES
from calculator.sequencing.contract import (
    ADVICE_IDS,
    ANSWER_VALUES,
    GRADING_KEYS,
    OPTION_IDS,
    PREFERENCES,
    PRIOR_KEY,
    RESULT_PATHWAYS,
    STATUSES,
    STRENGTHS,
)
from calculator.sequencing.model import Tree
from calculator.sequencing.result import (
    AdviceResult,
    NextQuestion,
    OptionResult,
    SequenceResult,
    SourceResult,
)
from calculator.sequencing.tree import AIMS
from calculator.sites import PRIMARY_SITES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# The grading contract's differentiation words (shared/spec/grading.md); the engine also reads
# common spellings ("poorly differentiated"), checked in tests/unit/test_fhir_schema.py.
GRADE_DIFFERENTIATIONS = ("well", "poor", "unknown")
GRADES = ("G1", "G2", "G3", "not_graded_high_grade")
GRADE_DRIVERS = ("concordant", "ki67", "mitoses")
KI67_BOUNDS = ("below", "above")

TEXT = {"type": "string"}
NUMBER = {"type": "number"}
# The engines read numbers as clinicians type them ("12,5", " 7 ", "<3" for a Ki-67 bound).
TYPED_NUMBER = {"type": ["number", "string"]}


def enum(values: object, nullable: bool = False) -> dict[str, Any]:
    items: list[object] = list(values)  # type: ignore[call-overload]
    return {"enum": [*items, None] if nullable else items}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Any], required: object = None, extra: bool = False) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),  # type: ignore[call-overload]
        "additionalProperties": extra,
    }


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def exactly(properties: dict[str, Any], keys: object) -> dict[str, Any]:
    """An object with exactly the keys the engine writes, each with its schema here."""
    keys = list(keys)  # type: ignore[call-overload]
    missing = [k for k in keys if k not in properties]
    if missing:
        raise KeyError(f"the engine writes {missing} but the schema does not describe them")
    extra = [k for k in properties if k not in keys]
    if extra:
        raise KeyError(f"the schema describes {extra}, which the engine no longer writes")
    return obj({k: properties[k] for k in keys})


def _document(name: str, title: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": f"{CANONICAL_BASE}/schema/{name}", "title": title, **body}


# ---------------------------------------------------------------------- grading


def grade_input() -> dict[str, Any]:
    counts = obj({k: TYPED_NUMBER for k in KI67_KEYS})
    shapes = [obj({k: TYPED_NUMBER for k in sorted(shape)}) for shape in SHAPES]
    return obj(
        {
            "site": enum(PRIMARY_SITES),
            "differentiation": enum(GRADE_DIFFERENTIATIONS, nullable=True),
            "ki67_percent": nullable(TYPED_NUMBER),
            "ki67": nullable(counts),
            "mitoses": nullable({"oneOf": shapes}),
            "necrosis": {"type": ["boolean", "null"]},
            "ne_component_percent": nullable(TYPED_NUMBER),
        },
        required=["site"],
    )


def grade_output(with_version: bool = True) -> dict[str, Any]:
    properties = {
        "status": enum(GRADE_STATUSES),
        "classification": enum(CLASSIFICATIONS, nullable=True),
        "grade": enum(GRADES, nullable=True),
        "grade_driver": enum(GRADE_DRIVERS, nullable=True),
        "ki67_percent": nullable(NUMBER),
        "ki67_bound": enum(KI67_BOUNDS, nullable=True),
        "mitoses_per_2mm2": nullable(NUMBER),
        "flags": array(enum(FLAGS)),
        "error": nullable(obj({"field": enum(ERROR_FIELDS), "message": TEXT})),
        "engine_version": TEXT,
        "headline": TEXT,
        "explanation": array(TEXT),
        "flag_details": array(obj({"id": enum(FLAGS), "text": TEXT, "severity": enum(SEVERITIES)})),
        "field_area_mm2": nullable(NUMBER),
        "counted_area_mm2": nullable(NUMBER),
        "fields_for_10mm2": {"type": ["integer", "null"]},
        "area_explanation": array(TEXT),
    }
    keys = list(GradeResult(status="ok").to_dict())
    if not with_version:  # the sequencing result carries the grading result without it
        keys.remove("engine_version")
        del properties["engine_version"]
    return exactly(properties, keys)


def grade_params() -> dict[str, Any]:
    """The grade page's URL parameters (all text), as calculator.flat_params reads them."""
    keys = [*PLAIN_KEYS, *(f"ki67.{k}" for k in KI67_KEYS), *(f"mitoses.{k}" for k in MITOSES_KEYS)]
    return obj({**{k: TEXT for k in keys}, NECROSIS_KEY: TEXT}, required=[], extra=True)


# ---------------------------------------------------------------------- sequencing


def sequence_input() -> dict[str, Any]:
    properties: dict[str, Any] = {k: enum(v, nullable=True) for k, v in ANSWER_VALUES.items()}
    properties[PRIOR_KEY] = {
        "anyOf": [array(enum(OPTION_IDS)), TEXT, {"type": "null"}],
        "description": "option ids, as a list or comma-separated",
    }
    grading = grade_input()["properties"]
    missing = [k for k in GRADING_KEYS if k not in grading]
    if missing:
        raise KeyError(f"grading keys {missing} have no schema")
    properties |= {k: grading[k] for k in GRADING_KEYS}
    return obj(properties, required=[])


def sequence_params() -> dict[str, Any]:
    """The sequencing page's URL parameters: the answers, `prior` comma-separated, and the
    grading parameters; any other parameter is ignored."""
    properties: dict[str, Any] = {k: enum(v) for k, v in ANSWER_VALUES.items()}
    properties[PRIOR_KEY] = TEXT
    properties |= grade_params()["properties"]
    return obj(properties, required=[], extra=True)


def sequence_output(tree: Tree) -> dict[str, Any]:
    steps = [s.id for s in tree.steps]
    source = exactly(
        {
            "id": enum(sorted(tree.sources)),
            "title": TEXT,
            "kind": TEXT,
            "date": TEXT,
            "section": TEXT,
        },
        SourceResult("", "", "", "", "").to_dict(),
    )
    option = exactly(
        {
            "id": enum(OPTION_IDS),
            "name": TEXT,
            "preference": enum(PREFERENCES),
            "strength": enum(STRENGTHS, nullable=True),
            "strength_scope": nullable(TEXT),
            "rationale": TEXT,
            "evidence": array(enum(sorted(tree.trials))),
            "step": enum(steps),
            "newer": {"type": "boolean"},
            "aims": array(enum(AIMS)),
            "also": array(obj({"aim": enum(AIMS), "preference": enum(PREFERENCES)})),
            "source": nullable(source),
        },
        OptionResult("", "", "", None, "", (), "", False).to_dict(),
    )
    advice = exactly(
        {"id": enum(ADVICE_IDS), "text": TEXT, "sources": array(source)},
        AdviceResult("", "").to_dict(),
    )
    question = exactly(
        {
            "key": enum(ANSWER_VALUES),
            "step": enum(steps),
            "text": TEXT,
            "choices": array(obj({"value": TEXT, "label": TEXT})),
        },
        NextQuestion("", "", "", ()).to_dict(),
    )
    return exactly(
        {
            "status": enum(STATUSES),
            "pathway": enum(RESULT_PATHWAYS, nullable=True),
            "path": array(enum(steps)),
            "next_question": nullable(question),
            "options": array(option),
            "advice": array(advice),
            "error": nullable(obj({"field": TEXT, "message": TEXT})),
            "pointer": nullable(obj({"page": enum(sorted(tree.pointers)), "reason": TEXT})),
            "grading": nullable(grade_output(with_version=False)),
            "engine_version": TEXT,
        },
        SequenceResult(status="complete").to_dict(),
    )


def schemas(tree: Tree) -> dict[str, dict[str, Any]]:
    """File name -> schema, for fhir/ in the site."""
    return {
        "grade-input.schema.json": _document(
            "grade-input.schema.json", "WHO grade calculator: input (JSON)", grade_input()
        ),
        "grade-params.schema.json": _document(
            "grade-params.schema.json",
            "WHO grade calculator: page URL parameters",
            grade_params(),
        ),
        "grade-output.schema.json": _document(
            "grade-output.schema.json", "WHO grade calculator: result", grade_output()
        ),
        "sequence-input.schema.json": _document(
            "sequence-input.schema.json", "Treatment sequencing: answers (JSON)", sequence_input()
        ),
        "sequence-params.schema.json": _document(
            "sequence-params.schema.json",
            "Treatment sequencing: page URL parameters",
            sequence_params(),
        ),
        "sequence-output.schema.json": _document(
            "sequence-output.schema.json", "Treatment sequencing: result", sequence_output(tree)
        ),
    }
