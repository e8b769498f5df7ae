"""Generic evaluation of the tree's `when` conditions and facts against the answers so far."""

from __future__ import annotations

from collections.abc import Mapping

from calculator.sequencing.contract import PRIOR_KEY
from calculator.sequencing.model import Condition, Fact, Interval, NumRange


class Env:
    """The answers asked so far on this walk plus the computed values; facts are worked out on
    first use and kept until the next answer is added (a walk tests them many times)."""

    def __init__(self, values: Mapping[str, object], facts: Mapping[str, Fact]) -> None:
        self.values: dict[str, object] = dict(values)
        self.facts = facts
        self._known: dict[str, str] = {}

    def set(self, key: str, value: object) -> None:
        self.values[key] = value
        self._known.clear()

    def get(self, key: str) -> object:
        if key in self.facts:
            if key not in self._known:
                self._known[key] = fact_value(key, self)
            return self._known[key]
        return self.values.get(key)


def matches(cond: Condition | None, env: Env) -> bool:
    """True when every clause matches. None (no condition) always matches.

    A key missing from `env` (not asked on this path) never matches.
    """
    if cond is None:
        return True
    for key, clause in cond.clauses.items():
        value = env.get(key)
        if isinstance(clause, NumRange):
            ok = isinstance(value, Interval) and clause.covers(value)
        elif key == PRIOR_KEY:
            ok = isinstance(value, frozenset) and not value.isdisjoint(clause)
        else:
            ok = value in clause
        if not ok:
            return False
    return True


def fact_value(fid: str, env: Env) -> str:
    """The value of the first rule of the fact that matches (the last rule always does)."""
    fact = env.facts[fid]
    for rule in fact.rules:
        if matches(rule.when, env):
            return rule.value
    return fact.rules[-1].value


def applies(when: Condition | None, unless: Condition | None, env: Env) -> bool:
    return matches(when, env) and (unless is None or not matches(unless, env))
