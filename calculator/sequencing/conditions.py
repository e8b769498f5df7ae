"""Generic evaluation of the tree's `when` conditions and facts against the answers so far."""

from __future__ import annotations

from collections.abc import Mapping

from calculator.sequencing.contract import PRIOR_KEY
from calculator.sequencing.model import Condition, Fact, NumRange


def matches(cond: Condition | None, env: Mapping[str, object], facts: Mapping[str, Fact]) -> bool:
    """True when every clause matches. None (no condition) always matches.

    A key missing from `env` (not asked on this path) never matches.
    """
    if cond is None:
        return True
    for key, clause in cond.clauses.items():
        value = fact_value(key, env, facts) if key in facts else env.get(key)
        if isinstance(clause, NumRange):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and clause.contains(float(value))  # type: ignore[arg-type]
        elif key == PRIOR_KEY:
            ok = isinstance(value, frozenset) and not value.isdisjoint(clause)
        else:
            ok = value in clause
        if not ok:
            return False
    return True


def fact_value(fid: str, env: Mapping[str, object], facts: Mapping[str, Fact]) -> str:
    """The value of the first rule of the fact that matches (the last rule always does)."""
    fact = facts[fid]
    for rule in fact.rules:
        if matches(rule.when, env, facts):
            return rule.value
    return fact.rules[-1].value


def applies(
    when: Condition | None,
    unless: Condition | None,
    env: Mapping[str, object],
    facts: Mapping[str, Fact],
) -> bool:
    return matches(when, env, facts) and (unless is None or not matches(unless, env, facts))
