"""Flat query-string parameters (as in the page URL) -> sequencing result dict.

Bad parameters give a result with status "error"; an unexpected exception is a bug and
propagates to the boundary (calculator.web.handle), which logs it.
"""

from __future__ import annotations

from collections.abc import Mapping

from calculator.flat_params import (
    encode_query,
    flat_value,
    grade_inputs,
    grading_params,
    is_grading_key,
    present,
)
from calculator.sequencing.contract import ANSWER_VALUES, GRADING_KEYS, PRIOR_KEY
from calculator.sequencing.engine import sequence
from calculator.sequencing.result import SequenceError, SequenceResult

# Site and differentiation are sequencing answers; the other grading parameters (dotted keys
# included, shared/spec/grading.md) are read as the grade page reads them.
_SEQUENCING_OWN = ("site", "differentiation")


def params_to_answers(params: Mapping[str, object]) -> dict[str, object]:
    """Sequencing keys as given (prior split on commas), grading keys regrouped; empty strings
    count as absent; any other parameter is ignored."""
    answers: dict[str, object] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not present(value):
            continue
        if key in ANSWER_VALUES:
            answers[key] = value.strip() if isinstance(value, str) else value
        elif key == PRIOR_KEY:
            if isinstance(value, str):
                answers[key] = [p.strip() for p in value.split(",") if p.strip()]
            else:
                answers[key] = value
    grading = {k: v for k, v in params.items() if is_grading_key(k) and k not in _SEQUENCING_OWN}
    if grading:
        answers.update(grade_inputs(grading))
    return answers


def sequence_params(params: Mapping[str, str]) -> dict[str, object]:
    """The result JSON object for flat parameters; parameters that are not a group of named
    values give status "error"."""
    if not isinstance(params, Mapping):
        # Built as every result is, so it has every key of the result (grading included).
        return SequenceResult(
            status="error",
            error=SequenceError(
                "input",
                "The calculator could not read these parameters: they must be one "
                "group of named values.",
            ),
        ).to_dict()
    return sequence(params_to_answers(params)).to_dict()


def answers_to_query(answers: Mapping[str, object]) -> str:
    """The page's query string (without "?") for `answers`: the inverse of params_to_answers,
    in the contract's key order, encoded as the browser encodes it (the reopening link)."""
    pairs: list[tuple[str, str]] = []
    for key in ANSWER_VALUES:
        if present(answers.get(key)):
            pairs.append((key, flat_value(answers[key])))
    prior = answers.get(PRIOR_KEY)
    if isinstance(prior, list | tuple):
        prior = ",".join(str(p) for p in prior)
    if present(prior):
        pairs.append((PRIOR_KEY, str(prior)))
    pairs += grading_params({k: answers[k] for k in GRADING_KEYS if k in answers})
    return encode_query(pairs)
