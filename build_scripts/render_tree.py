"""Turn the decision tree into page data: which page holds each step, links, readable conditions.

`step_page` is the one place that decides where a step is rendered; the algorithm pages, the
option and evidence pages, the flowchart and the calculator's step map (steps.json) all call it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calculator.grading_text import FIELD_TEXTS, HEADLINES
from calculator.sequencing.model import Branch, Condition, NumRange, Recommendation, Step, Tree

# Docs-relative Markdown paths of the generated algorithm pages, by step pathway.
ALGORITHM_PAGES: dict[str, str] = {
    "common": "algorithm/index.md",
    "pnet": "algorithm/pnet.md",
    "gi": "algorithm/gi.md",
}
OUTCOME_TEXT: dict[str, str] = {
    "complete": "the walk ends here with the options listed below",
    "out_of_scope": "outside this tree",
}


def pathway_name(tree: Tree, pathway: str) -> str:
    """The pathway's label from the tree data (one wording for pages and calculator)."""
    return tree.labels["pathways"][pathway]


def preference_label(tree: Tree, preference: str) -> str:
    return tree.labels["preferences"][preference]


def option_row_anchor(option_id: str, step_id: str) -> str:
    """Anchor of one row of an option page's "where the tree offers it" list: the calculator
    links a result's option to the row of the step that produced it."""
    return f"{option_id}-at-{step_id}"


def load_tree() -> Tree:
    """The tree with its option, trial and source catalogues (the engine's own loader)."""
    try:
        from calculator.sequencing.tree import load_tree as loader
    except ImportError:  # pragma: no cover - depends on the engine package layout
        from calculator.sequencing import load_tree as loader  # type: ignore[attr-defined,no-redef]
    return loader()


def step_page(step: Step) -> str:
    """Docs-relative Markdown path of the page that holds `step` (its id is the anchor)."""
    try:
        return ALGORITHM_PAGES[step.pathway]
    except KeyError as exc:
        raise ValueError(f"step {step.id!r} has unknown pathway {step.pathway!r}") from exc


def page_url(md_path: str) -> str:
    """Site-root-relative URL of a Markdown page under use_directory_urls (`a/b.md` -> `a/b/`)."""
    stem = md_path.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def rel(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative Markdown link from one docs page to another (MkDocs checks and rewrites it)."""
    if from_page == to_page:
        target = ""
    else:
        target = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return f"{target}#{anchor}" if anchor else target


def step_link(step: Step, from_page: str) -> str:
    return rel(from_page, step_page(step), step.id)


def option_page(option_id: str) -> str:
    return f"options/{option_id}.md"


EVIDENCE_PAGE = "evidence/index.md"


def trial_link(trial_id: str, from_page: str) -> str:
    return rel(from_page, EVIDENCE_PAGE, trial_id)


def source_anchor(source_id: str) -> str:
    return f"source-{source_id}"


def md_text(text: str) -> str:
    """Data text made safe for Markdown: no raw HTML, no accidental emphasis or tables."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("*", "\\*")
        .replace("|", "\\|")
        .strip()
    )


# ----------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class KeyInfo:
    label: str
    values: dict[str, str]
    link: str | None = None  # where the key is explained (docs-relative page + anchor)


def key_catalogue(tree: Tree) -> dict[str, KeyInfo]:
    """Readable names for every key a condition can test: answers, facts, engine values."""
    keys: dict[str, KeyInfo] = {}
    for step in tree.steps:
        if step.key and step.key not in keys:
            keys[step.key] = KeyInfo(
                label=step.title,
                values={c.value: c.label for c in step.choices},
                link=f"{step_page(step)}#{step.id}",
            )
    for fact in tree.facts.values():
        keys[fact.id] = KeyInfo(
            label=fact.label,
            values=dict(fact.value_labels),
            link=f"{ALGORITHM_PAGES['common']}#fact-{fact.id}",
        )
    keys.setdefault("prior", KeyInfo("Earlier treatment includes", {}))
    keys.setdefault("ki67_value", KeyInfo("Ki-67 index", {}))
    keys.setdefault("grading_class", KeyInfo("WHO classification", _class_labels()))
    return keys


def _class_labels() -> dict[str, str]:
    """The grading engine's classes in its own headline words, without the grade it adds
    ("MiNEN, neuroendocrine component {grade}" gives "MiNEN")."""
    grade = re.compile(r"\s*\(\{grade\}\)|,[^,]*\{grade\}|\s*\{grade\}")
    return {name: grade.sub("", text) for name, text in HEADLINES.items()}


