"""Typed loader and schema validation of the tree (tree.toml) and its two catalogues.

`load_tree()` reads calculator/data/{tree,options,evidence}.toml through importlib.resources
(so it works from the wheel in Pyodide), checks every type, required field and cross-reference,
and raises `TreeError` naming the file and the path of the first problem. It is cached.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

from calculator.sequencing.catalogue import (
    EVIDENCE_FILE,
    OPTIONS_FILE,
    option_ids_in,
    parse_options,
    parse_sources,
    parse_trials,
)
from calculator.sequencing.contract import (
    ADVICE_IDS,
    ANSWER_VALUES,
    GRADING_CLASS,
    GRADING_CLASSES,
    KI67_VALUE,
    OUTCOMES,
    PATHWAYS,
    PREFERENCES,
    PRIOR_KEY,
    RESULT_PATHWAYS,
    STRENGTHS,
)
from calculator.sequencing.model import (
    Advice,
    AdviceRule,
    Branch,
    Choice,
    Condition,
    Fact,
    FactRule,
    GradeScope,
    NumRange,
    Pointer,
    Recommendation,
    Source,
    SourceRef,
    Step,
    StepAdvice,
    Tree,
)
from calculator.sequencing.reader import Reader, TreeError
from calculator.sequencing.treecheck import check_graph
from calculator.sites import SITES

__all__ = ["TreeError", "load_tree", "parse_tree", "read_data"]

TREE_FILE = "tree.toml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AIMS = ("tumour_control", "hormone_control")


def read_data(name: str) -> dict[str, Any]:
    """Parse one TOML file of calculator/data (from the installed package or the wheel)."""
    try:
        text = resources.files("calculator").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise TreeError(name, "", f"cannot read the file ({exc})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TreeError(name, "", f"not valid TOML: {exc}") from exc


@lru_cache(maxsize=1)
def load_tree() -> Tree:
    """The validated tree with its catalogues, loaded once."""
    return parse_tree(read_data(TREE_FILE), read_data(OPTIONS_FILE), read_data(EVIDENCE_FILE))


def parse_tree(
    tree_doc: Mapping[str, Any], options_doc: Mapping[str, Any], evidence_doc: Mapping[str, Any]
) -> Tree:
    """Build and validate a Tree from the three parsed TOML documents."""
    sources = parse_sources(evidence_doc)
    trials = parse_trials(evidence_doc, option_ids_in(options_doc))
    options = parse_options(options_doc, set(trials), set(sources))
    root = Reader(TREE_FILE, "", tree_doc)
    root.only({"root", "labels", "advice", "advice_rules", "facts", "pointers", "steps"})
    ctx = _Context(set(options), trials, set(sources))
    ctx.facts_values = _fact_values(root)
    sources = _with_grade_scopes(ctx, sources, evidence_doc)
    ctx.source_table = sources
    advice = _parse_advice(ctx, root)
    ctx.advice_ids = set(advice)
    facts = {fid: _parse_fact(ctx, fid, f) for fid, f in root.at("facts").children()}
    pointers = {page: _parse_pointer(p, page) for page, p in root.at("pointers").children()}
    ctx.pointers = set(pointers)
    steps = tuple(_parse_step(ctx, s) for s in root.tables("steps"))
    rules = tuple(_parse_advice_rule(ctx, r) for r in root.tables("advice_rules", required=False))
    tree = Tree(
        root=root.req_str("root"),
        steps=steps,
        options=options,
        trials=trials,
        sources=sources,
        advice=advice,
        advice_rules=rules,
        facts=facts,
        pointers=pointers,
        labels=_parse_labels(root),
    )
    check_graph(tree, TREE_FILE)
    _check_fact_cycles(tree)
    return tree


class _Context:
    """What cross-references may point at."""

    def __init__(self, options: set[str], trials: Mapping[str, Any], sources: set[str]) -> None:
        self.options = options
        self.trials = trials
        self.sources = sources
        self.facts_values: dict[str, tuple[str, ...]] = {}
        self.advice_ids: set[str] = set()
        self.pointers: set[str] = set()
        self.source_table: Mapping[str, Source] = {}


def _with_grade_scopes(
    ctx: _Context, sources: dict[str, Source], evidence_doc: Mapping[str, Any]
) -> dict[str, Source]:
    """Read each graded source's scope: whom its grades (2B, 2C) cover, as tree conditions."""
    out = dict(sources)
    for sid, source in sources.items():
        r = Reader(EVIDENCE_FILE, f"sources.{sid}", evidence_doc["sources"][sid])
        if not r.has("grade_scope"):
            continue
        g = r.at("grade_scope")
        g.only({"text", "when", "by_option"})
        when = _condition(ctx, g, "when")
        if when is None:
            raise g.fail("a grade scope needs a `when`")
        by_option: dict[str, Condition] = {}
        if g.has("by_option"):
            for oid, o in g.at("by_option").children():
                if oid not in ctx.options:
                    raise o.fail(f"unknown option id {oid!r}")
                o.only({"when"})
                cond = _condition(ctx, o, "when")
                assert cond is not None
                by_option[oid] = cond
        scope = GradeScope(g.req_str("text"), when, by_option)
        out[sid] = replace(source, grade_scope=scope)
    return out


