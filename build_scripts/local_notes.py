"""Local notes of a hosting hospital: check and edit site/local-notes.json.

A hospital that hosts the NET Guide can attach short notes of its own (who to refer to, what
its formulary holds) to the guide's steps and options. The pages show each note in a box marked
as that hospital's note, never as the guideline's text, and never as HTML
(docs/javascripts/local-notes.js; decisions/0031).

This file is the admin's tool. The hosting bundle ships it as `hosting/local_notes.py`: standard
library only and no project imports, so any python3 (3.8 or later) runs it with no checkout.
The site build imports it to check `make site LOCAL_NOTES=...` with the same rules.

    python3 hosting/local_notes.py check
    python3 hosting/local_notes.py hospital "St Example Hospital, NET service"
    python3 hosting/local_notes.py reviewed today
    python3 hosting/local_notes.py add captem "On our formulary; pharmacy ext. 2200."
    python3 hosting/local_notes.py remove captem
    python3 hosting/local_notes.py list
    python3 hosting/local_notes.py ids [WORD]

The file carries a checksum of its content. It is not a signature (anyone who can write the
file can recompute it): it makes a hand edit that skipped these checks visible, so the pages
report "not shown" instead of showing a note that was never checked. `accept-edits` checks a
deliberate hand edit and records its checksum.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
NOTES_FILE = "local-notes.json"
IDS_FILE = "local-notes-ids.json"  # the step and option ids of this build (written by the build)
MAX_NOTE = 400  # characters: a note is a pointer (a name, a number, a link), not a document
MAX_HOSPITAL = 100
STALE_DAYS = 365  # `check` and `list` say so when the review is older than this
ABOUT = (
    "Local notes of the hospital hosting this site. Edit with "
    "`python3 hosting/local_notes.py` (see HOSTING.md); a hand edit fails the checksum "
    "and the pages then show no notes."
)
FIELDS = ("about", "format", "hospital", "reviewed", "notes", "checksum")
TOOL = "python3 hosting/local_notes.py"

# Exit codes: 0 done, 1 refused or the file fails its check (nothing written), 2 cannot run.
OK, REFUSED, CANNOT_RUN = 0, 1, 2

# What plain text excludes. Notes are shown with textContent, so none of this could run; it is
# refused because it means markup was pasted (and would show as literal tags) or is an attack.
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript|livescript)\s*:", re.IGNORECASE)
_DATA_URL = re.compile(r"\bdata:(?=\S)", re.IGNORECASE)
_BAD_CATEGORIES = {
    "Cc": "a control character or line break (a note is one line)",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
    "Zl": "a line separator (a note is one line)",
    "Zp": "a paragraph separator (a note is one line)",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CHECKSUM = re.compile(r"^sha256:[0-9a-f]{64}$")


class ToolError(Exception):
    """Cannot run at all (no site folder, no id list): exit 2."""


@dataclass
class Notes:
    hospital: str = ""
    reviewed: str = ""
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class Ids:
    """The ids notes can attach to, with each one's title and page (from the build)."""

    steps: dict[str, dict[str, str]]
    options: dict[str, dict[str, str]]

    def kind(self, note_id: str) -> str | None:
        if note_id in self.steps:
            return "step"
        if note_id in self.options:
            return "option"
        return None

    def title(self, note_id: str) -> str:
        entry = self.steps.get(note_id) or self.options.get(note_id) or {}
        return entry.get("title", "")

    def all(self) -> list[str]:
        return sorted([*self.steps, *self.options])


# ------------------------------------------------------------------------------ rules


def text_problem(text: str, limit: int) -> str | None:
    """Why `text` is not allowed as plain text of at most `limit` characters, or None."""
    if not text.strip():
        return "it is empty"
    if text != text.strip():
        return "it starts or ends with spaces"
    if len(text) > limit:
        return (
            f"it has {len(text)} characters; the limit is {limit} "
            "(keep it short: point to a longer local document by its address)"
        )
    for index, char in enumerate(text, start=1):
        if char in "<>":
            return (
                f"it contains {char!r} (character {index}): '<' and '>' are refused so that "
                "nothing can look like HTML; write 'below'/'above', or use ≤ and ≥"
            )
        category = unicodedata.category(char)
        if category in _BAD_CATEGORIES:
            return (
                f"it contains {_BAD_CATEGORIES[category]}, U+{ord(char):04X} (character "
                f"{index}); only visible text and spaces are allowed"
            )
    found = _ENTITY.search(text)
    if found:
        return (
            f"it contains the HTML character reference {found.group(0)!r}: notes are plain "
            "text, so write the character itself (a plain '&' is fine)"
        )
    for pattern in (_SCRIPT_URL, _DATA_URL):
        found = pattern.search(text)
        if found:
            return (
                f"it contains {found.group(0)!r}: only http:// and https:// addresses are "
                "allowed (they become links)"
            )
    return None


