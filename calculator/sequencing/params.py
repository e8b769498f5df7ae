"""Flat query-string parameters (as in the page URL) -> sequencing result dict. Never raises."""

from __future__ import annotations

from collections.abc import Mapping

from calculator.sequencing.contract import ANSWER_VALUES, PRIOR_KEY
from calculator.sequencing.engine import sequence
from calculator.version import ENGINE_VERSION

# Dotted grading parameters (shared/spec/grading.md) are recognised by these prefixes/names.
_GRADING_PARAMS = ("ki67_percent", "ne_component_percent", "necrosis")
_GRADING_PREFIXES = ("ki67.", "mitoses.")


def params_to_answers(params: Mapping[str, object]) -> dict[str, object]:
    """Sequencing keys as given (prior split on commas), grading keys regrouped; empty strings
    count as absent; any other parameter is ignored."""
    answers: dict[str, object] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not _present(value):
            continue
        if key in ANSWER_VALUES:
            answers[key] = value.strip() if isinstance(value, str) else value
        elif key == PRIOR_KEY:
            if isinstance(value, str):
                answers[key] = [p.strip() for p in value.split(",") if p.strip()]
            else:
                answers[key] = value
    grading = {
        k: v
        for k, v in params.items()
        if isinstance(k, str) and (k in _GRADING_PARAMS or k.startswith(_GRADING_PREFIXES))
    }
    if grading:
        from calculator.web import grade_inputs  # the same dotted-key reading as grading pages

        for key, value in grade_inputs(grading).items():
            if key not in ("site", "differentiation"):
                answers[key] = value
    return answers


def sequence_params(params: Mapping[str, str]) -> dict[str, object]:
    """The result JSON object for flat parameters; any failure becomes status "error"."""
    try:
        if not isinstance(params, Mapping):
            raise TypeError
        return sequence(params_to_answers(params)).to_dict()
    except Exception as exc:
        return {
            "status": "error",
            "pathway": None,
            "path": [],
            "next_question": None,
            "options": [],
            "advice": [],
            "error": {
                "field": "input",
                "message": "The calculator could not read these parameters "
                f"({type(exc).__name__}).",
            },
            "pointer": None,
            "engine_version": ENGINE_VERSION,
        }


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
