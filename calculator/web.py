"""Bridge between the browser page (flat query-string parameters) and the engine.

The page and the tests both call these functions, so the browser and CPython share one path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from calculator.grading import GradeError, GradeResult, grade
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

# Top-level fields, copied exactly as typed (the engine reads and checks them).
_PLAIN_KEYS = ("site", "differentiation", "ki67_percent", "ne_component_percent")
_KI67_KEYS = ("positive_cells", "total_cells")
_MITOSES_KEYS = ("per_2mm2", "count", "area_mm2", "hpf", "field_diameter_mm", "field_area_mm2")
_NECROSIS = {"true": True, "yes": True, "false": False, "no": False, "unknown": None, "": None}


def _present(value: object) -> bool:
    """A form field left empty (or only spaces) counts as not given."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def grade_inputs(params: Mapping[str, object]) -> dict[str, object]:
    """Turn flat, dotted query-string parameters into the contract's input object."""
    inputs: dict[str, object] = {}
    for key in _PLAIN_KEYS:
        if _present(params.get(key)):
            inputs[key] = params[key]
    ki67 = {k: params[f"ki67.{k}"] for k in _KI67_KEYS if _present(params.get(f"ki67.{k}"))}
    if ki67:
        inputs["ki67"] = ki67
    # Build the group from whatever mitoses.* fields were filled in: a bad combination is then
    # reported by the engine as the contract's `mitoses` shape error.
    mitoses = {
        k: params[f"mitoses.{k}"] for k in _MITOSES_KEYS if _present(params.get(f"mitoses.{k}"))
    }
    if mitoses:
        inputs["mitoses"] = mitoses
    necrosis = params.get("necrosis")
    if isinstance(necrosis, str) and necrosis.strip().casefold() in _NECROSIS:
        # "unknown" and blank are left out: the engine reads a missing necrosis as unknown.
        known = _NECROSIS[necrosis.strip().casefold()]
        if known is not None:
            inputs["necrosis"] = known
    elif necrosis is not None:
        inputs["necrosis"] = necrosis  # the engine rejects it with a `necrosis` error
    return inputs


def grade_params(params: Mapping[str, str]) -> dict[str, object]:
    """Grade from flat query-string parameters; returns the result JSON object."""
    try:
        inputs = grade_inputs(params)
    except Exception:
        # Not a mapping of parameters at all: let the engine describe it as an input error.
        return grade(params).to_dict()  # type: ignore[arg-type]
    return grade(inputs).to_dict()


def sequence_params(params: Mapping[str, str]) -> dict[str, object]:
    """Sequencing from flat query-string parameters (delegates to calculator.sequencing)."""
    from calculator.sequencing import sequence_params as _sequence_params

    return _sequence_params(params)


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
        # Whatever happens, the page gets an answer it can show.
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
