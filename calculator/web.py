"""Bridge between the browser page (flat query-string parameters) and the engine.

The page and the tests both call these functions, so the browser and CPython share one path.
`handle` is the boundary: the only place that catches an unexpected exception (and logs it).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import date

from calculator import record_text
from calculator.flat_params import grade_inputs
from calculator.grading import GradeError, GradeResult, grade
from calculator.sequencing.params import params_to_answers, sequence_params
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

__all__ = [
    "grade_inputs",
    "grade_params",
    "grade_record",
    "handle",
    "sequence_params",
    "sequence_record",
    "version_info",
]

logger = logging.getLogger(__name__)


def grade_params(params: Mapping[str, str]) -> dict[str, object]:
    """Grade from flat query-string parameters; returns the result JSON object."""
    if not isinstance(params, Mapping):
        # Not a group of parameters at all: the engine describes it as an input error.
        return grade(params).to_dict()  # type: ignore[arg-type]
    return grade(grade_inputs(params)).to_dict()


def grade_record(params: Mapping[str, str], day: str | None = None) -> dict[str, object]:
    """The record summary of the grade page's parameters ("Copy for the notes"): the text and
    its sections (calculator/record_text.py). `day` is the reader's date (YYYY-MM-DD)."""
    return record_text.grade_record(grade_inputs(params), today=_day(day)).to_dict()


def sequence_record(
    params: Mapping[str, str], page_url: str | None = None, day: str | None = None
) -> dict[str, object]:
    """The record summary of the sequencing page's parameters ("Copy for the notes", "Print
    summary"). `page_url` is the page's address: the record's link is it with the answers
    as its query, written as the page writes its own."""
    return record_text.sequence_record(
        params_to_answers(params), today=_day(day), page_url=page_url
    ).to_dict()


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(day: str | None) -> date:
    if day is None:
        return date.today()
    if not isinstance(day, str) or not _ISO_DAY.fullmatch(day):
        raise ValueError("The date must be given as YYYY-MM-DD.")
    return date.fromisoformat(day)


def version_info() -> dict[str, str]:
    """The engine version and evidence date every page shows."""
    return {"engine_version": ENGINE_VERSION, "evidence_date": EVIDENCE_DATE}


def handle(kind: str, params_json: str) -> str:
    """JSON in, JSON out, for the Web Worker; never raises.

    kind "grade" or "sequence" takes a JSON object of flat parameters; kind "version" ignores it.
    Kinds "grade_record" and "sequence_record" take {"params": {...}, "date": "YYYY-MM-DD",
    "page_url": "..."} (page_url for the sequence only; date and page_url may be left out) and
    answer the record summary (its `text` is what the page copies).
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
            elif kind in _RECORDS:
                return _record(kind, params)
            else:
                return _failure(kind, f"Unknown request kind {str(kind)[:40]!r}.")
        return json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except Exception as exc:
        # A bug, not bad input: log it with its traceback (the browser console shows it), and
        # give the page an answer it can show.
        logger.exception("calculator.web.handle failed for kind %.40r", kind)
        return _failure(kind, f"The engine failed on this input ({type(exc).__name__}).")


_RECORDS = ("grade_record", "sequence_record")


def _record(kind: str, request: Mapping[str, object]) -> str:
    """A record request: its parameters and options checked here, at the boundary."""
    params = request.get("params", {})
    day = request.get("date")
    page_url = request.get("page_url")
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        return _failure(kind, "The record's parameters must be one object of text values.")
    if set(request) - {"params", "date", "page_url"}:
        return _failure(kind, "A record request takes only params, date and page_url.")
    try:
        when = _day(day)  # type: ignore[arg-type]
    except ValueError as exc:
        return _failure(kind, str(exc), "date")
    if kind == "grade_record":
        if page_url is not None:
            return _failure(kind, "The grade record takes no page address.", "page_url")
        record = record_text.grade_record(grade_inputs(params), today=when)
    else:
        if page_url is not None:
            try:
                page_url = record_text.checked_page_url(page_url)
            except ValueError as exc:
                return _failure(kind, str(exc), "page_url")
        record = record_text.sequence_record(
            params_to_answers(params), today=when, page_url=page_url
        )
    return json.dumps(record.to_dict(), ensure_ascii=False, allow_nan=False)


def _failure(kind: object, message: str, field: str = "input") -> str:
    if kind == "grade":
        payload = GradeResult(status="error", error=GradeError(field, message)).to_dict()
    else:
        payload = {
            "status": "error",
            "error": {"field": field, "message": message},
            "engine_version": ENGINE_VERSION,
        }
    return json.dumps(payload, ensure_ascii=False)
