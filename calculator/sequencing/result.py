"""The sequencing result and its JSON form (shared/spec/sequencing.md, "Result")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calculator.version import ENGINE_VERSION


@dataclass(frozen=True)
class OptionResult:
    id: str
    name: str
    preference: str
    strength: str | None
    rationale: str
    evidence: tuple[str, ...]
    step: str
    newer: bool
    aims: tuple[str, ...] = ("tumour_control",)
    strength_scope: str | None = None  # whom the source's grade covers, when a strength is shown
    source: SourceResult | None = None
    # The same option offered for another aim at a weaker level (e.g. preferred for hormone
    # control, only "consider" for tumour control): (aim, preference) pairs.
    also: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "preference": self.preference,
            "strength": self.strength,
            "strength_scope": self.strength_scope,
            "rationale": self.rationale,
            "evidence": list(self.evidence),
            "step": self.step,
            "newer": self.newer,
            "aims": list(self.aims),
            "also": [{"aim": aim, "preference": pref} for aim, pref in self.also],
            "source": None if self.source is None else self.source.to_dict(),
        }


@dataclass(frozen=True)
class SourceResult:
    """Where a recommendation or an advice comes from, named as a reader would look it up."""

    id: str
    title: str
    kind: str
    date: str
    section: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "date": self.date,
            "section": self.section,
        }


@dataclass(frozen=True)
class AdviceResult:
    id: str
    text: str
    sources: tuple[SourceResult, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "sources": [s.to_dict() for s in self.sources]}


@dataclass(frozen=True)
class ChoiceResult:
    value: str
    label: str


@dataclass(frozen=True)
class NextQuestion:
    key: str
    step: str
    text: str
    choices: tuple[ChoiceResult, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "step": self.step,
            "text": self.text,
            "choices": [{"value": c.value, "label": c.label} for c in self.choices],
        }


@dataclass(frozen=True)
class SequenceError:
    field: str
    message: str


@dataclass(frozen=True)
class PointerResult:
    page: str
    reason: str


@dataclass(frozen=True)
class SequenceResult:
    """What the walk found. `to_dict()` is the contract's JSON object plus engine_version."""

    status: str
    pathway: str | None = None
    path: tuple[str, ...] = ()
    next_question: NextQuestion | None = None
    options: tuple[OptionResult, ...] = ()
    advice: tuple[AdviceResult, ...] = ()
    error: SequenceError | None = None
    pointer: PointerResult | None = None
    grading: Mapping[str, object] | None = None  # the grading engine's result, if it graded
    engine_version: str = ENGINE_VERSION

    def to_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "pathway": self.pathway,
            "path": list(self.path),
            "next_question": None if self.next_question is None else self.next_question.to_dict(),
            "options": [o.to_dict() for o in self.options],
            "advice": [a.to_dict() for a in self.advice],
            "error": (
                None
                if self.error is None
                else {"field": self.error.field, "message": self.error.message}
            ),
            "pointer": (
                None
                if self.pointer is None
                else {"page": self.pointer.page, "reason": self.pointer.reason}
            ),
            "grading": None if self.grading is None else dict(self.grading),
            "engine_version": self.engine_version,
        }