def _range_text(r: NumRange) -> str:
    parts = []
    if r.min is not None:
        parts.append(f"at least {r.min:g} %")
    if r.max is not None:
        parts.append(f"at most {r.max:g} %")
    if r.below is not None:
        parts.append(f"below {r.below:g} %")
    if r.above is not None:
        parts.append(f"above {r.above:g} %")
    return " and ".join(parts)


def describe_condition(cond: Condition | None, tree: Tree, from_page: str) -> str:
    """`when` in words, as Markdown (keys link to the step or fact that defines them)."""
    if cond is None:
        return ""
    keys = key_catalogue(tree)
    parts: list[str] = []
    for key, clause in cond.clauses.items():
        info = keys.get(key, KeyInfo(key.replace("_", " "), {}))
        name = md_text(info.label)
        if info.link:
            page, _, anchor = info.link.partition("#")
            name = f"[{name}]({rel(from_page, page, anchor)})"
        if isinstance(clause, NumRange):
            parts.append(f"{name} {_range_text(clause)}")
            continue
        if key == "prior":
            names = [
                f"[{md_text(tree.options[v].short_name)}]({rel(from_page, option_page(v), v)})"
                if v in tree.options
                else md_text(v)
                for v in clause
            ]
            parts.append(f"earlier treatment included {_or(names)}")
            continue
        values = [md_text(info.values.get(v, v.replace("_", " "))) for v in clause]
        parts.append(f"{name}: {_or(values)}")
    return "; ".join(parts)


