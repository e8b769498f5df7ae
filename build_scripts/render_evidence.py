"""Page data for the therapy option pages and the evidence page (trials and sources)."""

from __future__ import annotations

from typing import Any

from build_scripts.render_tree import (
    EVIDENCE_PAGE,
    advice_context,
    citing_steps,
    describe_condition,
    md_text,
    option_page,
    option_row_anchor,
    pathway_name,
    preference_label,
    rel,
    source_anchor,
    step_link,
    trial_link,
)
from calculator.sequencing.model import Option, Tree, Trial

CATEGORY_NAMES: dict[str, str] = {
    "antiproliferative": "Tumour control (antiproliferative)",
    "hormone_control": "Hormone control",
    "local": "Local and surgical treatment",
    "other": "Other approaches",
}
STATUS_LABELS: dict[str, str] = {
    "published": "",
    "conference_abstract": "Conference abstract",
    "pending": "Results pending",
}
OPTIONS_INDEX = "options/index.md"


def trial_links(trial: Trial) -> list[dict[str, str]]:
    """Identifier links the reader may follow (plain navigations; the page requests nothing)."""
    links = []
    if trial.doi:
        links.append({"label": f"doi:{trial.doi}", "url": f"https://doi.org/{trial.doi}"})
    if trial.pmid:
        links.append(
            {"label": f"PMID {trial.pmid}", "url": f"https://pubmed.ncbi.nlm.nih.gov/{trial.pmid}/"}
        )
    if trial.nct:
        links.append({"label": trial.nct, "url": f"https://clinicaltrials.gov/study/{trial.nct}"})
    return links


def trial_badges(trial: Trial) -> list[str]:
    badges = []
    if STATUS_LABELS.get(trial.status):
        badges.append(STATUS_LABELS[trial.status])
    if trial.newer:
        badges.append("Newer evidence")
    return badges


def trial_context(trial: Trial, tree: Tree, from_page: str) -> dict[str, Any]:
    return {
        "id": trial.id,
        "name": md_text(trial.name),
        "year": trial.year,
        "design": md_text(trial.design),
        "status": trial.status,
        "badges": trial_badges(trial),
        "population": md_text(trial.population),
        "arms": md_text(trial.arms),
        "primary_result": md_text(trial.primary_result),
        "citation": md_text(trial.citation),
        "links": trial_links(trial),
        "link": trial_link(trial.id, from_page),
        "therapies": [
            {"name": md_text(tree.options[o].short_name), "link": rel(from_page, option_page(o), o)}
            for o in trial.therapies
            if o in tree.options
        ],
        "cited_by_steps": [
            {"title": md_text(s.title), "link": step_link(s, from_page)}
            for s in citing_steps(tree, trial=trial.id)
        ],
        "cited_by_options": [
            {"name": md_text(o.short_name), "link": rel(from_page, option_page(o.id), o.id)}
            for o in tree.options.values()
            if trial.id in o.evidence
        ],
    }


def evidence_context(tree: Tree) -> dict[str, Any]:
    page = EVIDENCE_PAGE
    groups: list[dict[str, Any]] = []
    placed: set[str] = set()
    for option in tree.options.values():
        entries = []
        see_also = []
        for trial in tree.trials.values():
            if option.id not in trial.therapies and trial.id not in option.evidence:
                continue
            if trial.id in placed:
                see_also.append({"name": md_text(trial.name), "link": trial_link(trial.id, page)})
                continue
            placed.add(trial.id)
            entries.append(trial_context(trial, tree, page))
        if entries or see_also:
            groups.append(
                {
                    "anchor": f"therapy-{option.id}",
                    "name": md_text(option.name),
                    "option_link": rel(page, option_page(option.id), option.id),
                    "trials": entries,
                    "see_also": see_also,
                }
            )
    leftovers = [t for t in tree.trials.values() if t.id not in placed]
    if leftovers:
        groups.append(
            {
                "anchor": "therapy-other",
                "name": "Other trials",
                "option_link": None,
                "trials": [trial_context(t, tree, page) for t in leftovers],
                "see_also": [],
            }
        )
    sources = [
        {
            "anchor": source_anchor(s.id),
            "title": md_text(s.title),
            "kind": s.kind,
            "date": s.date,
            "newer": s.newer,
            "dates_note": md_text(s.dates_note) if s.dates_note else "",
            "citation": md_text(s.citation) if s.citation else "",
            "grade_scope": md_text(s.grade_scope.text) if s.grade_scope else "",
            "grades": ", ".join(s.grades),
        }
        for s in tree.sources.values()
    ]
    return {"groups": groups, "sources": sources, "trial_count": len(tree.trials)}