def _fact_values(root: Reader) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for fid, f in root.at("facts").children():
        if fid in ANSWER_VALUES or fid in {PRIOR_KEY, KI67_VALUE, GRADING_CLASS}:
            raise f.fail("a fact may not reuse the name of an answer key")
        out[fid] = f.str_list("values")
        if not out[fid]:
            raise f.fail("a fact needs at least one value", "values")
    return out


def _condition(ctx: _Context, r: Reader, key: str) -> Condition | None:
    if not r.has(key):
        return None
    c = r.at(key)
    clauses: dict[str, tuple[str, ...] | NumRange] = {}
    for name in c.table:
        if name == KI67_VALUE:
            clauses[name] = _num_range(c.at(name))
            continue
        if name in ANSWER_VALUES:
            allowed: tuple[str, ...] | set[str] = ANSWER_VALUES[name]
        elif name == PRIOR_KEY:
            allowed = ctx.options
        elif name == GRADING_CLASS:
            allowed = GRADING_CLASSES
        elif name in ctx.facts_values:
            allowed = ctx.facts_values[name]
        else:
            raise c.fail(f"unknown key {name!r} (not an answer key, fact or computed value)", name)
        values = c.str_list(name)
        if not values:
            raise c.fail("list at least one value", name)
        for v in values:
            if v not in allowed:
                raise c.fail(f"{v!r} is not a value of {name!r}", name)
        clauses[name] = values
    if not clauses:
        raise r.fail("an empty condition always matches: leave it out instead", key)
    return Condition(clauses)


def _num_range(r: Reader) -> NumRange:
    r.only({"min", "max", "below", "above"})
    bounds: dict[str, float] = {}
    for k, v in r.table.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise r.fail("expected a number", k)
        bounds[k] = float(v)
    if not bounds:
        raise r.fail("give at least one of min, max, below, above")
    return NumRange(**bounds)


def _source_ref(ctx: _Context, r: Reader, key: str) -> SourceRef:
    return _source_entry(ctx, r.at(key))


def _source_entry(ctx: _Context, s: Reader) -> SourceRef:
    s.only({"id", "section"})
    sid = s.req_str("id")
    if sid not in ctx.sources:
        raise s.fail(f"unknown source id {sid!r} (not in {EVIDENCE_FILE})", "id")
    return SourceRef(sid, s.req_str("section"))


RESULT_LABELS = (
    "options",
    "no_options",
    "advice",
    "grading",
    "source",
    "expert_opinion",
    "strength_scope",
    "version",
)
LABEL_SETS: dict[str, tuple[str, ...]] = {
    "preferences": PREFERENCES,
    "aims": AIMS,
    "pathways": PATHWAYS,
    "result": RESULT_LABELS,
}


def _parse_labels(root: Reader) -> dict[str, dict[str, str]]:
    """One label for every value of each fixed vocabulary, no more and no fewer."""
    r = root.at("labels")
    r.only(set(LABEL_SETS))
    out: dict[str, dict[str, str]] = {}
    for name, values in LABEL_SETS.items():
        table = r.at(name)
        table.only(set(values))
        out[name] = {v: table.req_str(v) for v in values}
    return out


def _parse_advice(ctx: _Context, root: Reader) -> dict[str, Advice]:
    out: dict[str, Advice] = {}
    for aid, a in root.at("advice").children():
        a.only({"text", "sources"})
        refs = tuple(_source_entry(ctx, r) for r in a.tables("sources"))
        if not refs:
            raise a.fail("advice needs at least one source", "sources")
        out[aid] = Advice(aid, a.req_str("text"), refs)
    missing = [i for i in ADVICE_IDS if i not in out]
    if missing:
        raise root.fail(f"missing fixed advice id(s): {', '.join(missing)}", "advice")
    return out


