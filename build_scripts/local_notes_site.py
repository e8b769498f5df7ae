"""The build's part of local notes: the id list and the notes file in site/.

`local-notes-ids.json` lists the step and option ids a note can attach to (with titles and
pages), from the tree data, so the bundled tool (build_scripts/local_notes.py, shipped as
hosting/local_notes.py) can refuse an unknown id without a checkout. `local-notes.json` is the
empty file, or the hospital's file given as `make site LOCAL_NOTES=...`, checked with the
tool's own rules (decisions/0031).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from build_scripts import local_notes
from build_scripts.render_tree import option_page, page_url, step_page
from calculator.sequencing import load_tree


class LocalNotesError(SystemExit):
    """The hospital's notes file breaks a rule; the message is the tool's."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"build failed: LOCAL_NOTES={path} is refused:\n{lines}")


def note_ids() -> dict[str, Any]:
    """Every step and option id of the data, with its title and the page that shows it."""
    tree = load_tree()
    steps = {
        s.id: {"title": s.title, "page": f"{page_url(step_page(s))}#{s.id}"} for s in tree.steps
    }
    options = {
        o.id: {"title": o.name, "page": page_url(option_page(o.id))} for o in tree.options.values()
    }
    shared = sorted(set(steps) & set(options))
    if shared:  # a note's id must say which one it is for
        raise SystemExit(f"build failed: ids used by both a step and an option: {shared}")
    return {"format": local_notes.FORMAT, "steps": steps, "options": options}


def ids_of(data: dict[str, Any]) -> local_notes.Ids:
    return local_notes.Ids(steps=data["steps"], options=data["options"])


def read_notes(path: Path, today: datetime.date | None = None) -> local_notes.Notes:
    """The hospital's notes from `path`, checked like the tool checks them (the build calls
    this first, so a bad file fails at once). Its checksum is not required: this build is the
    check, and it writes the checksum."""
    if not path.is_file():
        raise LocalNotesError(path, ["no such file"])
    notes, problems, _ = local_notes.parse(path.read_bytes())
    problems = [p for p in problems if not p.startswith("checksum:")]
    if not problems:
        ids = ids_of(note_ids())
        problems = local_notes.content_problems(notes, ids, today or datetime.date.today())
    if problems:
        raise LocalNotesError(path, problems)
    return notes


def write_local_notes(site: Path, notes: local_notes.Notes | None = None) -> Path:
    """Write site/local-notes-ids.json and site/local-notes.json (empty, or `notes`)."""
    data = note_ids()
    (site / local_notes.IDS_FILE).write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    target = site / local_notes.NOTES_FILE
    local_notes.write_atomic(target, local_notes.file_text(notes or local_notes.Notes()))
    return target