def option_context(option: Option, tree: Tree) -> dict[str, Any]:
    page = option_page(option.id)
    offered = []
    for step in tree.steps:
        for rec in step.recommendations:
            if rec.option != option.id:
                continue
            anchor = option_row_anchor(option.id, step.id)
            row = next((r for r in offered if r["anchor"] == anchor), None)
            entry = {
                "preference": rec.preference,
                "preference_label": preference_label(tree, rec.preference),
                "aim_label": tree.labels["aims"][rec.aim],
                "strength": rec.strength or "",
                "newer": rec.newer,
                "when": describe_condition(rec.when, tree, page),
                "unless": describe_condition(rec.unless, tree, page),
            }
            if row is None:
                row = {
                    "anchor": anchor,
                    "step_title": md_text(step.title),
                    "step_link": step_link(step, page),
                    "pathway": pathway_name(tree, step.pathway),
                    "entries": [],
                }
                offered.append(row)
            row["entries"].append(entry)
    trials = [tree.trials[t] for t in option.evidence if t in tree.trials]
    trials += [
        t for t in tree.trials.values() if option.id in t.therapies and t.id not in option.evidence
    ]
    return {
        "id": option.id,
        "name": md_text(option.name),
        "short_name": md_text(option.short_name),
        "title_raw": option.short_name,
        "category": CATEGORY_NAMES.get(option.category, option.category),
        "summary": md_text(option.summary),
        "administration": md_text(option.administration),
        "harms": [md_text(h) for h in option.harms],
        "monitoring": [md_text(m) for m in option.monitoring],
        "expert_opinion": option.expert_opinion,
        "pathways": [pathway_name(tree, p) for p in option.pathways],
        "trials": [trial_context(t, tree, page) for t in trials],
        "advice": [
            {
                **advice_context(rule.advice, tree, page),
                "when": describe_condition(rule.when, tree, page),
            }
            for rule in tree.advice_rules
            if option.id in rule.with_options
        ],
        "sources": [
            {
                "title": md_text(tree.sources[s].title),
                "date": tree.sources[s].date,
                "link": rel(page, EVIDENCE_PAGE, source_anchor(s)),
            }
            for s in option.sources
            if s in tree.sources
        ],
        "offered": offered,
        "index_link": rel(page, OPTIONS_INDEX),
        "description": f"{option.short_name}: how it is given, key trial results, harms, "
        "monitoring and where the NET Guide decision tree offers it.",
    }


def options_index_context(tree: Tree) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for option in tree.options.values():
        groups.setdefault(option.category, []).append(
            {
                "id": option.id,
                "name": md_text(option.name),
                "short_name": md_text(option.short_name),
                "link": rel(OPTIONS_INDEX, option_page(option.id), option.id),
                "pathways": ", ".join(pathway_name(tree, p) for p in option.pathways),
                "trials": [
                    {"name": md_text(tree.trials[t].name), "link": trial_link(t, OPTIONS_INDEX)}
                    for t in option.evidence
                    if t in tree.trials
                ],
                "expert_opinion": option.expert_opinion,
            }
        )
    ordered = [
        {"name": CATEGORY_NAMES.get(c, c), "anchor": f"category-{c}", "options": groups[c]}
        for c in [*CATEGORY_NAMES, *sorted(set(groups) - set(CATEGORY_NAMES))]
        if c in groups
    ]
    return {"groups": ordered}
