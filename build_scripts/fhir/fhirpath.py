"""The tree's conditions (`when`, `unless`, facts) written as FHIRPath over the answer variables.

Every expression written here is total: it gives true or false, never an empty collection, so
`and`, `or`, `.not()` and `iif` combine them as the engine combines its tests (an answer not
given, or not asked on the path, never matches).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from build_scripts.fhir.naming import answer_var, fact_var, ref
from calculator.sequencing.contract import GRADING_CLASS, KI67_VALUE
from calculator.sequencing.model import Condition, Fact, NumRange

# Question linkIds of the values the grading calculator supplies (not asked by the tree).
KI67_ITEM = "ki67_percent"
KI67_BOUND_ITEM = "ki67_bound"
GRADING_CLASS_ITEM = GRADING_CLASS

# Ki-67 as the interval it is known to lie in: a value, or a bound ("<3" is [0, 3)).
KI67 = answer_var(KI67_ITEM)
KI67_BOUND = answer_var(KI67_BOUND_ITEM)
KI67_LOW, KI67_HIGH = "ki67-low", "ki67-high"
KI67_LOW_OPEN, KI67_HIGH_OPEN = "ki67-low-open", "ki67-high-open"
KI67_HELPERS: tuple[tuple[str, str], ...] = (
    (KI67_LOW, f"iif({ref(KI67_BOUND)} = 'below', 0, {ref(KI67)})"),
    (KI67_HIGH, f"iif({ref(KI67_BOUND)} = 'above', 100, {ref(KI67)})"),
    (KI67_LOW_OPEN, f"{ref(KI67_BOUND)}.exists($this = 'above')"),
    (KI67_HIGH_OPEN, f"{ref(KI67_BOUND)}.exists($this = 'below')"),
)


def literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def one_of(values: Iterable[str]) -> str:
    items = [literal(v) for v in values]
    return " or ".join(f"$this = {i}" for i in items)


def number(x: float) -> str:
    return f"{x:g}"


def var_for(key: str, facts: Mapping[str, Fact]) -> str:
    """The variable a condition key reads."""
    if key in facts:
        return fact_var(key)
    if key == GRADING_CLASS:
        return answer_var(GRADING_CLASS_ITEM)
    return answer_var(key)  # answer keys and `prior`


def ki67_covers(r: NumRange) -> str:
    """Every value Ki-67 may have (its interval) passes the numeric test."""
    low, high = ref(KI67_LOW), ref(KI67_HIGH)
    parts = []
    if r.min is not None:
        parts.append(f"{low} >= {number(r.min)}")
    if r.max is not None:
        parts.append(f"{high} <= {number(r.max)}")
    if r.below is not None:
        b = number(r.below)
        parts.append(f"({high} < {b} or ({ref(KI67_HIGH_OPEN)} and {high} = {b}))")
    if r.above is not None:
        a = number(r.above)
        parts.append(f"({low} > {a} or ({ref(KI67_LOW_OPEN)} and {low} = {a}))")
    return f"({ref(KI67)}.exists() and {' and '.join(parts)})"


def clause(key: str, values: object, facts: Mapping[str, Fact]) -> str:
    if isinstance(values, NumRange):
        if key != KI67_VALUE:
            raise ValueError(f"numeric test on {key!r}: only {KI67_VALUE} is numeric")
        return ki67_covers(values)
    assert isinstance(values, tuple)
    # `prior` is a list: it matches when any listed option is in it, as the engine reads it.
    return f"{ref(var_for(key, facts))}.exists({one_of(values)})"


def condition(cond: Condition | None, facts: Mapping[str, Fact]) -> str | None:
    """All clauses (AND); None for no condition (always true)."""
    if cond is None:
        return None
    return " and ".join(clause(k, v, facts) for k, v in cond.clauses.items())


def negated(expr: str | None) -> str | None:
    return None if expr is None else f"({expr}).not()"


def all_of(parts: Iterable[str | None]) -> str:
    present = [p for p in parts if p]
    return " and ".join(present) if present else "true"


def any_of(parts: Iterable[str]) -> str:
    items = list(parts)
    if not items:
        return "false"
    return items[0] if len(items) == 1 else " or ".join(f"({p})" for p in items)


def fact_expression(fact: Fact, facts: Mapping[str, Fact]) -> str:
    """The value of the first rule whose `when` matches (the last rule has no `when`)."""
    expr = literal(fact.rules[-1].value)
    for rule in reversed(fact.rules[:-1]):
        expr = f"iif({condition(rule.when, facts) or 'true'}, {literal(rule.value)}, {expr})"
    return expr


def keys_read(cond: Condition | None, facts: Mapping[str, Fact]) -> set[str]:
    """The answer keys a condition reads, through the facts it names."""
    out: set[str] = set()
    for key in cond.keys() if cond else ():
        if key in facts:
            for rule in facts[key].rules:
                out |= keys_read(rule.when, facts)
        else:
            out.add(key)
    return out