def date_problem(value: str, today: datetime.date) -> str | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return f"{value!r} is not a date written YYYY-MM-DD (e.g. 2026-05-01)"
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date of the calendar"
    if day > today:
        return f"{value} is in the future (today is {today.isoformat()})"
    return None


def id_problem(note_id: str, ids: Ids) -> str | None:
    if ids.kind(note_id):
        return None
    close = difflib.get_close_matches(note_id, ids.all(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"unknown id {note_id!r}: not a step or option id of this site.{hint} "
        f"List them with: {TOOL} ids"
    )


def content_problems(notes: Notes, ids: Ids, today: datetime.date) -> list[str]:
    """Every rule the content breaks (the checksum aside), one message each."""
    problems = []
    if notes.hospital:
        problem = text_problem(notes.hospital, MAX_HOSPITAL)
        if problem:
            problems.append(f"hospital: {problem}")
    elif notes.notes:
        problems.append(f'hospital: not set; set it with: {TOOL} hospital "NAME"')
    if notes.reviewed:
        problem = date_problem(notes.reviewed, today)
        if problem:
            problems.append(f"reviewed: {problem}")
    elif notes.notes:
        problems.append(f"reviewed: not set; set it with: {TOOL} reviewed YYYY-MM-DD")
    for note_id, text in sorted(notes.notes.items()):
        problem = id_problem(note_id, ids)
        if problem:
            problems.append(problem)
        problem = text_problem(text, MAX_NOTE)
        if problem:
            problems.append(f"note {note_id!r}: {problem}")
    return problems


# ------------------------------------------------------------------------------ the file


def checksum(notes: Notes) -> str:
    """SHA-256 of the content as canonical JSON; docs/javascripts/local-notes.js computes the
    same (JSON.stringify of the same array), so the page can tell a hand edit."""
    canonical = json.dumps(
        [FORMAT, notes.hospital, notes.reviewed, sorted(notes.notes.items())],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest}"


def file_text(notes: Notes) -> str:
    data = {
        "about": ABOUT,
        "format": FORMAT,
        "hospital": notes.hospital,
        "reviewed": notes.reviewed,
        "notes": dict(sorted(notes.notes.items())),
        "checksum": checksum(notes),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def parse(raw: bytes) -> tuple[Notes, list[str], bool]:
    """The notes in `raw`, the problems of its shape, and whether its checksum matches."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return Notes(), [f"not UTF-8 text ({error.reason} at byte {error.start})"], False
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        return Notes(), [f"not valid JSON ({error.msg} at {where})"], False
    if not isinstance(data, dict):
        return Notes(), ["not a JSON object"], False
    problems = [f"unknown field {name!r}" for name in data if name not in FIELDS]
    if data.get("format") != FORMAT:
        problems.append(f"format: expected {FORMAT}, found {data.get('format')!r}")
    notes = Notes()
    for name in ("hospital", "reviewed"):
        value = data.get(name, "")
        if isinstance(value, str):
            setattr(notes, name, value)
        else:
            problems.append(f"{name}: must be text")
    found = data.get("notes", {})
    if not isinstance(found, dict):
        problems.append("notes: must be an object of id: text")
        found = {}
    for note_id, text in found.items():
        if not _ID.match(note_id):
            problems.append(f"note id {note_id!r}: ids are lower-case letters, digits, - and _")
        if isinstance(text, str):
            notes.notes[note_id] = text
        else:
            problems.append(f"note {note_id!r}: must be text")
    stored = data.get("checksum")
    if not isinstance(stored, str) or not _CHECKSUM.match(stored):
        problems.append("checksum: missing or not sha256:<64 hex digits>")
    matches = stored == checksum(notes)
    return notes, problems, matches


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` in one step: a reader (the web server) sees the old file or the new one,
    never half of one. The new file keeps the old one's permissions (the server must read it)."""
    mode = (path.stat().st_mode & 0o7777) if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    # Servers send foo.json.br/.gz instead of foo.json when present: a stale copy would hide
    # the edit. The build never writes them (build_scripts/precompress.py skips this file).
    for suffix in (".br", ".gz"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def load_ids(site: Path) -> Ids:
    path = site / IDS_FILE
    if not path.is_file():
        raise ToolError(
            f"{path} is missing: this site was built without local notes support, or "
            f"{site} is not a NET Guide site folder"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return Ids(steps=data["steps"], options=data["options"])


# ------------------------------------------------------------------------------ commands


class Session:
    """One run of the tool against one site folder and notes file."""

    def __init__(self, site: Path, notes_file: Path | None, today: datetime.date) -> None:
        if not (site / "index.html").is_file():
            raise ToolError(
                f"no site folder at {site} (this tool expects to sit in the bundle's hosting/ "
                "folder, beside site/): pass --site PATH"
            )
        self.site = site
        self.path = notes_file or site / NOTES_FILE
        self.ids = load_ids(site)
        self.today = today

    def read(self) -> tuple[Notes, list[str], bool]:
        """The file's notes, every problem, and whether the pages show them."""
        if not self.path.exists():
            return Notes(), [], True  # no file: no notes, like the empty file
        notes, problems, matches = parse(self.path.read_bytes())
        if not problems:
            problems = content_problems(notes, self.ids, self.today)
            if not matches:
                problems.append(
                    "checksum: does not match the content: the file was changed outside this "
                    f"tool, so the pages show none of its notes. If the change is wanted, run: "
                    f"{TOOL} accept-edits"
                )
        return notes, problems, not problems

    def warnings(self, notes: Notes) -> list[str]:
        if notes.notes and notes.reviewed and not date_problem(notes.reviewed, self.today):
            age = (self.today - datetime.date.fromisoformat(notes.reviewed)).days
            if age > STALE_DAYS:
                return [
                    f"warning: the notes were last reviewed {age} days ago ({notes.reviewed}); "
                    f"review them and run: {TOOL} reviewed today"
                ]
        return []

    def editable(self) -> Notes:
        notes, problems, _ = self.read()
        if problems:
            raise Refused(
                [
                    f"{self.path} fails its check, so nothing was changed:",
                    *problems,
                    f"Fix it by hand and run `{TOOL} accept-edits`, or delete it to start again.",
                ]
            )
        return notes

    def save(self, notes: Notes, done: str) -> None:
        problems = content_problems(notes, self.ids, self.today)
        if problems:
            raise Refused(problems)
        write_atomic(self.path, file_text(notes))
        count = len(notes.notes)
        print(f"{done}; {count} note{'s' if count != 1 else ''} in {self.path}")

    def describe(self, note_id: str) -> str:
        return f"{self.ids.kind(note_id)} {note_id} ({self.ids.title(note_id)})"


class Refused(Exception):
    """The request breaks a rule: exit 1 with the messages, nothing written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def cmd_check(session: Session, args: argparse.Namespace) -> int:
    notes, problems, _ = session.read()
    if problems:
        print(f"{session.path}: the pages show none of its notes until this is fixed:")
        for problem in problems:
            print(f"  - {problem}")
        return REFUSED
    for line in session.warnings(notes):
        print(line)
    if not session.path.exists():
        print(f"{session.path} does not exist: no local notes are shown")
    elif not notes.notes:
        print(f"{session.path}: OK, no notes (nothing is shown)")
    else:
        print(
            f"{session.path}: OK, {len(notes.notes)} notes of {notes.hospital}, "
            f"reviewed {notes.reviewed}"
        )
    return OK


def cmd_list(session: Session, args: argparse.Namespace) -> int:
    notes, problems, _ = session.read()
    print(f"hospital: {notes.hospital or '(not set)'}")
    print(f"reviewed: {notes.reviewed or '(not set)'}")
    for note_id, text in sorted(notes.notes.items()):
        kind = session.ids.kind(note_id) or "unknown"
        print(f"{kind} {note_id} ({session.ids.title(note_id) or 'no such id'}):\n    {text}")
    if not notes.notes:
        print("no notes")
    for line in session.warnings(notes):
        print(line)
    if problems:
        print(f"this file fails its check, so the pages show none of it; see: {TOOL} check")
        return REFUSED
    return OK


def cmd_ids(session: Session, args: argparse.Namespace) -> int:
    word = (args.word or "").lower()
    for kind, entries in (("step", session.ids.steps), ("option", session.ids.options)):
        for note_id, entry in sorted(entries.items()):
            line = f"{kind:6} {note_id:28} {entry['title']}  [{entry['page']}]"
            if word in line.lower():
                print(line)
    return OK


def cmd_add(session: Session, args: argparse.Namespace) -> int:
    notes = session.editable()
    problem = id_problem(args.id, session.ids)
    if problem:
        raise Refused([problem])
    text = args.text.strip()
    problem = text_problem(text, MAX_NOTE)
    if problem:
        raise Refused([f"note for {args.id!r}: {problem}"])
    if args.id in notes.notes and not args.replace:
        raise Refused(
            [
                f"{session.describe(args.id)} already has a note:",
                f"    {notes.notes[args.id]}",
                "Add --replace to replace it, or remove it first.",
            ]
        )
    replaced = args.id in notes.notes
    notes.notes[args.id] = text
    verb = "replaced the note on" if replaced else "added a note to"
    session.save(notes, f"{verb} {session.describe(args.id)}")
    return OK


def cmd_remove(session: Session, args: argparse.Namespace) -> int:
    notes = session.editable()
    if args.id not in notes.notes:
        known = ", ".join(sorted(notes.notes)) or "none"
        raise Refused([f"no note on {args.id!r} to remove (notes on: {known})"])
    del notes.notes[args.id]
    described = session.describe(args.id) if session.ids.kind(args.id) else args.id
    session.save(notes, f"removed the note on {described}")
    return OK


def cmd_hospital(session: Session, args: argparse.Namespace) -> int:
    notes = session.editable()
    name = args.name.strip()
    problem = text_problem(name, MAX_HOSPITAL)
    if problem:
        raise Refused([f"hospital name: {problem}"])
    notes.hospital = name
    session.save(notes, f"hospital set to {name!r}")
    return OK


def cmd_reviewed(session: Session, args: argparse.Namespace) -> int:
    notes = session.editable()
    value = session.today.isoformat() if args.date == "today" else args.date
    problem = date_problem(value, session.today)
    if problem:
        raise Refused([f"review date: {problem}"])
    notes.reviewed = value
    session.save(notes, f"review date set to {value}")
    return OK


def cmd_accept_edits(session: Session, args: argparse.Namespace) -> int:
    if not session.path.exists():
        raise Refused([f"{session.path} does not exist: nothing to accept"])
    notes, problems, _ = parse(session.path.read_bytes())
    shape = [p for p in problems if not p.startswith("checksum:")]
    problems = shape or content_problems(notes, session.ids, session.today)
    if problems:
        raise Refused([f"{session.path} still breaks these rules; nothing was changed:", *problems])
    session.save(notes, "checked the edited file and recorded its checksum")
    return OK


COMMANDS = {
    "check": cmd_check,
    "list": cmd_list,
    "ids": cmd_ids,
    "add": cmd_add,
    "remove": cmd_remove,
    "hospital": cmd_hospital,
    "reviewed": cmd_reviewed,
    "accept-edits": cmd_accept_edits,
}


def parser() -> argparse.ArgumentParser:
    here = Path(__file__).resolve().parent
    top = argparse.ArgumentParser(
        prog="local_notes.py",
        description="Check and edit the hospital's local notes (site/local-notes.json).",
        epilog=(
            "Exit status: 0 done; 1 refused or the file fails its check (the message says why; "
            "nothing was written); 2 wrong command line, or no site folder found. "
            "See HOSTING.md, 'Local notes'."
        ),
    )
    top.add_argument(
        "--site",
        type=Path,
        default=here.parent / "site",
        help="the site folder (default: site/ beside this tool's folder, as in the bundle)",
    )
    top.add_argument(
        "--file",
        type=Path,
        default=None,
        help="the notes file (default: SITE/local-notes.json)",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("check", help="check the file; exit 0 when the pages will show it")
    commands.add_parser("list", help="show the hospital, the review date and every note")
    ids = commands.add_parser("ids", help="list the step and option ids a note can attach to")
    ids.add_argument("word", nargs="?", help="only lines containing this word")
    add = commands.add_parser("add", help="add a note to a step or option id")
    add.add_argument("id", help="a step id (e.g. pnet-progression-on-ssa) or option id (captem)")
    add.add_argument("text", help=f"plain text, one line, at most {MAX_NOTE} characters")
    add.add_argument("--replace", action="store_true", help="replace the id's existing note")
    remove = commands.add_parser("remove", help="remove the note of an id")
    remove.add_argument("id")
    hospital = commands.add_parser("hospital", help="set the hospital's name shown on each note")
    hospital.add_argument("name")
    reviewed = commands.add_parser("reviewed", help="set the date the notes were last reviewed")
    reviewed.add_argument("date", help="YYYY-MM-DD, or 'today'")
    commands.add_parser(
        "accept-edits", help="check a hand-edited file with every rule and record its checksum"
    )
    return top


def main(argv: list[str] | None = None, today: datetime.date | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # a console without UTF-8 still gets the message
    args = parser().parse_args(argv)
    try:
        session = Session(args.site, args.file, today or datetime.date.today())
        return COMMANDS[args.command](session, args)
    except Refused as refused:
        first, *rest = refused.messages
        print(f"refused: {first}", *(f"  {line}" for line in rest), sep="\n", file=sys.stderr)
        return REFUSED
    except ToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return CANNOT_RUN
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
