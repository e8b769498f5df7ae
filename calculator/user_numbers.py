"""Read numbers the way clinicians type them, into exact fractions.

Named ``user_numbers`` (not ``numbers``) so it can never shadow the standard library's
``numbers`` module, which ``fractions`` itself imports.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

from calculator.grading_text import FIELD_TEXTS

# Longest number we read. Nobody types 40 characters of digits; the cap keeps a pasted
# 10,000-character string from costing anything and keeps messages short.
MAX_NUMBER_CHARS = 40

# Anything larger is not a real count or measurement, and it would overflow a float on output.
MAX_MAGNITUDE = 10**12

# How much of the user's text a message repeats back.
ECHO_CHARS = 40

_PLAIN = re.compile(r"\+?([0-9]*)(?:[.,]([0-9]*))?\Z")
_EXPONENT = re.compile(r"[+\-]?[0-9]*[.,]?[0-9]*[eE][+\-]?[0-9]*\Z")
# "1,500" may be 1.5 (decimal comma) or 1500 (thousands separator): refuse to guess.
_AMBIGUOUS_COMMA = re.compile(r"\+?[1-9][0-9]{0,2},[0-9]{3}\Z")
_MINUS_SIGNS = ("-", "\u2212", "\u2013", "\u2014", "\ufe63", "\uff0d")


class FieldError(ValueError):
    """Bad user input: the field path it concerns and a message a clinician understands."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NumberError(ValueError):
    """A value that is not an acceptable number; the text says why, without the field name."""


def echo(value: object) -> str:
    """A short, safe rendering of what the user gave, for use inside messages."""
    if isinstance(value, str):
        text = value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"
        return f'"{text}"'
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"
    kinds = {dict: "a group of values", list: "a list", tuple: "a list"}
    return kinds.get(type(value), f"a value of type {type(value).__name__}")


def parse_number(value: object, *, allow_percent_sign: bool = False) -> Fraction:
    """Return ``value`` as an exact Fraction, or raise NumberError with a readable reason.

    Accepted: JSON numbers (not booleans) and strings of ASCII digits with one optional
    decimal point or decimal comma ("12", " 7 ", "12,5", "12.5", ".5").
    Refused: NaN and infinities in any spelling, non-ASCII digits, thousands separators,
    exponents, empty text, booleans, negative numbers.
    """
    if isinstance(value, bool):
        # bool is a subclass of int in Python: check it first.
        raise NumberError(f"is {echo(value)}, a yes/no value, not a number")
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError("is not a finite number (NaN or infinity); enter a real number")
        # repr gives the shortest decimal that round-trips, so 0.24 becomes exactly 24/100.
        result = Fraction(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError("is not a finite number (NaN or infinity); enter a real number")
        result = Fraction(value)
    elif isinstance(value, Fraction):
        result = value
    elif isinstance(value, str):
        result = _parse_text(value, allow_percent_sign=allow_percent_sign)
    elif value is None:
        raise NumberError("is missing; enter a number")
    else:
        raise NumberError(f"must be a number, not {echo(value)}")
    if result < 0:
        raise NumberError(f"cannot be negative (got {_show(value)})")
    if result > MAX_MAGNITUDE:
        raise NumberError(f"is implausibly large (got {_show(value)}); check the value")
    return result


def _show(value: object) -> str:
    return echo(value) if isinstance(value, str) else echo(value).strip('"')


def _parse_text(raw: str, *, allow_percent_sign: bool) -> Fraction:
    text = raw.strip()
    if not text:
        raise NumberError("is empty; enter a number")
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberError(f"is too long to be a number ({len(text)} characters)")
    if allow_percent_sign and text.endswith("%"):
        text = text[:-1].rstrip()
    lowered = text.casefold()
    if "nan" in lowered or "inf" in lowered or "∞" in text:
        raise NumberError(f"is {echo(raw)}, not a finite number; enter a real number")
    if any(not ch.isascii() and (ch.isdigit() or unicodedata.category(ch) == "Nd") for ch in text):
        # Refuse rather than convert: a silent conversion hides a keyboard or paste problem.
        raise NumberError(f"contains digits other than 0-9 ({echo(raw)}); type Western digits")
    negative = text.startswith(_MINUS_SIGNS)
    body = text[1:].lstrip() if negative else text
    if _EXPONENT.match(body) and any(ch.isdigit() for ch in body):
        raise NumberError(f"is written with an exponent ({echo(raw)}); type the plain number")
    if any(ch.isspace() for ch in body):
        raise NumberError(f"contains spaces inside the number ({echo(raw)}); type digits only")
    if body.count(".") + body.count(",") > 1:
        raise NumberError(
            f"has more than one separator ({echo(raw)}); type it without thousands separators, "
            "with at most one decimal mark"
        )
    if _AMBIGUOUS_COMMA.match(body):
        raise NumberError(
            f"is ambiguous ({echo(raw)}): the comma may be a thousands separator or a decimal "
            "mark; type it without thousands separators (e.g. 1500 or 1.5)"
        )
    match = _PLAIN.match(body)
    if match is None or not any(ch.isdigit() for ch in body):
        raise NumberError(f"is not a number ({echo(raw)})")
    whole, frac = match.group(1), match.group(2) or ""
    result = Fraction(int(whole or "0")) + Fraction(int(frac or "0"), 10 ** len(frac))
    if negative and result != 0:
        raise NumberError(f"cannot be negative (got {echo(raw)})")
    return result


def parse_field(
    field: str,
    value: object,
    *,
    whole: bool = False,
    positive: bool = False,
    maximum: int | None = None,
    allow_percent_sign: bool = False,
) -> Fraction:
    """parse_number plus the per-field rules; errors name the field path."""
    try:
        result = parse_number(value, allow_percent_sign=allow_percent_sign)
    except NumberError as exc:
        raise FieldError(field, f"{_label(field)} {exc}.") from None
    if whole and result.denominator != 1:
        raise FieldError(
            field,
            f"{_label(field)} must be a whole number (got {_show(value)}); count whole units.",
        )
    if positive and result == 0:
        raise FieldError(field, f"{_label(field)} must be greater than zero.")
    if maximum is not None and result > maximum:
        raise FieldError(field, f"{_label(field)} cannot be over {maximum} (got {_show(value)}).")
    return result


def _label(field: str) -> str:
    """How messages name a field: "The mitotic count", "Ki-67 (%)" (grading_text.toml)."""
    text = FIELD_TEXTS.get(field)
    return field if text is None else text.subject
