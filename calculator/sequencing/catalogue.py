"""Load and check the option catalogue (options.toml) and the evidence (evidence.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calculator.sequencing.contract import OPTION_IDS, RESULT_PATHWAYS, SOURCE_IDS, TRIAL_IDS
from calculator.sequencing.model import Option, Source, Trial
from calculator.sequencing.reader import Reader

OPTIONS_FILE = "options.toml"
EVIDENCE_FILE = "evidence.toml"
CATEGORIES = ("antiproliferative", "hormone_control", "local", "other")
TRIAL_STATUSES = ("published", "conference_abstract", "pending")


def _require_ids(r: Reader, present: Mapping[str, object], fixed: tuple[str, ...]) -> None:
    missing = [i for i in fixed if i not in present]
    if missing:
        raise r.fail(f"missing fixed id(s): {', '.join(missing)} (ids are never removed)")


def parse_sources(doc: Mapping[str, Any]) -> dict[str, Source]:
    r = Reader(EVIDENCE_FILE, "", doc).at("sources")
    out: dict[str, Source] = {}
    for sid, s in r.children():
        extra = {k: v for k, v in s.table.items() if k not in {"title", "kind", "date"}}
        out[sid] = Source(sid, s.req_str("title"), s.req_str("kind"), s.req_str("date"), extra)
    _require_ids(r, out, SOURCE_IDS)
    return out


def parse_trials(doc: Mapping[str, Any], option_ids: set[str]) -> dict[str, Trial]:
    r = Reader(EVIDENCE_FILE, "", doc).at("trials")
    out: dict[str, Trial] = {}
    for tid, t in r.children():
        therapies = t.str_list("therapies")
        for o in therapies:
            if o not in option_ids:
                raise t.fail(f"unknown option id {o!r}", "therapies")
        status = t.req_str("status")
        if status not in TRIAL_STATUSES:
            raise t.fail(f"status must be one of {', '.join(TRIAL_STATUSES)}", "status")
        out[tid] = Trial(
            id=tid,
            name=t.req_str("name"),
            therapies=therapies,
            design=t.req_str("design"),
            status=status,
            newer=t.bool("newer"),
            year=t.int("year"),
            population=t.req_str("population"),
            arms=t.req_str("arms"),
            primary_result=t.req_str("primary_result"),
            citation=t.req_str("citation"),
            doi=t.str("doi", required=False),
            pmid=t.str("pmid", required=False),
            nct=t.str("nct", required=False),
        )
    _require_ids(r, out, TRIAL_IDS)
    return out


def parse_options(
    doc: Mapping[str, Any], trial_ids: set[str], source_ids: set[str]
) -> dict[str, Option]:
    r = Reader(OPTIONS_FILE, "", doc).at("options")
    out: dict[str, Option] = {}
    for oid, o in r.children():
        category = o.req_str("category")
        if category not in CATEGORIES:
            raise o.fail(f"category must be one of {', '.join(CATEGORIES)}", "category")
        evidence = o.str_list("evidence")
        for e in evidence:
            if e not in trial_ids:
                raise o.fail(f"unknown trial id {e!r} (not in {EVIDENCE_FILE})", "evidence")
        sources = o.str_list("sources")
        for s in sources:
            if s not in source_ids:
                raise o.fail(f"unknown source id {s!r} (not in {EVIDENCE_FILE})", "sources")
        pathways = o.str_list("pathways")
        for p in pathways:
            if p not in RESULT_PATHWAYS:
                raise o.fail(f"pathway must be one of {', '.join(RESULT_PATHWAYS)}", "pathways")
        out[oid] = Option(
            id=oid,
            name=o.req_str("name"),
            short_name=o.req_str("short_name"),
            category=category,
            summary=o.req_str("summary"),
            administration=o.req_str("administration"),
            harms=o.str_list("harms"),
            monitoring=o.str_list("monitoring"),
            evidence=evidence,
            sources=sources,
            expert_opinion=o.bool("expert_opinion"),
            pathways=pathways,
        )
    _require_ids(r, out, OPTION_IDS)
    return out


def option_ids_in(doc: Mapping[str, Any]) -> set[str]:
    """The option ids declared in options.toml (trials are checked against them)."""
    r = Reader(OPTIONS_FILE, "", doc).at("options")
    _require_ids(r, r.table, OPTION_IDS)
    return set(r.table)
