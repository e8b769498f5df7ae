"""The sequencing tree as one FHIR PlanDefinition whose FHIRPath gives the calculator's answers.

How it is read (also in the PlanDefinition's `usage` and on the developers' page):
1. The answers come as a QuestionnaireResponse to the bundle's Questionnaire; it is the context
   of every expression.
2. The `variable` extensions on the PlanDefinition are evaluated in order, each seeing the ones
   before it: the answers, the Ki-67 interval, the facts, whether each step is on the path
   (`step.<id>`), whether each recommendation entry applies (`entry.<action id>`), which entry
   is shown for each option (`option.<id>`, the merge), the position by which options of one
   level are listed (`position.<id>`), whether it is listed at a level other than not
   recommended (`listed.<id>`) and which options count as active treatments (`active.<id>`).
3. An action applies when its parent applies and its applicability condition is true. The
   applicable step actions are the path; their applicable option actions are the options (one
   per option); the applicable advice actions, in document order, are the advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from build_scripts.fhir import fhirpath as fp
from build_scripts.fhir.naming import (
    CONTENT_LICENCE,
    CS_DIRECTION,
    CS_PLAN_TYPE,
    CS_QUALITY,
    CS_STRENGTH,
    EXT_CAPABILITY,
    EXT_DIRECTION,
    EXT_PREFERENCE,
    EXT_QUALITY,
    EXT_RATIONALE,
    EXT_STRENGTH,
    EXT_VARIABLE,
    FHIRPATH,
    PLAN_ID,
    PROFILE_PLAN,
    PUBLISHER,
    active_var,
    answer_var,
    code_system,
    entry_var,
    fact_var,
    fhir_id,
    identifier_system,
    listed_var,
    option_var,
    position_var,
    provenance,
    ref,
    step_var,
    url,
)
from calculator.sequencing.contract import (
    ACTIVE_CATEGORIES,
    ANSWER_VALUES,
    OFFERED,
    PREFERENCES,
    PRIOR_KEY,
)
from calculator.sequencing.model import Branch, Condition, Recommendation, Step, Tree
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

RANK = {p: i for i, p in enumerate(PREFERENCES)}
RESTRICTIVE = ("not_recommended", "caution")  # these win the merge, as in the engine

# The source's grades (seed 004 uses the GRADE-style 1/2 and A/B/C scale): the number is the
# strength of the recommendation, the letter the quality of the evidence.
STRENGTH_CODES: Mapping[str, tuple[str, str]] = {
    "2B": ("weak", "moderate"),
    "2C": ("weak", "low"),
}

# Where a rule of the engine is not written in FHIRPath, the step's description says so and
# the equivalence test lists it (tests/unit/test_fhir_equivalence.py).
NOT_IN_FHIRPATH: Mapping[str, str] = {
    "grade": (
        "Not expressed in FHIRPath: grading from Ki-67 and mitoses, and the check that a given "
        "grade agrees with them, are the grading calculator's (its JSON Schema is published "
        "beside this bundle). The answers carry its results: the grade, the Ki-67 % (and "
        "whether it was a bound) and the WHO class."
    ),
}

_REF = re.compile(r"%(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))")


class ExportError(ValueError):
    """The tree holds something this export cannot write faithfully."""


@dataclass(frozen=True)
class Entry:
    action_id: str
    step: Step
    rec: Recommendation
    order: int  # the engine's candidate order (path order, then file order within a step)


def expression(text: str, name: str | None = None) -> dict[str, str]:
    out = {"language": FHIRPATH, "expression": text}
    if name is not None:
        out = {"name": name, **out}
    return out


def references(text: str) -> list[str]:
    """The variables an expression reads."""
    return [a or b for a, b in _REF.findall(text)]


def topological(tree: Tree) -> list[str]:
    """Steps so that each comes after every step that leads to it (the order on any path)."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(sid: str) -> None:
        if sid in seen:
            return
        seen.add(sid)
        for b in tree.step(sid).branches:
            if b.next is not None:
                visit(b.next)
        out.append(sid)

    visit(tree.root)
    return list(reversed(out))


def entries(tree: Tree, order: list[str]) -> list[Entry]:
    out: list[Entry] = []
    for sid in order:
        step = tree.step(sid)
        seen: dict[str, int] = {}
        for rec in step.recommendations:
            seen[rec.option] = seen.get(rec.option, 0) + 1
            n = seen[rec.option]
            action_id = f"{sid}.{rec.option}" + (f".{n}" if n > 1 else "")
            out.append(Entry(action_id, step, rec, len(out)))
    return out


