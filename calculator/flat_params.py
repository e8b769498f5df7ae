"""Flat query-string parameters (as in a page URL) read into the grading contract's input.

The grade page (calculator.web) and the sequencing page (calculator.sequencing.params) use the
same dotted keys (ki67.positive_cells, mitoses.count, ...), so they are read here, once.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

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


# Bytes URLSearchParams leaves as they are (WHATWG application/x-www-form-urlencoded).
_URLENCODED_SAFE = frozenset((string.ascii_letters + string.digits + "*-._").encode())


def encode_query(pairs: Iterable[tuple[str, str]]) -> str:
    """A query string (without "?") written byte for byte as the browser's URLSearchParams
    writes one, so a link the engine builds is the link the page itself would show."""

    def encode(text: str) -> str:
        return "".join(
            chr(byte) if byte in _URLENCODED_SAFE else "+" if byte == 0x20 else f"%{byte:02X}"
            for byte in text.encode("utf-8")
        )

    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def flat_value(value: object) -> str:
    """One input value as the page's query string holds it (numbers as typed, yes/no as
    true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def grading_params(inputs: Mapping[str, object]) -> list[tuple[str, str]]:
    """The contract's grading input as flat, dotted parameters (the inverse of grade_inputs)."""
    pairs: list[tuple[str, str]] = []
    for key in PLAIN_KEYS:
        if present(inputs.get(key)):
            pairs.append((key, flat_value(inputs[key])))
    for group, keys in (("ki67", KI67_KEYS), ("mitoses", MITOSES_KEYS)):
        given = inputs.get(group)
        if isinstance(given, Mapping):
            pairs += [(f"{group}.{k}", flat_value(given[k])) for k in keys if present(given.get(k))]
    if inputs.get(NECROSIS_KEY) is not None:
        pairs.append((NECROSIS_KEY, flat_value(inputs[NECROSIS_KEY])))
    return pairs
