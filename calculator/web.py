"""Bridge between the browser page (flat query-string parameters) and the engine.

The page and the tests both call these functions, so the browser and CPython share one path.
`handle` is the boundary: the only place that catches an unexpected exception (and logs it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from calculator.flat_params import grade_inputs
from calculator.grading import GradeError, GradeResult, grade
from calculator.sequencing.params import sequence_params
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

__all__ = ["grade_inputs", "grade_params", "handle", "sequence_params", "version_info"]

logger = logging.getLogger(__name__)


def grade_params(params: Mapping[str, str]) -> dict[str, object]:
    """Grade from flat query-string parameters; returns the result JSON object."""
    if not isinstance(params, Mapping):
        # Not a group of parameters at all: the engine describes it as an input error.
        return grade(params).to_dict()  # type: ignore[arg-type]
    return grade(grade_inputs(params)).to_dict()


def version_info() -> dict[str, str]:
    """The engine version and evidence date every page shows."""
    return {"engine_version": ENGINE_VERSION, "evidence_date": EVIDENCE_DATE}


def handle(kind: str, params_json: str) -> str:
    """JSON in, JSON out, for the Web Worker; never raises.

    kind "grade" or "sequence" takes a JSON object of flat parameters; kind "version" ignores it.
    """
    try:
        if kind == "version":
            payload: object = version_info()
        else:
            try:
                params = json.loads(params_json)
            except (TypeError, ValueError):
                return _failure(kind, "The parameters are not valid JSON.")
            if not isinstance(params, dict):
                return _failure(kind, "The parameters must be one JSON object.")
            if kind == "grade":
                payload = grade_params(params)
            elif kind == "sequence":
                payload = sequence_params(params)
            else:
                return _failure(kind, f"Unknown request kind {str(kind)[:40]!r}.")
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except Exception as exc:
        # A bug, not bad input: log it with its traceback (the browser console shows it), and
        # give the page an answer it can show.
        logger.exception("calculator.web.handle failed for kind %.40r", kind)
        return _failure(kind, f"The engine failed on this input ({type(exc).__name__}).")


def _failure(kind: object, message: str) -> str:
    if kind == "grade":
        payload = GradeResult(status="error", error=GradeError("input", message)).to_dict()
    else:
        payload = {
            "status": "error",
            "error": {"field": "input", "message": message},
            "engine_version": ENGINE_VERSION,
        }
    return json.dumps(payload, ensure_ascii=False)
