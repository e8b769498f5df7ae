"""Local notes in the built site: the notes file and the tool's id list, and one place for a
note at every step and option (docs/javascripts/local-notes.js fills them)."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from build_scripts import local_notes as tool
from build_scripts.local_notes_site import note_ids
from build_scripts.paths import SITE
from tests.built_site import HTML_FILES

SLOT = re.compile(r'<div class="net-local-notes" data-local-notes-for="([^"]+)"></div>')
SCRIPT = re.compile(r'<script src="[^"]*javascripts/local-notes\.js"></script>')


def slots() -> dict[str, list[str]]:
    """Each note id's places: the site-relative page URLs that hold a slot for it."""
    found: dict[str, list[str]] = defaultdict(list)
    for html in HTML_FILES:
        page = html.parent.relative_to(SITE).as_posix().removeprefix(".")
        page = f"{page}/" if page else ""
        text = html.read_text(encoding="utf-8")
        ids = SLOT.findall(text)
        if ids:
            assert SCRIPT.search(text), f"{page} has note places but no local-notes.js"
        for note_id in ids:
            found[note_id].append(page)
    return found


def test_every_step_and_option_has_one_place_on_its_page() -> None:
    ids = json.loads((SITE / tool.IDS_FILE).read_text(encoding="utf-8"))
    assert ids == note_ids()  # the tool's list is this build's data
    places = slots()
    expected = {
        note_id: [entry["page"].split("#")[0]]
        for entries in (ids["steps"], ids["options"])
        for note_id, entry in entries.items()
    }
    assert dict(places) == expected


def test_the_notes_file_passes_the_tools_check_and_has_no_compressed_copy() -> None:
    notes, problems, matches = tool.parse((SITE / tool.NOTES_FILE).read_bytes())
    assert problems == [] and matches
    assert sorted(p.name for p in SITE.glob(f"{tool.NOTES_FILE}.*")) == []
    assert tool.main(["--site", str(SITE), "check"]) == 0