def _or(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# ----------------------------------------------------------------------------- page data


def branch_context(branch: Branch, tree: Tree, from_page: str, docs_dir: Path) -> dict[str, Any]:
    target: dict[str, Any] = {"kind": "", "text": "", "link": None}
    if branch.next:
        nxt = tree.step(branch.next)
        target = {"kind": "next", "text": md_text(nxt.title), "link": step_link(nxt, from_page)}
    elif branch.outcome == "out_of_scope":
        pointer = tree.pointers.get(branch.pointer or "")
        title = pointer.title if pointer else (branch.pointer or "another page")
        page = f"{branch.pointer}.md" if branch.pointer else ""
        link = rel(from_page, page) if page and (docs_dir / page).is_file() else None
        target = {"kind": "out_of_scope", "text": md_text(title), "link": link}
    elif branch.outcome:
        target = {"kind": branch.outcome, "text": OUTCOME_TEXT.get(branch.outcome, branch.outcome)}
    when = describe_condition(branch.when, tree, from_page)
    reason = md_text(branch.reason) if branch.reason else ""
    pathway = pathway_name(tree, branch.pathway) if branch.pathway else ""
    if target["kind"] == "next":
        goes = f"continue with [{target['text']}]({target['link']})"
    elif target["kind"] == "out_of_scope":
        shown = f"[{target['text']}]({target['link']})" if target["link"] else f"*{target['text']}*"
        goes = f"outside this tree, see {shown}"
    else:
        goes = target["text"]
    if pathway:
        goes += f" ({pathway})"
    return {
        "when": when,
        "reason": reason,
        "pathway": pathway,
        "target": target,
        "goes": goes,
    }


def recommendation_context(
    rec: Recommendation, tree: Tree, from_page: str, step_id: str
) -> dict[str, Any]:
    option = tree.options.get(rec.option)
    source = tree.sources.get(rec.source.id)
    scope = source.grade_scope if source and rec.strength else None
    trials = [tree.trials[t] for t in rec.evidence if t in tree.trials]
    when = describe_condition(rec.when, tree, from_page)
    unless = describe_condition(rec.unless, tree, from_page)
    if when:
        applies = f"*Applies when* {when}" + (f", *but not when* {unless}" if unless else "") + "."
    else:
        applies = "*Applies to everyone who reaches this step.*"
    if rec.even_if_prior:
        applies += " Offered even if it was given before."
    evidence_md = ", ".join(
        f"[{md_text(t.name)}]({trial_link(t.id, from_page)})"
        + (" (newer)" if t.newer else "")
        + {"conference_abstract": " (abstract)", "pending": " (pending)"}.get(t.status, "")
        for t in trials
    )
    evidence_text = (
        f"Trials: {evidence_md}."
        if trials
        else "No trial in the evidence list; expert opinion of the source."
    )
    return {
        "applies": applies,
        "evidence_text": evidence_text,
        "option_id": rec.option,
        "name": md_text(option.short_name if option else rec.option),
        "link": rel(from_page, option_page(rec.option), option_row_anchor(rec.option, step_id)),
        "preference": rec.preference,
        "preference_label": preference_label(tree, rec.preference),
        "aim": rec.aim,
        "aim_label": tree.labels["aims"][rec.aim] if rec.aim != "tumour_control" else "",
        "strength": rec.strength or "",
        "strength_scope": md_text(scope.text) if scope else "",
        "rationale": md_text(rec.rationale),
        "when": describe_condition(rec.when, tree, from_page),
        "unless": describe_condition(rec.unless, tree, from_page),
        "even_if_prior": rec.even_if_prior,
        "newer": rec.newer or any(t.newer for t in trials),
        "evidence": [
            {
                "name": md_text(t.name),
                "link": trial_link(t.id, from_page),
                "newer": t.newer,
                "status": t.status,
            }
            for t in trials
        ],
        "source": source_context(rec.source.id, rec.source.section, tree, from_page, source),
    }


def source_context(
    source_id: str, section: str, tree: Tree, from_page: str, source: Any = None
) -> dict[str, str]:
    source = source or tree.sources.get(source_id)
    return {
        "id": source_id,
        "title": md_text(source.title) if source else md_text(source_id),
        "kind": source.kind if source else "",
        "date": source.date if source else "",
        "section": md_text(section),
        "link": rel(from_page, EVIDENCE_PAGE, source_anchor(source_id)),
    }


def step_context(step: Step, tree: Tree, docs_dir: Path) -> dict[str, Any]:
    page = step_page(step)
    advice = []
    for a in step.advice:
        entry = advice_context(a.id, tree, page)
        when = describe_condition(a.when, tree, page)
        unless = describe_condition(a.unless, tree, page)
        if when:
            entry["text"] += f" (*when* {when}" + (f"; *not when* {unless}" if unless else "") + ")"
        advice.append(entry)
    return {
        "id": step.id,
        "title": md_text(step.title),
        "pathway": step.pathway,
        "key": step.key,
        "question": md_text(step.question) if step.question else "",
        "choices": [{"value": c.value, "label": md_text(c.label)} for c in step.choices],
        "branches": [branch_context(b, tree, page, docs_dir) for b in step.branches],
        "recommendations": [
            recommendation_context(r, tree, page, step.id) for r in step.recommendations
        ],
        "advice": advice,
        "note": md_text(step.note) if step.note else "",
        "source": source_context(step.source.id, step.source.section, tree, page)
        if step.source
        else None,
        "sources": sorted({r.source.id for r in step.recommendations}),
    }


def advice_context(advice_id: str, tree: Tree, from_page: str) -> dict[str, Any]:
    """An advice's text with the sources it rests on (linked to the evidence page)."""
    advice = tree.advice[advice_id]
    sources = [source_context(r.id, r.section, tree, from_page) for r in advice.sources]
    cited = "; ".join(f"[{s['title']}]({s['link']}), {s['section']}" for s in sources)
    return {"id": advice_id, "text": md_text(advice.text), "sources": sources, "cited": cited}


def steps_on(tree: Tree, page: str) -> list[Step]:
    return [s for s in tree.steps if step_page(s) == page]


def citing_steps(tree: Tree, *, option: str | None = None, trial: str | None = None) -> list[Step]:
    """Steps with a recommendation for `option`, or one citing `trial`, in tree order."""
    found = []
    for step in tree.steps:
        for rec in step.recommendations:
            if (option and rec.option == option) or (trial and trial in rec.evidence):
                found.append(step)
                break
    return found


def step_map(tree: Tree) -> dict[str, Any]:
    """The calculator's map (docs/algorithm/steps.json): step -> page URL, labels, catalogues."""
    return {
        "steps": {
            s.id: {
                "page": page_url(step_page(s)),
                "title": s.title,
                "key": s.key,
                "question": s.question,
                "choices": [{"value": c.value, "label": c.label} for c in s.choices],
            }
            for s in tree.steps
        },
        "options": {
            o.id: {
                "name": o.name,
                "short_name": o.short_name,
                "page": page_url(option_page(o.id)),
                "pathways": list(o.pathways),
                "category": o.category,
            }
            for o in tree.options.values()
        },
        "labels": {name: dict(values) for name, values in tree.labels.items()},
        "grading_fields": {
            key: {"label": text.label, "inputmode": text.inputmode}
            for key, text in FIELD_TEXTS.items()
        },
        "trials": {
            t.id: {"name": t.name, "newer": t.newer, "status": t.status}
            for t in tree.trials.values()
        },
        "evidence_page": page_url(EVIDENCE_PAGE),
        "pointers": {
            k: {"title": p.title, "page": page_url(f"{k}.md")} for k, p in tree.pointers.items()
        },
        "advice": {a.id: a.text for a in tree.advice.values()},
        "sources": {
            s.id: {"title": s.title, "kind": s.kind, "date": s.date, "newer": s.newer}
            for s in tree.sources.values()
        },
    }
