"""The walk: follow the tree from its root with the answers given, collecting what each step
recommends, until an outcome is reached or an answer is missing.

All clinical logic lives in calculator/data/tree.toml; this module only interprets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calculator.sequencing.answers import AnswerError, Answers, read_answers
from calculator.sequencing.conditions import applies, matches
from calculator.sequencing.contract import PREFERENCES, PRIOR_KEY
from calculator.sequencing.model import Recommendation, Step, Tree
from calculator.sequencing.result import (
    AdviceResult,
    ChoiceResult,
    NextQuestion,
    OptionResult,
    PointerResult,
    SequenceError,
    SequenceResult,
)
from calculator.sequencing.tree import load_tree

_RANK = {p: i for i, p in enumerate(PREFERENCES)}
_RESTRICTIVE = ("not_recommended", "caution")  # these win over any positive preference


def sequence(answers: Mapping[str, object]) -> SequenceResult:
    """Walk the tree with `answers` (keys of shared/spec/sequencing.md). Never raises on bad
    answers: they give status "error" with the field."""
    try:
        read = read_answers(answers)
    except AnswerError as exc:
        return SequenceResult(status="error", error=SequenceError(exc.field, exc.message))
    return _walk(load_tree(), read)


@dataclass(frozen=True)
class _Candidate:
    order: int
    rec: Recommendation
    step: str


def _walk(tree: Tree, answers: Answers) -> SequenceResult:
    env: dict[str, object] = dict(answers.computed)
    env[PRIOR_KEY] = answers.prior
    path: list[str] = []
    pathway: str | None = None
    candidates: list[_Candidate] = []
    advice: list[str] = []
    step: Step | None = tree.step(tree.root)
    for _ in range(len(tree.steps) + 1):  # the tree is loop-free (checked on load)
        assert step is not None
        if step.key is not None:
            if step.key not in answers.values:
                return SequenceResult(
                    status="needs_input",
                    pathway=pathway,
                    path=tuple(path),
                    next_question=_question(step),
                )
            env[step.key] = answers.values[step.key]
        path.append(step.id)
        for rec in step.recommendations:
            if not applies(rec.when, rec.unless, env, tree.facts):
                continue
            if rec.option in answers.prior and not rec.even_if_prior:
                continue  # the disease already progressed on it
            candidates.append(_Candidate(len(candidates), rec, step.id))
        advice += [a.id for a in step.advice if applies(a.when, a.unless, env, tree.facts)]
        branch = next(b for b in step.branches if matches(b.when, env, tree.facts))
        pathway = branch.pathway or pathway
        if branch.next is not None:
            step = tree.step(branch.next)
            continue
        options = _merge(tree, candidates)
        offered = {o.id for o in options if o.preference != "not_recommended"}
        for rule in tree.advice_rules:
            if offered.intersection(rule.with_options) and matches(rule.when, env, tree.facts):
                advice.append(rule.advice)
        pointer = None
        if branch.outcome == "out_of_scope" and branch.pointer is not None:
            page = tree.pointers[branch.pointer]
            pointer = PointerResult(page.page, branch.reason or page.title)
        return SequenceResult(
            status=str(branch.outcome),
            pathway=pathway,
            path=tuple(path),
            options=options,
            advice=tuple(AdviceResult(a, tree.advice[a].text) for a in dict.fromkeys(advice)),
            pointer=pointer,
        )
    raise RuntimeError("the tree walk did not end")  # unreachable: the tree is loop-free


def _question(step: Step) -> NextQuestion:
    assert step.key is not None and step.question is not None
    return NextQuestion(
        key=step.key,
        step=step.id,
        text=step.question,
        choices=tuple(ChoiceResult(c.value, c.label) for c in step.choices),
    )


def _merge(tree: Tree, candidates: list[_Candidate]) -> tuple[OptionResult, ...]:
    """One entry per option: not_recommended, then caution, win; otherwise the strongest
    preference, a graded entry before an ungraded one, the earlier before the later."""
    groups: dict[str, list[_Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.rec.option, []).append(c)
    chosen: list[tuple[int, int, _Candidate]] = []
    for group in groups.values():
        pick = None
        for level in _RESTRICTIVE:
            pick = next((c for c in group if c.rec.preference == level), None)
            if pick:
                break
        if pick is None:
            pick = min(
                group, key=lambda c: (_RANK[c.rec.preference], c.rec.strength is None, c.order)
            )
        chosen.append((_RANK[pick.rec.preference], group[0].order, pick))
    chosen.sort(key=lambda t: (t[0], t[1]))
    return tuple(
        OptionResult(
            id=c.rec.option,
            name=tree.options[c.rec.option].name,
            preference=c.rec.preference,
            strength=c.rec.strength,
            rationale=c.rec.rationale,
            evidence=c.rec.evidence,
            step=c.step,
            newer=c.rec.newer,
        )
        for _, _, c in chosen
    )