def _merge_order(group: list[Entry]) -> list[Entry]:
    """The entries of one option, the one the engine shows first: not_recommended, then caution
    (earliest first), then by preference, a graded entry first, the earlier first."""

    def key(e: Entry) -> tuple[int, int, bool, int]:
        pref = e.rec.preference
        if pref in RESTRICTIVE:
            return (RESTRICTIVE.index(pref), 0, False, e.order)
        return (len(RESTRICTIVE), RANK[pref], e.rec.strength is None, e.order)

    return sorted(group, key=key)


class PlanBuilder:
    """Collects the variables (in an order where each follows what it reads) and the actions."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.order = topological(tree)
        self.entries = entries(tree, self.order)
        self.by_option: dict[str, list[Entry]] = {}
        for e in self.entries:
            self.by_option.setdefault(e.rec.option, []).append(e)
        self.variables: dict[str, str] = {}
        self.gated = self._gated_keys()
        self._answer_variables()
        self._logic_variables()

    # ------------------------------------------------------------------ answers
    def _conditions_at(self, step: Step) -> Iterator[Condition | None]:
        yield from (b.when for b in step.branches)
        for rec in step.recommendations:
            yield rec.when
            yield rec.unless
        for adv in step.advice:
            yield adv.when
            yield adv.unless

    def _gated_keys(self) -> dict[str, tuple[str, ...]]:
        """Answer keys that a condition may read where the walk has not asked them: those are
        read only when a step asking them is on the path (the engine ignores an answer to a
        question it did not ask). Values: the steps that ask the key."""
        tree, facts = self.tree, self.tree.facts
        asks: dict[str, list[str]] = {}
        for sid in self.order:
            key = tree.step(sid).key
            if key is not None:
                asks.setdefault(key, []).append(sid)
        always: dict[str, set[str]] = {tree.root: set()}  # asked on every path before a step
        below: dict[str, set[str]] = {}  # steps after a step
        for sid in reversed(self.order):
            nxt = [b.next for b in tree.step(sid).branches if b.next]
            below[sid] = set(nxt).union(*(below[n] for n in nxt))
        gated: set[str] = set()
        for sid in self.order:
            step = tree.step(sid)
            known = always[sid] | ({step.key} if step.key else set())
            for nxt in {b.next for b in step.branches if b.next}:
                always[nxt] = always[nxt] & known if nxt in always else set(known)
            read = set().union(*(fp.keys_read(c, facts) for c in self._conditions_at(step)))
            for key in sorted(read & set(ANSWER_VALUES) - known):
                later = below[sid].intersection(asks[key])
                if later:
                    raise ExportError(
                        f"step {sid!r} reads {key!r}, which a later step ({sorted(later)}) asks: "
                        "an answer variable cannot stand for both"
                    )
                gated.add(key)
            if any(b.outcome for b in step.branches):
                # Advice rules read the answers asked by the end of the walk.
                for rule in tree.advice_rules:
                    gated |= fp.keys_read(rule.when, facts) & set(ANSWER_VALUES) - known
        return {k: tuple(asks[k]) for k in sorted(gated)}

    def _answer_variables(self) -> None:
        for key in ANSWER_VALUES:
            raw = f"item.where(linkId = {fp.literal(key)}).answer.value.code"
            if key in self.gated:
                asked = fp.any_of(ref(step_var(s)) for s in self.gated[key])
                raw = f"iif({asked}, {raw}, {{}})"
            self.variables[answer_var(key)] = raw
        self.variables[answer_var(PRIOR_KEY)] = (
            f"item.where(linkId = {fp.literal(PRIOR_KEY)}).answer.value.code"
        )
        self.variables[fp.KI67] = f"item.where(linkId = {fp.literal(fp.KI67_ITEM)}).answer.value"
        for item in (fp.KI67_BOUND_ITEM, fp.GRADING_CLASS_ITEM):
            self.variables[answer_var(item)] = (
                f"item.where(linkId = {fp.literal(item)}).answer.value.code"
            )
        self.variables.update(fp.KI67_HELPERS)

    # ------------------------------------------------------------------ logic
    def cond(self, c: Condition | None) -> str | None:
        return fp.condition(c, self.tree.facts)

    def branch_taken(self, step: Step, j: int) -> str:
        """Branch j is the first whose `when` matches (without the step's own variable)."""
        earlier = [fp.negated(self.cond(b.when)) for b in step.branches[:j]]
        return fp.all_of([self.cond(step.branches[j].when), *earlier])

    def _logic_variables(self) -> None:
        tree = self.tree
        for fid, fact in tree.facts.items():
            self.variables[fact_var(fid)] = fp.fact_expression(fact, tree.facts)
        incoming: dict[str, list[str]] = {sid: [] for sid in self.order}
        for sid in self.order:
            step = tree.step(sid)
            for j, b in enumerate(step.branches):
                if b.next is not None:
                    taken = self.branch_taken(step, j)
                    edge = ref(step_var(sid)) + ("" if taken == "true" else f" and {taken}")
                    incoming[b.next].append(edge)
        for sid in self.order:
            self.variables[step_var(sid)] = "true" if sid == tree.root else fp.any_of(incoming[sid])
        for e in self.entries:
            self.variables[entry_var(e.action_id)] = fp.all_of(
                [
                    ref(step_var(e.step.id)),
                    self.cond(e.rec.when),
                    fp.negated(self.cond(e.rec.unless)),
                    None if e.rec.even_if_prior else self._not_failed(e.rec.option),
                ]
            )
        for option, group in self.by_option.items():
            shown = "{}"
            for e in reversed(_merge_order(group)):
                shown = f"iif({ref(entry_var(e.action_id))}, {fp.literal(e.action_id)}, {shown})"
            self.variables[option_var(option)] = shown
            # The engine lists options of one level by their first applicable entry.
            first = "{}"
            for e in reversed(group):
                first = f"iif({ref(entry_var(e.action_id))}, {e.order}, {first})"
            self.variables[position_var(option)] = first
        for option in self.by_option:
            self.variables[listed_var(option)] = self._listed(option)
        for option in self.active_options():
            self.variables[active_var(option)] = self._active(option)

    def _not_failed(self, option: str) -> str:
        failed = (option, *self.tree.options[option].not_after)
        return f"{ref(answer_var(PRIOR_KEY))}.exists({fp.one_of(failed)}).not()"

    def active_options(self) -> list[str]:
        """Options that can count as an active treatment (Revision 2, rule 6)."""
        return [
            o
            for o, group in self.by_option.items()
            if self.tree.options[o].category in ACTIVE_CATEGORIES
            and any(e.rec.aim == "tumour_control" and e.rec.preference in OFFERED for e in group)
        ]

    def _active(self, option: str) -> str:
        """Offered for tumour control at its shown level, or at a weaker one beside it (the
        engine's `also`); not when the shown entry is restrictive and itself for tumour
        control."""
        group = self.by_option[option]
        tumour = [e for e in group if e.rec.aim == "tumour_control"]
        offered = fp.any_of(
            ref(entry_var(e.action_id)) for e in tumour if e.rec.preference in OFFERED
        )
        blocked = []
        for level in RESTRICTIVE:
            shown_at = [e.action_id for e in group if e.rec.preference == level]
            same = [ref(entry_var(e.action_id)) for e in tumour if e.rec.preference == level]
            if shown_at and same:
                blocked.append(
                    f"{ref(option_var(option))}.exists({fp.one_of(shown_at)}) "
                    f"and ({fp.any_of(same)})"
                )
        if not blocked:
            return offered
        return f"({offered}) and ({fp.any_of(blocked)}).not()"

    def _listed(self, option: str) -> str:
        """The option is listed at a level other than not_recommended (advice rules read it)."""
        ids = [e.action_id for e in self.by_option[option] if e.rec.preference != "not_recommended"]
        return f"{ref(option_var(option))}.exists({fp.one_of(ids)})" if ids else "false"

    def offered(self, option: str) -> str | None:
        return ref(listed_var(option)) if option in self.by_option else None

    # ------------------------------------------------------------------ variables, ordered
    def ordered_variables(self) -> list[tuple[str, str]]:
        """Each variable after every variable it reads (stable otherwise)."""
        names = list(self.variables)
        placed: dict[str, None] = {}
        visiting: set[str] = set()

        def place(name: str) -> None:
            if name in placed:
                return
            if name in visiting:
                raise ExportError(f"variable {name!r} depends on itself")
            visiting.add(name)
            for dep in references(self.variables[name]):
                if dep not in self.variables:
                    raise ExportError(f"variable {name!r} reads {dep!r}, which is not defined")
                place(dep)
            visiting.discard(name)
            placed[name] = None

        for name in names:
            place(name)
        return [(n, self.variables[n]) for n in placed]


# ---------------------------------------------------------------------- resource


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _trial_docs(tree: Tree, trial_ids: Iterable[str]) -> list[dict[str, str]]:
    return [
        {
            "type": "citation",
            "display": tree.trials[t].name,
            "citation": tree.trials[t].citation,
            "resource": url("Citation", fhir_id(t)),
        }
        for t in trial_ids
    ]


def _source_doc(tree: Tree, source_id: str, section: str) -> dict[str, str]:
    source = tree.sources[source_id]
    return {
        "type": "justification",
        "label": source_id,
        "display": f"{source.title} ({source.kind}, {source.date}): {section}",
    }


def _entry_action(tree: Tree, e: Entry) -> dict[str, object]:
    rec, option = e.rec, tree.options[e.rec.option]
    labels = tree.labels.get("preferences", {})
    ext: list[dict[str, object]] = [
        {
            "url": EXT_PREFERENCE,
            "valueCoding": _coding(
                code_system("preference"), rec.preference, labels.get(rec.preference)
            ),
        },
        {
            "url": EXT_DIRECTION,
            "valueCodeableConcept": {
                "coding": [
                    _coding(
                        CS_DIRECTION, "against" if rec.preference == "not_recommended" else "for"
                    )
                ]
            },
        },
    ]
    description = rec.rationale
    if rec.strength is not None:
        strength, quality = STRENGTH_CODES[rec.strength]
        ext.append(
            {
                "url": EXT_STRENGTH,
                "valueCodeableConcept": {
                    "coding": [
                        _coding(CS_STRENGTH, strength),
                        _coding(code_system("source-grade"), rec.strength),
                    ],
                    "text": rec.strength,
                },
            }
        )
        ext.append(
            {
                "url": EXT_QUALITY,
                "valueCodeableConcept": {"coding": [_coding(CS_QUALITY, quality)]},
            }
        )
        scope = tree.sources[rec.source.id].grade_scope
        if scope is not None:
            description += f" The source's grade ({rec.strength}) covers {scope.text}."
    ext.append({"url": EXT_RATIONALE, "valueMarkdown": rec.rationale})
    aims = tree.labels.get("aims", {})
    return {
        "id": e.action_id,
        "extension": ext,
        "title": option.name,
        "description": description,
        "code": [{"coding": [_coding(code_system("option"), option.id, option.name)]}],
        "reason": [{"coding": [_coding(code_system("aim"), rec.aim, aims.get(rec.aim))]}],
        "documentation": [
            _source_doc(tree, rec.source.id, rec.source.section),
            *_trial_docs(tree, rec.evidence),
        ],
        "condition": [
            {
                "kind": "applicability",
                "expression": expression(
                    f"{ref(option_var(rec.option))} = {fp.literal(e.action_id)}"
                ),
            }
        ],
        "definitionCanonical": url("ActivityDefinition", fhir_id(option.id)),
    }


def _advice_action(
    tree: Tree, action_id: str, advice_id: str, condition: str | None
) -> dict[str, object]:
    advice = tree.advice[advice_id]
    out: dict[str, object] = {
        "id": action_id,
        "title": advice_id.replace("_", " "),
        "textEquivalent": advice.text,
        "code": [{"coding": [_coding(code_system("advice"), advice_id)]}],
        "documentation": [_source_doc(tree, s.id, s.section) for s in advice.sources],
    }
    if condition is not None and condition != "true":
        out["condition"] = [{"kind": "applicability", "expression": expression(condition)}]
    return out


def _outcome_action(plan: PlanBuilder, step: Step, j: int, branch: Branch) -> dict[str, object]:
    tree = plan.tree
    out: dict[str, object] = {
        "id": f"{step.id}.end.{j + 1}",
        "title": branch.outcome.replace("_", " ") if branch.outcome else "",
        "code": [{"coding": [_coding(code_system("outcome"), str(branch.outcome))]}],
    }
    if branch.pointer is not None:
        page = tree.pointers[branch.pointer]
        out["title"] = page.title
        out["description"] = branch.reason or page.text
        out["documentation"] = [
            {
                "type": "documentation",
                "label": branch.pointer,
                "display": page.title,
                "url": f"../{branch.pointer}/",
            }
        ]
    taken = plan.branch_taken(step, j)
    if taken != "true":
        out["condition"] = [{"kind": "applicability", "expression": expression(taken)}]
    return out


def _step_action(plan: PlanBuilder, sid: str) -> dict[str, object]:
    tree = plan.tree
    step = tree.step(sid)
    description = " ".join(x for x in (step.note, NOT_IN_FHIRPATH.get(sid)) if x)
    children: list[dict[str, object]] = [
        _entry_action(tree, e) for e in plan.entries if e.step.id == sid
    ]
    for adv in step.advice:
        cond = fp.all_of([plan.cond(adv.when), fp.negated(plan.cond(adv.unless))])
        children.append(_advice_action(tree, f"{sid}.{adv.id}", adv.id, cond))
    children += [
        _outcome_action(plan, step, j, b) for j, b in enumerate(step.branches) if b.outcome
    ]
    out: dict[str, object] = {"id": sid, "title": step.title}
    if description:
        out["description"] = description
    if step.question:
        out["textEquivalent"] = step.question
    out["condition"] = [{"kind": "applicability", "expression": expression(ref(step_var(sid)))}]
    if children:
        out["selectionBehavior"] = "any"
        out["action"] = children
    return out


def _rule_actions(plan: PlanBuilder) -> dict[str, object]:
    tree = plan.tree
    actions = []
    seen: dict[str, int] = {}
    for rule in tree.advice_rules:
        seen[rule.advice] = seen.get(rule.advice, 0) + 1
        n = seen[rule.advice]
        action_id = f"advice-rule.{rule.advice}" + (f".{n}" if n > 1 else "")
        if rule.fewer_active_than is not None:
            count = " + ".join(f"iif({ref(active_var(o))}, 1, 0)" for o in plan.active_options())
            trigger = f"({count or '0'}) < {rule.fewer_active_than}"
        else:
            trigger = fp.any_of(x for o in rule.with_options if (x := plan.offered(o)))
        cond = fp.all_of([f"({trigger})", plan.cond(rule.when)])
        actions.append(_advice_action(tree, action_id, rule.advice, cond))
    return {
        "id": "safety-advice",
        "title": "Advice that travels with the options listed",
        "description": (
            "Read once the walk has ended: each advice applies when one of its options is "
            "listed (at any level but not recommended), or when too few active treatments are "
            "left."
        ),
        "selectionBehavior": "any",
        "action": actions,
    }


USAGE = (
    "Evaluate with a QuestionnaireResponse to the bundled Questionnaire as the FHIRPath context, "
    "holding the answers to the questions on the path (and the grading calculator's grade, "
    "Ki-67 and WHO class). Evaluate the `variable` extensions in order, each seeing the ones "
    "before it; an action applies when its parent applies and its applicability condition is "
    "true. The applicable step actions, in document order, are the path; their applicable "
    "option actions are the options (one per option), listed by preference (the order of the "
    "preference code system), then by the option's `position.<id>` variable; the applicable "
    "advice actions, in document order and each advice once, are the advice. An outcome action "
    "says how the walk ended."
)


def plan_definition(tree: Tree) -> dict[str, object]:
    plan = PlanBuilder(tree)
    variables = [
        {"url": EXT_VARIABLE, "valueExpression": expression(text, name)}
        for name, text in plan.ordered_variables()
    ]
    prov = provenance("PlanDefinition")
    return {
        "resourceType": "PlanDefinition",
        "id": PLAN_ID,
        "meta": {"profile": [PROFILE_PLAN]},
        "extension": [{"url": EXT_CAPABILITY, "valueCode": "computable"}, *variables],
        "url": url("PlanDefinition", PLAN_ID),
        "identifier": [{"system": identifier_system("guideline"), "value": PLAN_ID}],
        "version": prov["version"],
        "name": "NETGuideSequencing",
        "title": "NET Guide: treatment sequencing for advanced well-differentiated NETs",
        "type": {"coding": [_coding(CS_PLAN_TYPE, "clinical-protocol")]},
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": (
            "The treatment-sequencing decision tree of NET Guide, one action per step (the "
            "action id is the step id). Generated from calculator/data by the site build; the "
            f"tests evaluate it against the calculator (engine {ENGINE_VERSION}, evidence "
            f"reviewed to {EVIDENCE_DATE})."
        ),
        "usage": USAGE,
        "copyright": CONTENT_LICENCE,
        "lastReviewDate": prov["lastReviewDate"],
        "action": [*(_step_action(plan, sid) for sid in plan.order), _rule_actions(plan)],
    }