def _parse_advice_rule(ctx: _Context, r: Reader) -> AdviceRule:
    r.only({"advice", "with_options", "when", "fewer_active_than"})
    aid = r.req_str("advice")
    if aid not in ctx.advice_ids:
        raise r.fail(f"unknown advice id {aid!r}", "advice")
    with_options = r.str_list("with_options", required=False)
    for o in with_options:
        if o not in ctx.options:
            raise r.fail(f"unknown option id {o!r}", "with_options")
    fewer = r.int("fewer_active_than") if r.has("fewer_active_than") else None
    if (fewer is None) == (not with_options):
        raise r.fail("give exactly one of `with_options` or `fewer_active_than`")
    return AdviceRule(aid, with_options, _condition(ctx, r, "when"), fewer)


def _parse_fact(ctx: _Context, fid: str, r: Reader) -> Fact:
    r.only({"description", "label", "values", "value_labels", "rules"})
    values = ctx.facts_values[fid]
    rules: list[FactRule] = []
    for rr in r.tables("rules"):
        rr.only({"when", "value"})
        value = rr.req_str("value")
        if value not in values:
            raise rr.fail(f"{value!r} is not one of the fact's values", "value")
        rules.append(FactRule(_condition(ctx, rr, "when"), value))
    if not rules or rules[-1].when is not None:
        raise r.fail("the last rule must have no `when` (the default value)", "rules")
    value_labels: dict[str, str] = {}
    labels = r.at("value_labels")
    for value in values:
        value_labels[value] = labels.req_str(value)
    labels.only(set(values))
    description, label = r.req_str("description"), r.req_str("label")
    return Fact(fid, description, values, tuple(rules), label, value_labels)


def _parse_pointer(r: Reader, page: str) -> Pointer:
    r.only({"title", "text"})
    if not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", page):
        raise r.fail("a pointer page looks like `scope/nec`")
    return Pointer(page, r.req_str("title"), r.req_str("text"))


def _parse_step(ctx: _Context, r: Reader) -> Step:
    r.only(
        {"id", "pathway", "title", "key", "question", "note", "source", "choices"}
        | {"branches", "recommend", "advice"}
    )
    sid = r.req_str("id")
    if not SLUG.match(sid):
        raise r.fail(f"step id {sid!r} must be a lowercase slug (letters, digits, hyphens)", "id")
    r.path = f"{r.path} (id {sid!r})"
    pathway = r.req_str("pathway")
    if pathway not in PATHWAYS:
        raise r.fail(f"pathway must be one of {', '.join(PATHWAYS)}", "pathway")
    key = r.str("key", required=False)
    question = r.str("question", required=False)
    choices = tuple(_parse_choice(c) for c in r.tables("choices", required=False))
    if key == "site":
        if choices:
            raise r.fail("the site choices come from calculator/data/sites.toml; list none here")
        choices = tuple(Choice(s.id, s.label) for s in SITES)
    if key is None:
        if question is not None or choices:
            raise r.fail("a step without `key` has no question or choices")
    else:
        if key not in ANSWER_VALUES:
            raise r.fail(f"{key!r} is not an answer key of the contract", "key")
        if question is None:
            raise r.fail("a step with a key needs a question", "question")
        values = [c.value for c in choices]
        if sorted(values) != sorted(ANSWER_VALUES[key]) or len(set(values)) != len(values):
            raise r.fail(
                f"choices must list each value of {key!r} once: {', '.join(ANSWER_VALUES[key])}",
                "choices",
            )
    return Step(
        id=sid,
        pathway=pathway,
        title=r.req_str("title"),
        key=key,
        question=question,
        choices=choices,
        branches=tuple(_parse_branch(ctx, b) for b in r.tables("branches")),
        recommendations=tuple(_parse_rec(ctx, x) for x in r.tables("recommend", required=False)),
        advice=tuple(_parse_step_advice(ctx, a) for a in r.tables("advice", required=False)),
        note=r.str("note", required=False),
        source=_source_ref(ctx, r, "source") if r.has("source") else None,
    )


def _parse_choice(r: Reader) -> Choice:
    r.only({"value", "label"})
    return Choice(r.req_str("value"), r.req_str("label"))


def _parse_branch(ctx: _Context, r: Reader) -> Branch:
    r.only({"when", "next", "outcome", "pointer", "reason", "pathway"})
    nxt = r.str("next", required=False)
    outcome = r.str("outcome", required=False)
    pointer = r.str("pointer", required=False)
    pathway = r.str("pathway", required=False)
    if (nxt is None) == (outcome is None):
        raise r.fail("give exactly one of `next` (a step id) or `outcome`")
    if outcome is not None and outcome not in OUTCOMES:
        raise r.fail(f"outcome must be one of {', '.join(OUTCOMES)}", "outcome")
    if (outcome == "out_of_scope") != (pointer is not None):
        raise r.fail("an out_of_scope outcome needs a `pointer` page, and only it may have one")
    if pointer is not None and pointer not in ctx.pointers:
        raise r.fail(f"unknown pointer page {pointer!r} (add it under [pointers])", "pointer")
    if pathway is not None and pathway not in RESULT_PATHWAYS:
        raise r.fail(f"pathway must be one of {', '.join(RESULT_PATHWAYS)}", "pathway")
    return Branch(
        when=_condition(ctx, r, "when"),
        next=nxt,
        outcome=outcome,
        pointer=pointer,
        reason=r.str("reason", required=False),
        pathway=pathway,
    )


