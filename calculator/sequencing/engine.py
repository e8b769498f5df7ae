"""The walk: follow the tree from its root with the answers given, collecting what each step
recommends, until an outcome is reached or an answer is missing.

All clinical logic lives in calculator/data/tree.toml; this module only interprets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calculator.sequencing.answers import AnswerError, Answers, read_answers
from calculator.sequencing.conditions import Env, applies, matches
from calculator.sequencing.contract import ACTIVE_CATEGORIES, OFFERED, PREFERENCES, PRIOR_KEY
from calculator.sequencing.model import Branch, Recommendation, SourceRef, Step, Tree
from calculator.sequencing.result import (
    AdviceResult,
    ChoiceResult,
    NextQuestion,
    OptionResult,
    PointerResult,
    SequenceError,
    SequenceResult,
    SourceResult,
)
from calculator.sequencing.tree import AIMS, load_tree

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
    env = Env({**answers.computed, PRIOR_KEY: answers.prior}, tree.facts)
    path: list[str] = []
    pathway: str | None = None
    candidates: list[_Candidate] = []
    advice: list[str] = []
    step: Step | None = tree.step(tree.root)
    for _ in range(len(tree.steps) + 1):  # the tree is loop-free (checked on load)
        assert step is not None
        if step.key is not None:
            if step.key in answers.values:
                env.set(step.key, answers.values[step.key])
            elif _ending_branch(step, env) is None:
                return SequenceResult(
                    status="needs_input",
                    pathway=pathway,
                    path=tuple(path),
                    next_question=_question(step),
                    # The grade found from indices shows while the walk goes on (issue 23).
                    grading=answers.grading,
                )
        path.append(step.id)
        for rec in step.recommendations:
            if not applies(rec.when, rec.unless, env):
                continue
            if _failed_before(tree, rec.option, answers.prior) and not rec.even_if_prior:
                continue  # the disease already progressed on it (or on the same drug)
            candidates.append(_Candidate(len(candidates), rec, step.id))
        advice += [a.id for a in step.advice if applies(a.when, a.unless, env)]
        branch = next(b for b in step.branches if matches(b.when, env))
        pathway = branch.pathway or pathway
        if branch.next is not None:
            step = tree.step(branch.next)
            continue
        options = _merge(tree, candidates)
        advice += _rule_advice(tree, options, env)
        pointer = None
        if branch.outcome == "out_of_scope" and branch.pointer is not None:
            page = tree.pointers[branch.pointer]
            pointer = PointerResult(page.page, branch.reason or page.title)
        return SequenceResult(
            status=str(branch.outcome),
            pathway=pathway,
            path=tuple(path),
            options=options,
            advice=tuple(
                AdviceResult(
                    a, tree.advice[a].text, tuple(_source(tree, r) for r in tree.advice[a].sources)
                )
                for a in dict.fromkeys(advice)
            ),
            pointer=pointer,
            grading=answers.grading,
        )
    raise RuntimeError("the tree walk did not end")  # unreachable: the tree is loop-free


def _ending_branch(step: Step, env: Env) -> Branch | None:
    """A branch that ends the walk whatever the step's own answer would be (it does not test
    it), and already matches: the question need not be asked. Example: the grading engine
    found a tumour that is mostly non-neuroendocrine, so the grade question is moot."""
    assert step.key is not None
    for branch in step.branches:
        if branch.outcome is None or branch.when is None or step.key in branch.when.clauses:
            continue
        if matches(branch.when, env):
            return branch
    return None


def _failed_before(tree: Tree, option: str, prior: frozenset[str]) -> bool:
    return option in prior or not prior.isdisjoint(tree.options[option].not_after)


def _rule_advice(tree: Tree, options: tuple[OptionResult, ...], env: Env) -> list[str]:
    """Advice attached by [[advice_rules]]: with an offered option, or when too few are left."""
    offered = {o.id for o in options if o.preference != "not_recommended"}
    active = sum(1 for o in options if is_active(tree, o))
    out = []
    for rule in tree.advice_rules:
        if not matches(rule.when, env):
            continue
        if rule.fewer_active_than is not None:
            if active < rule.fewer_active_than:
                out.append(rule.advice)
        elif offered.intersection(rule.with_options):
            out.append(rule.advice)
    return out


def is_active(tree: Tree, option: OptionResult) -> bool:
    """An active treatment for the tumour itself (Revision 2, rule 6): of an active category and
    offered for tumour control, at its shown level or a weaker one (a hormone-only SSA or a PPI
    does not count)."""
    if tree.options[option.id].category not in ACTIVE_CATEGORIES:
        return False
    if option.preference in OFFERED and "tumour_control" in option.aims:
        return True
    return any(aim == "tumour_control" for aim, _ in option.also)


def _source(tree: Tree, ref: SourceRef) -> SourceResult:
    source = tree.sources[ref.id]
    return SourceResult(source.id, source.title, source.kind, source.date, ref.section)


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
    out = []
    for _, _, c in chosen:
        group = groups[c.rec.option]
        # What the shown preference is for: the aims of every entry at that same level (a
        # weaker entry for another aim does not borrow the stronger entry's preference).
        aims = {g.rec.aim for g in group if g.rec.preference == c.rec.preference}
        also = []
        for aim in AIMS:
            weaker = [g for g in group if g.rec.aim == aim and g.rec.preference in OFFERED]
            if aim not in aims and weaker:
                best = min(weaker, key=lambda g: (_RANK[g.rec.preference], g.order))
                also.append((aim, best.rec.preference))
        scope = tree.sources[c.rec.source.id].grade_scope if c.rec.strength else None
        out.append(
            OptionResult(
                id=c.rec.option,
                name=tree.options[c.rec.option].name,
                preference=c.rec.preference,
                strength=c.rec.strength,
                rationale=c.rec.rationale,
                evidence=c.rec.evidence,
                step=c.step,
                newer=c.rec.newer,
                aims=tuple(a for a in AIMS if a in aims),
                strength_scope=scope.text if scope else None,
                source=_source(tree, c.rec.source),
                also=tuple(also),
            )
        )
    return tuple(out)
