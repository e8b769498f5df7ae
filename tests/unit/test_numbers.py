"""Reading user-typed numbers into exact fractions (calculator.user_numbers)."""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

import pytest

from calculator.user_numbers import (
    ECHO_CHARS,
    FieldError,
    NumberError,
    echo,
    parse_field,
    parse_number,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", Fraction(12)),
        (" 7 ", Fraction(7)),
        ("\t7\n", Fraction(7)),
        ("12,5", Fraction(25, 2)),
        ("12.5", Fraction(25, 2)),
        (".5", Fraction(1, 2)),
        (",5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("+3", Fraction(3)),
        ("0", Fraction(0)),
        ("-0", Fraction(0)),
        ("007", Fraction(7)),
        ("2.99", Fraction(299, 100)),
        ("0,125", Fraction(1, 8)),
        ("1234", Fraction(1234)),
        ("12,50", Fraction(25, 2)),
        (12, Fraction(12)),
        (0.24, Fraction(24, 100)),
        (0.1, Fraction(1, 10)),
        (20.01, Fraction(2001, 100)),
        (Decimal("3.5"), Fraction(7, 2)),
        (Fraction(1, 3), Fraction(1, 3)),
    ],
)
def test_accepted_spellings_are_exact(typed: object, expected: Fraction) -> None:
    assert parse_number(typed) == expected


def test_float_becomes_its_shortest_decimal_not_its_binary_value() -> None:
    # The binary float 0.24 is 0.2399999999999999911...; the user meant 24/100.
    assert parse_number(0.24) != Fraction(0.24)
    assert parse_number(0.24) == Fraction(6, 25)
    assert parse_number(0.1) + parse_number(0.2) == Fraction(3, 10)


@pytest.mark.parametrize(
    "typed",
    [
        "NaN",
        "nan",
        "-nan",
        "Infinity",
        "infinity",
        "-Infinity",
        "+inf",
        "INF",
        "iNf",
        "∞",
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
    ],
)
def test_non_finite_in_any_spelling_is_refused(typed: object) -> None:
    with pytest.raises(NumberError, match="finite"):
        parse_number(typed)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("\u0661\u0662", "digits other than 0-9"),  # Arabic-Indic twelve: refuse, never convert
        ("\uff11\uff12", "digits other than 0-9"),  # full-width digits
        ("1,000,000", "more than one separator"),
        ("1.000,5", "more than one separator"),
        ("1,000.5", "more than one separator"),
        ("1,500", "ambiguous"),
        ("12,500", "ambiguous"),
        ("1 000", "spaces"),
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("2.5e-1", "exponent"),
        ("", "empty"),
        ("   ", "empty"),
        ("-3", "negative"),
        ("\u22123", "negative"),  # typographic minus sign
        ("- 3", "negative"),
        ("twelve", "not a number"),
        ("12abc", "not a number"),
        ("1..2", "more than one separator"),
        (".", "not a number"),
        ("+", "not a number"),
        ("0x10", "not a number"),
        ("1_000", "not a number"),
        ("12%", "not a number"),  # a percent sign only where allowed
        (True, "yes/no"),
        (False, "yes/no"),
        (None, "missing"),
        ([12], "must be a number"),
        ({"value": 12}, "must be a number"),
        (-1, "negative"),
        (-0.5, "negative"),
        (10**13, "implausibly large"),
        ("9" * 40, "implausibly large"),
    ],
)
def test_refused_spellings_say_why(typed: object, reason: str) -> None:
    with pytest.raises(NumberError, match=reason):
        parse_number(typed)


def test_percent_sign_accepted_only_when_asked() -> None:
    assert parse_number("12 %", allow_percent_sign=True) == 12
    assert parse_number("12,5%", allow_percent_sign=True) == Fraction(25, 2)
    with pytest.raises(NumberError):
        parse_number("12 %")


def test_comma_with_other_than_three_decimals_is_a_decimal_comma() -> None:
    assert parse_number("1,5") == Fraction(3, 2)
    assert parse_number("1,5000") == Fraction(3, 2)
    assert parse_number("1234,567") == Fraction(1234567, 1000)


def test_a_very_long_string_fails_fast_without_echoing_it() -> None:
    for text in ("1" * 10_000, "x" * 10_000, " " * 5000 + "1" * 10_000, "\u0661" * 10_000):
        start = time.perf_counter()
        with pytest.raises(NumberError) as info:
            parse_number(text)
        assert time.perf_counter() - start < 0.5
        assert len(str(info.value)) < 200


def test_echo_truncates_long_text() -> None:
    shown = echo("y" * 1000)
    assert len(shown) <= ECHO_CHARS + 3
    assert shown.endswith('…"')
    assert echo("short") == '"short"'
    assert echo(None) == "nothing (null)"
    assert echo(True) == "true"
    assert echo([1, 2]) == "a list"


def test_parse_field_names_the_field_and_applies_its_rules() -> None:
    assert parse_field("mitoses.count", "3.0", whole=True) == 3
    with pytest.raises(FieldError) as info:
        parse_field("mitoses.count", "2.5", whole=True)
    assert info.value.field == "mitoses.count"
    assert "whole number" in info.value.message
    with pytest.raises(FieldError, match="greater than zero"):
        parse_field("mitoses.hpf", "0", positive=True)
    assert parse_field("mitoses.hpf", "1", positive=True) == 1
    with pytest.raises(FieldError, match="cannot be over 100"):
        parse_field("ki67_percent", "100.01", maximum=100)
    assert parse_field("ki67_percent", "100", maximum=100) == 100
    with pytest.raises(FieldError) as info:
        parse_field("ki67_percent", "abc")
    assert info.value.message.startswith("Ki-67 (%)")