def _parse_rec(ctx: _Context, r: Reader) -> Recommendation:
    r.only(
        {"option", "preference", "strength", "rationale", "evidence", "source", "newer"}
        | {"when", "unless", "even_if_prior", "aim"}
    )
    option = r.req_str("option")
    if option not in ctx.options:
        raise r.fail(f"unknown option id {option!r} (not in {OPTIONS_FILE})", "option")
    preference = r.req_str("preference")
    if preference not in PREFERENCES:
        raise r.fail(f"preference must be one of {', '.join(PREFERENCES)}", "preference")
    strength = r.str("strength", required=False)
    source = _source_ref(ctx, r, "source")
    when = _condition(ctx, r, "when")
    if strength is not None:
        if strength not in STRENGTHS:
            raise r.fail(f"strength must be one of {', '.join(STRENGTHS)}", "strength")
        graded = ctx.source_table[source.id]
        if strength not in graded.grades:
            raise r.fail(f"{source.id} gives no grade {strength}; drop `strength`")
        _check_inside_scope(r, option, when, graded)
    aim = r.str("aim", required=False) or "tumour_control"
    if aim not in AIMS:
        raise r.fail(f"aim must be one of {', '.join(AIMS)}", "aim")
    evidence = r.str_list("evidence")
    for e in evidence:
        if e not in ctx.trials:
            raise r.fail(f"unknown trial id {e!r} (not in {EVIDENCE_FILE})", "evidence")
    newer = r.bool("newer", default=False)
    cites_newer = any(ctx.trials[e].newer for e in evidence)
    if newer != cites_newer:
        raise r.fail(
            "`newer = true` exactly when the entry cites a trial flagged newer in "
            f"{EVIDENCE_FILE} (here: {'it does' if cites_newer else 'it does not'})",
            "newer",
        )
    if newer and strength is not None:
        raise r.fail("newer evidence is never merged into the source's graded suggestions")
    return Recommendation(
        option=option,
        preference=preference,
        rationale=r.req_str("rationale"),
        source=source,
        strength=strength,
        evidence=evidence,
        newer=newer,
        when=when,
        unless=_condition(ctx, r, "unless"),
        even_if_prior=r.bool("even_if_prior", default=False),
        aim=aim,
    )


def _check_inside_scope(r: Reader, option: str, when: Condition | None, source: Source) -> None:
    """A graded entry may only match patients inside the population its grade covers."""
    scope = source.grade_scope
    assert scope is not None  # parse_sources requires one with `grades`
    required = dict(scope.when.clauses)
    if option in scope.by_option:
        required.update(scope.by_option[option].clauses)
    have = when.clauses if when else {}
    for key, allowed in required.items():
        given = have.get(key)
        if (
            given is None
            or isinstance(given, NumRange)
            or isinstance(allowed, NumRange)
            or not set(given) <= set(allowed)
        ):
            raise r.fail(
                f"a graded entry must apply only where its grade holds ({scope.text}): "
                f"restrict `when` to {key} = {list(allowed)}",
                "strength",
            )


def _parse_step_advice(ctx: _Context, r: Reader) -> StepAdvice:
    r.only({"id", "when", "unless"})
    aid = r.req_str("id")
    if aid not in ctx.advice_ids:
        raise r.fail(f"unknown advice id {aid!r} (add it under [advice])", "id")
    return StepAdvice(aid, _condition(ctx, r, "when"), _condition(ctx, r, "unless"))


def _check_fact_cycles(tree: Tree) -> None:
    def deps(fid: str) -> set[str]:
        return {k for rule in tree.facts[fid].rules if rule.when for k in rule.when.clauses} & set(
            tree.facts
        )

    def visit(fid: str, stack: tuple[str, ...]) -> None:
        if fid in stack:
            raise TreeError(
                TREE_FILE, f"facts.{fid}", f"facts refer to each other in a loop: {stack}"
            )
        for d in deps(fid):
            visit(d, (*stack, fid))

    for fid in tree.facts:
        visit(fid, ())
