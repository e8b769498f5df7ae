"""Record summaries: a grading or sequencing result written for a clinical record.

"Copy for the notes" puts `Record.text` on the clipboard, the sequencing page's "Print summary"
lays out the same sections on one page, and `python -m calculator ... --format text` prints the
text. The frame's wording is in calculator/data/record_text.toml; the clinical words come from
the result and the tree data as they are. An error or an unfinished result says so at the top,
and every record ends with the clinical-judgement line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from calculator import grading_text
from calculator.grading import grade, read_tumour
from calculator.grading_text import number_text
from calculator.sequencing import Tree, load_tree, sequence
from calculator.sequencing.contract import ANSWER_VALUES, PRIOR_KEY
from calculator.sequencing.params import answers_to_query
from calculator.sites import SITE_BY_ID
from calculator.user_numbers import FieldError, NumberError, parse_number
from calculator.version import ENGINE_VERSION, EVIDENCE_DATE

__all__ = [
    "Item",
    "Record",
    "Section",
    "checked_page_url",
    "grade_error_record",
    "grade_record",
    "page_link",
    "sequence_error_record",
    "sequence_record",
]

TEXT_FILE = "record_text.toml"
MAX_PAGE_URL = 2000  # characters; an address longer than this is not a page of this site


def _load() -> dict[str, Any]:
    source = resources.files("calculator").joinpath("data", TEXT_FILE).read_text(encoding="utf-8")
    return tomllib.loads(source)


_TEXT = _load()
COMMON: dict[str, str] = _TEXT["common"]
GRADE: dict[str, Any] = _TEXT["grade"]
SEQUENCE: dict[str, Any] = _TEXT["sequence"]
ANSWER_LABELS: dict[str, str] = SEQUENCE["answer_labels"]

if set(ANSWER_LABELS) != set(ANSWER_VALUES):
    raise ValueError(f"{TEXT_FILE}: [sequence.answer_labels] must name every answer key once")


@dataclass(frozen=True)
class Item:
    """One line: `label: text`, or the text alone."""

    text: str
    label: str | None = None

    def line(self) -> str:
        return self.text if self.label is None else f"{self.label}: {self.text}"

    def to_dict(self) -> dict[str, str | None]:
        return {"label": self.label, "text": self.text}


@dataclass(frozen=True)
class Section:
    """A block of lines under an optional heading; `bullets` lists them with "- "."""

    items: tuple[Item, ...]
    heading: str | None = None
    bullets: bool = False

    def lines(self) -> list[str]:
        out = [] if self.heading is None else [self.heading]
        out += [f"- {item.line()}" if self.bullets else item.line() for item in self.items]
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "heading": self.heading,
            "bullets": self.bullets,
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class Record:
    """A result as the record shows it. `final` is False for an error or an unfinished result,
    whose `notice` then heads the text."""

    kind: str  # "grade" or "sequence"
    status: str  # the result's own status
    final: bool
    title: str
    notice: str | None
    sections: tuple[Section, ...]
    link: str | None
    link_label: str | None
    footer: tuple[str, ...]  # version and date; the judgement line follows

    @property
    def text(self) -> str:
        """Plain text for a clinical record: blank lines between blocks, no markup."""
        blocks = [[self.title, *([self.notice] if self.notice else [])]]
        blocks += [section.lines() for section in self.sections if section.items]
        if self.link is not None and self.link_label is not None:
            blocks.append([f"{self.link_label}: {self.link}"])
        blocks.append([*self.footer, COMMON["judgement"]])
        return "\n\n".join("\n".join(block) for block in blocks) + "\n"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "status": self.status,
            "final": self.final,
            "title": self.title,
            "notice": self.notice,
            "sections": [s.to_dict() for s in self.sections if s.items],
            "link": self.link,
            "link_label": self.link_label,
            "footer": list(self.footer),
            "judgement": COMMON["judgement"],
            "text": self.text,
        }


def _footer(today: date) -> tuple[str, ...]:
    return (
        COMMON["version"].format(engine_version=ENGINE_VERSION, evidence_date=EVIDENCE_DATE),
        COMMON["date"].format(date=today.isoformat()),
    )


# ---------------------------------------------------------------------------------- grading


def grade_record(inputs: object, *, today: date) -> Record:
    """The record of grading `inputs` (the contract's input object)."""
    result = grade(inputs)  # type: ignore[arg-type]
    out = result.to_dict()
    if result.status == "error" or not isinstance(inputs, Mapping):
        error = out.get("error") or {"field": "input", "message": ""}
        return grade_error_record(str(error["field"]), str(error["message"]), today=today)
    site, differentiation, necrosis = read_tumour(inputs)
    head = [Item(str(out["headline"]), GRADE["result"])]
    head += [Item(line) for line in _reasons(out)]
    values = [
        Item(SITE_BY_ID[site].label, GRADE["site"]),
        Item(GRADE["differentiation_values"][differentiation], GRADE["differentiation"]),
    ]
    # Necrosis matters only under the thoracic criteria; shown there, or when it was given.
    if "thoracic_criteria_applied" in out["flags"] or inputs.get("necrosis") is not None:  # type: ignore[operator]
        key = "unknown" if necrosis is None else "present" if necrosis else "absent"
        values.append(Item(GRADE["necrosis_values"][key], GRADE["necrosis"]))
    values += index_items(inputs, out)
    return Record(
        kind="grade",
        status=result.status,
        final=result.status == "ok",
        title=GRADE["title"],
        notice=GRADE["incomplete"] if result.status == "incomplete" else None,
        sections=(
            Section(tuple(head)),
            Section(tuple(values), GRADE["values"]),
            Section(flag_items(out), GRADE["flags"], bullets=True),
        ),
        link=None,
        link_label=None,
        footer=_footer(today),
    )


def grade_error_record(field: str, message: str, *, today: date) -> Record:
    """The record of input that could not be graded: the problem, and no result."""
    return _error_record("grade", GRADE, _error_item(message, _grade_field_label(field)), today)


def _error_record(kind: str, words: dict[str, Any], detail: Item, today: date) -> Record:
    return Record(
        kind=kind,
        status="error",
        final=False,
        title=words["title"],
        notice=words["error"],
        sections=(Section((detail, Item(words["error_fix"]))),),
        link=None,
        link_label=None,
        footer=_footer(today),
    )


def _error_item(message: str, label: str) -> Item:
    """The engine's message, under the field's name unless the message starts with it."""
    if message.casefold().startswith(label.casefold()):
        return Item(message)
    return Item(message, label)


def _grade_field_label(field: str) -> str:
    """How the record names the field an error is about (never its key)."""
    own = {key: GRADE[key] for key in ("site", "differentiation", "necrosis")}
    labels: dict[str, str] = {**own, **GRADE["field_labels"]}
    if field in labels:
        return str(labels[field])
    if field in grading_text.FIELD_TEXTS:
        return grading_text.FIELD_TEXTS[field].subject
    return str(labels["input"])


def _reasons(out: Mapping[str, Any]) -> list[str]:
    """Which index set the grade, or why no index does (high grade by definition)."""
    lines = []
    if out.get("grade_driver") is not None:
        lines.append(grading_text.EXPLANATIONS[str(out["grade_driver"])])
    if out.get("grade") == grading_text.HIGH_GRADE:
        lines.append(grading_text.EXPLANATIONS["high_grade"])
    return lines


def flag_items(out: Mapping[str, Any]) -> tuple[Item, ...]:
    """Each flag of a grading result in one line, its severity as the label."""
    return tuple(
        Item(str(detail["text"]), COMMON[str(detail["severity"])])
        for detail in out.get("flag_details") or ()
    )


def index_items(inputs: Mapping[str, object], out: Mapping[str, Any]) -> list[Item]:
    """The indices as used (Ki-67 %, mitoses per 2 mm²) and as entered, the MiNEN component,
    and the areas counted; for a result the engine accepted."""
    items = []
    ne_component = inputs.get("ne_component_percent")
    if ne_component is not None:
        value = GRADE["ne_component_value"].format(value=_typed(ne_component))
        items.append(Item(value, GRADE["ne_component"]))
    items.append(Item(_ki67_text(inputs, out), GRADE["ki67"]))
    items.append(Item(_mitoses_text(inputs.get("mitoses"), out), GRADE["mitoses"]))
    items += [Item(line) for line in out.get("area_explanation") or ()]
    return items


def _ki67_text(inputs: Mapping[str, object], out: Mapping[str, Any]) -> str:
    percent = out.get("ki67_percent")
    if percent is None:
        return str(GRADE["not_given"])
    key = {None: "ki67_value", "below": "ki67_below", "above": "ki67_above"}[out.get("ki67_bound")]
    used = GRADE[key].format(value=number_text(float(percent)))
    counts = inputs.get("ki67")
    if isinstance(counts, Mapping):
        entered = GRADE["ki67_counts"].format(
            positive=_typed(counts.get("positive_cells")), total=_typed(counts.get("total_cells"))
        )
        return str(GRADE["from_entered"].format(used=used, entered=entered))
    if out.get("ki67_bound") is not None:
        return used  # the bound is what was entered, and says so
    return str(GRADE["as_entered"].format(used=used))


def _mitoses_text(given: object, out: Mapping[str, Any]) -> str:
    rate = out.get("mitoses_per_2mm2")
    if rate is None or not isinstance(given, Mapping):
        return str(GRADE["not_given"])
    used = GRADE["mitoses_value"].format(value=number_text(float(rate)))
    if "per_2mm2" in given and given.get("per_2mm2") is not None:
        return str(GRADE["as_entered"].format(used=used))
    count = _typed(given.get("count"))
    if given.get("area_mm2") is not None:
        entered = GRADE["mitoses_area"].format(count=count, area=_typed(given["area_mm2"]))
    elif given.get("field_diameter_mm") is not None:
        entered = GRADE["mitoses_hpf_diameter"].format(
            count=count, hpf=_typed(given.get("hpf")), diameter=_typed(given["field_diameter_mm"])
        )
    else:
        entered = GRADE["mitoses_hpf_area"].format(
            count=count,
            hpf=_typed(given.get("hpf")),
            field_area=_typed(given.get("field_area_mm2")),
        )
    return str(GRADE["from_entered"].format(used=used, entered=entered))


def _typed(value: object) -> str:
    """A number the reader entered, as a plain decimal ("12,5" is shown as 12.5)."""
    try:
        number = parse_number(value, allow_percent_sign=True)
    except (NumberError, FieldError):
        return str(value)[:40]  # not reached for an accepted result; never hide what was given
    return _decimal(number)


def _decimal(number: Fraction) -> str:
    exact = Decimal(number.numerator) / Decimal(number.denominator)
    return format(exact.normalize(), "f")


# ---------------------------------------------------------------------------------- sequencing


def checked_page_url(page_url: object) -> str:
    """The sequencing page's own address, checked: http(s), no spaces, not absurdly long.
    Raises ValueError saying what is wrong."""
    if not isinstance(page_url, str) or len(page_url) > MAX_PAGE_URL:
        raise ValueError(f"The page address must be text of at most {MAX_PAGE_URL} characters.")
    text = page_url.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ValueError("The page address must not contain spaces or control characters.")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("The page address must be an http:// or https:// address.")
    return text


def page_link(page_url: str, answers: Mapping[str, object]) -> str:
    """The sequencing page's address with the answers as its query: the link that reopens the
    result. The address's own query and fragment are dropped."""
    parts = urlsplit(checked_page_url(page_url))
    query = answers_to_query(answers)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def sequence_record(
    answers: Mapping[str, object], *, today: date, page_url: str | None = None
) -> Record:
    """The record of the sequencing walk for `answers` (keys of shared/spec/sequencing.md).
    With `page_url`, the record carries the link that reopens the result; without it, the
    link's query alone."""
    result = sequence(answers).to_dict()
    status = str(result["status"])
    if status == "error":
        error = result.get("error") or {"field": "input", "message": ""}
        return sequence_error_record(str(error["field"]), str(error["message"]), today=today)
    tree = load_tree()
    labels = tree.labels
    pathway = result.get("pathway")
    # A result outside the tree belongs to no pathway, whatever the site chose.
    title = (
        SEQUENCE["title_pathway"].format(pathway=labels["pathways"][pathway])
        if pathway and status != "out_of_scope"
        else SEQUENCE["title"]
    )
    final = status != "needs_input"
    notice = None
    head: list[Item] = []
    if status == "needs_input":
        notice = SEQUENCE["incomplete"]
        head.append(Item(str(result["next_question"]["text"]), SEQUENCE["open_question"]))
    elif status == "out_of_scope" and result.get("pointer"):
        pointer = result["pointer"]
        notice = SEQUENCE["out_of_scope"].format(reason=pointer["reason"])
        head.append(Item(SEQUENCE["see_page"].format(title=tree.pointers[pointer["page"]].title)))
    sections = [
        Section(tuple(head)),
        Section(
            _answer_items(tree, answers, result),
            SEQUENCE["answers"] if final else SEQUENCE["answers_so_far"],
        ),
        Section(_path_items(tree, result), None),
    ]
    grading = result.get("grading")
    if isinstance(grading, Mapping):
        items = [Item(str(grading["headline"]), GRADE["result"])]
        items += index_items(answers, grading)
        items += flag_items(grading)
        sections.append(Section(tuple(items), labels["result"]["grading"]))
    if status != "needs_input":
        sections += _option_sections(tree, result)
    advice = tuple(Item(str(a["text"])) for a in result.get("advice") or ())
    sections.append(Section(advice, labels["result"]["advice"], bullets=True))
    if page_url is None:
        link, link_label = "?" + answers_to_query(answers), SEQUENCE["query"]
    else:
        link = page_link(page_url, answers)
        link_label = SEQUENCE["link"] if final else SEQUENCE["link_incomplete"]
    return Record(
        kind="sequence",
        status=status,
        final=final,
        title=title,
        notice=notice,
        sections=tuple(sections),
        link=link,
        link_label=link_label,
        footer=_footer(today),
    )


def sequence_error_record(field: str, message: str, *, today: date) -> Record:
    """The record of answers that could not be used: the problem, and no result."""
    detail = _error_item(message, _sequence_field_label(field))
    return _error_record("sequence", SEQUENCE, detail, today)


def _sequence_field_label(field: str) -> str:
    if field in ANSWER_LABELS:
        return ANSWER_LABELS[field]
    if field in SEQUENCE["field_labels"]:
        return str(SEQUENCE["field_labels"][field])
    if field in grading_text.FIELD_TEXTS:
        return grading_text.FIELD_TEXTS[field].subject
    return str(SEQUENCE["field_labels"]["input"])


def _answer_items(
    tree: Tree, answers: Mapping[str, object], result: Mapping[str, Any]
) -> tuple[Item, ...]:
    """Each answer on the path, in the tree's words (a key asked twice is listed once), then
    the treatments already given."""
    items: list[Item] = []
    seen: set[str] = set()
    for step_id in result.get("path") or ():
        step = tree.step(step_id)
        if step.key is None or step.key in seen:
            continue
        value = answers.get(step.key)
        if isinstance(value, str) and value:
            choice = next((c.label for c in step.choices if c.value == value), None)
            if choice is not None:
                items.append(Item(choice, ANSWER_LABELS[step.key]))
                seen.add(step.key)
        elif step.key == "grade" and isinstance(result.get("grading"), Mapping):
            headline = result["grading"]["headline"]
            text = SEQUENCE["grade_from_indices"].format(headline=headline)
            items.append(Item(text, ANSWER_LABELS["grade"]))
            seen.add(step.key)
    if not items:
        items.append(Item(SEQUENCE["no_answers"]))
    prior = answers.get(PRIOR_KEY)
    if isinstance(prior, str):
        prior = [p.strip() for p in prior.split(",") if p.strip()]
    names = [tree.options[p].short_name for p in prior or () if p in tree.options]
    items.append(Item(", ".join(names) if names else SEQUENCE["prior_none"], SEQUENCE["prior"]))
    return tuple(items)


def _path_items(tree: Tree, result: Mapping[str, Any]) -> tuple[Item, ...]:
    path = result.get("path") or ()
    if not path:
        return ()
    titles = SEQUENCE["path_separator"].join(tree.step(s).title for s in path)
    label = SEQUENCE["path"] if result["status"] != "needs_input" else SEQUENCE["path_so_far"]
    return (Item(titles, label),)


def _option_sections(tree: Tree, result: Mapping[str, Any]) -> list[Section]:
    """The options best first, each in one line (preference, aims, strength: name, trials),
    then one note per distinct scope of the sources' grades."""
    labels = tree.labels
    scopes: list[str] = []
    items = []
    for option in result.get("options") or ():
        label = labels["preferences"][option["preference"]]
        aims = option.get("aims") or []
        if aims != ["tumour_control"]:
            label += " " + SEQUENCE["aims_separator"].join(labels["aims"][a] for a in aims)
        for other in option.get("also") or ():
            label += "; " + SEQUENCE["also"].format(
                preference=labels["preferences"][other["preference"]].lower(),
                aim=labels["aims"][other["aim"]],
            )
        if option.get("strength"):
            scope = option.get("strength_scope") or ""
            if scope not in scopes:
                scopes.append(scope)
            label += ", " + SEQUENCE["strength"].format(
                strength=option["strength"], number=scopes.index(scope) + 1
            )
        if option.get("newer"):
            label += ", " + SEQUENCE["newer"]
        text = str(option["name"])
        trials = [
            SEQUENCE["newer_trial"].format(name=tree.trials[t].name)
            if tree.trials[t].newer
            else tree.trials[t].name
            for t in option.get("evidence") or ()
        ]
        if trials:
            text += ". " + SEQUENCE["trials"].format(trials=", ".join(trials))
        else:
            text += ". " + labels["result"]["expert_opinion"]
        items.append(Item(text, label))
    if not items:
        if result["status"] != "complete":
            return []
        items.append(Item(labels["result"]["no_options"]))
    notes = tuple(
        Item(
            SEQUENCE["scope_note"].format(
                number=n, label=labels["result"]["strength_scope"], scope=scope
            )
        )
        for n, scope in enumerate(scopes, 1)
    )
    return [
        Section(tuple(items), SEQUENCE["options"], bullets=True),
        Section(notes, SEQUENCE["notes"]),
    ]
