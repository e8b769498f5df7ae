"""Load and check the option catalogue (options.toml) and the evidence (evidence.toml)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from calculator.sequencing.contract import OPTION_IDS, RESULT_PATHWAYS, SOURCE_IDS, TRIAL_IDS
from calculator.sequencing.model import Option, Source, Trial
from calculator.sequencing.reader import Reader

OPTIONS_FILE = "options.toml"
EVIDENCE_FILE = "evidence.toml"
CATEGORIES = ("antiproliferative", "hormone_control", "local", "other")
TRIAL_STATUSES = ("published", "conference_abstract", "pending")
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _require_ids(r: Reader, present: Mapping[str, object], fixed: tuple[str, ...]) -> None:
    missing = [i for i in fixed if i not in present]
    if missing:
        raise r.fail(f"missing fixed id(s): {', '.join(missing)} (ids are never removed)")


SOURCE_KINDS = (
    "clinical review",
    "interview",
    "news",
    "overview",
    "guideline",
    "trial report",
    "product information",
    "regulatory decision",
    "case series",
)


SOURCE_FIELDS = {"title", "kind", "date", "newer", "dates_note", "grades", "grade_scope"} | {
    "citation"
}


def parse_sources(doc: Mapping[str, Any]) -> dict[str, Source]:
    """Sources without their grade scope (its conditions are read with the tree's vocabulary)."""
    r = Reader(EVIDENCE_FILE, "", doc).at("sources")
    out: dict[str, Source] = {}
    for sid, s in r.children():
        s.only(SOURCE_FIELDS)
        kind = s.req_str("kind")
        if kind not in SOURCE_KINDS:
            raise s.fail(f"kind must be one of {', '.join(SOURCE_KINDS)}", "kind")
        grades = s.str_list("grades", required=False)
        if grades and not s.has("grade_scope"):
            raise s.fail("a source that grades its suggestions must say whom the grades cover")
        out[sid] = Source(
            id=sid,
            title=s.req_str("title"),
            kind=kind,
            date=s.req_str("date"),
            newer=s.bool("newer", default=False),
            dates_note=s.str("dates_note", required=False),
            grades=grades,
            citation=s.str("citation", required=False),
        )
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
        newer = t.bool("newer")
        date = t.str("date", required=newer)
        if date is not None and not ISO_DATE.fullmatch(date):
            raise t.fail("date must be an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)", "date")
        out[tid] = Trial(
            id=tid,
            name=t.req_str("name"),
            therapies=therapies,
            design=t.req_str("design"),
            status=status,
            newer=newer,
            year=t.int("year"),
            population=t.req_str("population"),
            arms=t.req_str("arms"),
            primary_result=t.req_str("primary_result"),
            citation=t.req_str("citation"),
            doi=t.str("doi", required=False),
            pmid=t.str("pmid", required=False),
            nct=t.str("nct", required=False),
            date=date,
        )
    _require_ids(r, out, TRIAL_IDS)
    return out


def parse_options(
    doc: Mapping[str, Any], trial_ids: set[str], source_ids: set[str]
) -> dict[str, Option]:
    r = Reader(OPTIONS_FILE, "", doc).at("options")
    option_ids_declared = set(r.table)
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
        not_after = o.str_list("not_after", required=False)
        for other in not_after:
            if other not in option_ids_declared or other == oid:
                raise o.fail(f"unknown or own option id {other!r}", "not_after")
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
            not_after=not_after,
        )
    _require_ids(r, out, OPTION_IDS)
    return out


def option_ids_in(doc: Mapping[str, Any]) -> set[str]:
    """The option ids declared in options.toml (trials are checked against them)."""
    r = Reader(OPTIONS_FILE, "", doc).at("options")
    _require_ids(r, r.table, OPTION_IDS)
    return set(r.table)
