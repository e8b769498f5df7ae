"""Flat query-string parameters (as in a page URL) read into the grading contract's input.

The grade page (calculator.web) and the sequencing page (calculator.sequencing.params) use the
same dotted keys (ki67.positive_cells, mitoses.count, ...), so they are read here, once.
"""

from __future__ import annotations

from collections.abc import Mapping

from calculator.mitoses import SHAPES

# Top-level fields, copied exactly as typed (the engine reads and checks them).
PLAIN_KEYS: tuple[str, ...] = ("site", "differentiation", "ki67_percent", "ne_component_percent")
KI67_KEYS: tuple[str, ...] = ("positive_cells", "total_cells")
# Every key of every accepted `mitoses` shape.
MITOSES_KEYS: tuple[str, ...] = tuple(sorted(set().union(*SHAPES)))
NECROSIS_KEY = "necrosis"
_NECROSIS = {"true": True, "yes": True, "false": False, "no": False, "unknown": None, "": None}


def present(value: object) -> bool:
    """A form field left empty (or only spaces) counts as not given."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def is_grading_key(key: object) -> bool:
    """Whether a flat parameter belongs to the grading input (dotted keys included)."""
    return isinstance(key, str) and (
        key in PLAIN_KEYS or key == NECROSIS_KEY or key.startswith(("ki67.", "mitoses."))
    )


def grade_inputs(params: Mapping[str, object]) -> dict[str, object]:
    """Turn flat, dotted query-string parameters into the contract's input object."""
    inputs: dict[str, object] = {}
    for key in PLAIN_KEYS:
        if present(params.get(key)):
            inputs[key] = params[key]
    ki67 = {k: params[f"ki67.{k}"] for k in KI67_KEYS if present(params.get(f"ki67.{k}"))}
    if ki67:
        inputs["ki67"] = ki67
    # Build the group from whatever mitoses.* fields were filled in: a bad combination is then
    # reported by the engine as the contract's `mitoses` shape error.
    mitoses = {
        k: params[f"mitoses.{k}"] for k in MITOSES_KEYS if present(params.get(f"mitoses.{k}"))
    }
    if mitoses:
        inputs["mitoses"] = mitoses
    necrosis = params.get(NECROSIS_KEY)
    if isinstance(necrosis, str) and necrosis.strip().casefold() in _NECROSIS:
        # "unknown" and blank are left out: the engine reads a missing necrosis as unknown.
        known = _NECROSIS[necrosis.strip().casefold()]
        if known is not None:
            inputs[NECROSIS_KEY] = known
    elif necrosis is not None:
        inputs[NECROSIS_KEY] = necrosis  # the engine rejects it with a `necrosis` error
    return inputs
