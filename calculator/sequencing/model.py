"""Typed, read-only view of the tree data (what the engine walks and the page renderer shows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interval:
    """Where a number is known to lie: a point (12 %), or what a report gave as a bound
    ("<3 %" is [0, 3), ">55 %" is (55, 100])."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(x, x)


@dataclass(frozen=True)
class NumRange:
    """A numeric test: min/max inclusive, below/above strict. Unset bounds are ignored.

    An interval matches only when every value in it passes: a bound that straddles the test
    ("> 20 %" against "at most 55 %") does not decide it either way."""

    min: float | None = None
    max: float | None = None
    below: float | None = None
    above: float | None = None

    def contains(self, x: float) -> bool:
        return self.covers(Interval.point(x))

    def covers(self, v: Interval) -> bool:
        below, above = self.below, self.above
        return (
            (self.min is None or v.low >= self.min)
            and (self.max is None or v.high <= self.max)
            and (below is None or v.high < below or (v.high_open and v.high == below))
            and (above is None or v.low > above or (v.low_open and v.low == above))
        )


Clause = tuple[str, ...] | NumRange


@dataclass(frozen=True)
class Condition:
    """`when = {key = [values], ...}`: every clause must match (AND); values are OR."""

    clauses: Mapping[str, Clause]

    def keys(self) -> tuple[str, ...]:
        return tuple(self.clauses)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class SourceRef:
    id: str
    section: str


@dataclass(frozen=True)
class Branch:
    """Where the walk goes: `next` step, or an `outcome` (complete | out_of_scope)."""

    when: Condition | None
    next: str | None = None
    outcome: str | None = None
    pointer: str | None = None
    reason: str | None = None
    pathway: str | None = None


@dataclass(frozen=True)
class Recommendation:
    option: str
    preference: str
    rationale: str
    source: SourceRef
    strength: str | None = None
    evidence: tuple[str, ...] = ()
    newer: bool = False
    when: Condition | None = None
    unless: Condition | None = None
    even_if_prior: bool = False
    aim: str = "tumour_control"  # or "hormone_control": what the option is offered for here


@dataclass(frozen=True)
class StepAdvice:
    id: str
    when: Condition | None = None
    unless: Condition | None = None


@dataclass(frozen=True)
class Step:
    """One node. `key` is None for a result step that only gives recommendations."""

    id: str
    pathway: str
    title: str
    key: str | None
    question: str | None
    choices: tuple[Choice, ...]
    branches: tuple[Branch, ...]
    recommendations: tuple[Recommendation, ...]
    advice: tuple[StepAdvice, ...] = ()
    note: str | None = None
    source: SourceRef | None = None


@dataclass(frozen=True)
class Advice:
    id: str
    text: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class AdviceRule:
    """Advice given whenever one of `with_options` is offered (and `when` matches)."""

    advice: str
    with_options: tuple[str, ...] = ()
    when: Condition | None = None
    # Given instead when fewer than this many active treatments are offered (rule 6 of the
    # contract's Revision 2: a result that lists too few says so).
    fewer_active_than: int | None = None


@dataclass(frozen=True)
class FactRule:
    when: Condition | None
    value: str


@dataclass(frozen=True)
class Fact:
    id: str
    description: str
    values: tuple[str, ...]
    rules: tuple[FactRule, ...]
    label: str = ""
    value_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pointer:
    page: str
    title: str
    text: str


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    short_name: str
    category: str
    summary: str
    administration: str
    harms: tuple[str, ...]
    monitoring: tuple[str, ...]
    evidence: tuple[str, ...]
    sources: tuple[str, ...]
    expert_opinion: bool
    pathways: tuple[str, ...]
    # Options whose failure rules this one out too (the same drug under another id).
    not_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trial:
    id: str
    name: str
    therapies: tuple[str, ...]
    design: str
    status: str
    newer: bool
    year: int
    population: str
    arms: str
    primary_result: str
    citation: str
    doi: str | None = None
    pmid: str | None = None
    nct: str | None = None
    date: str | None = None  # ISO date of a newer trial's publication (or registry update)


@dataclass(frozen=True)
class GradeScope:
    """The population a source's graded suggestions cover (Revision 2, rule 1)."""

    text: str
    when: Condition
    by_option: Mapping[str, Condition] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str
    date: str
    newer: bool = False
    dates_note: str | None = None
    grades: tuple[str, ...] = ()
    grade_scope: GradeScope | None = None
    citation: str | None = None


@dataclass(frozen=True)
class Tree:
    """Everything the renderer needs: steps in file order plus the three catalogues."""

    root: str
    steps: tuple[Step, ...]
    options: Mapping[str, Option]
    trials: Mapping[str, Trial]
    sources: Mapping[str, Source]
    advice: Mapping[str, Advice]
    advice_rules: tuple[AdviceRule, ...]
    facts: Mapping[str, Fact]
    pointers: Mapping[str, Pointer]
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    steps_by_id: Mapping[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_by_id", {s.id: s for s in self.steps})

    def step(self, step_id: str) -> Step:
        return self.steps_by_id[step_id]
