"""Local notes: the admin's tool (build_scripts/local_notes.py, shipped as
hosting/local_notes.py), its rules and file, and the build's part (local_notes_site.py).

The tool runs as a subprocess from an unpacked bundle made by make_dist (the worked example of
HOSTING.md, exit codes, messages); the table of rejections runs in-process through `main`, the
same code, to keep the tier fast.
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from build_scripts import local_notes as tool
from build_scripts import make_dist as dist
from build_scripts.local_notes_site import (
    LocalNotesError,
    note_ids,
    read_notes,
    write_local_notes,
)
from build_scripts.precompress import precompress
from calculator.version import ENGINE_VERSION

REPO = Path(__file__).resolve().parents[2]
HOSTING_MD = REPO / "build_scripts" / "hosting" / "HOSTING.md"
EXAMPLE = REPO / "tests" / "fixtures" / "local-notes-example.json"
PUBLISHED = REPO / "tests" / "ids" / "published_ids.json"
TODAY = datetime.date(2026, 12, 5)
EMPTY_NOTES = {"format", "hospital", "reviewed", "notes", "checksum", "about"}


def fake_site(root: Path) -> Path:
    site = root / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>t</title>" + "words " * 300)
    write_local_notes(site)
    return site


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundle")
    site = fake_site(root)
    cache = root / "cache"
    original = dist.precompress
    dist.precompress = lambda s: precompress(s, cache=cache)  # type: ignore[assignment]
    try:
        return dist.make_dist(site, root / "dist")
    finally:
        dist.precompress = original  # type: ignore[assignment]


@pytest.fixture
def bundle(bundle_zip: Path, tmp_path: Path) -> Path:
    """A fresh unpacked bundle for each test."""
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(tmp_path)
    return tmp_path / f"net-guide-{ENGINE_VERSION}"


def run(top: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The bundled tool as an admin runs it: a bare python3 (-I: no project on the path)."""
    command = [sys.executable, "-I", "hosting/local_notes.py", *args]
    return subprocess.run(command, cwd=top, capture_output=True, text=True, check=False)


def example_commands() -> list[list[str]]:
    """The worked example's tool lines, exactly as HOSTING.md shows them."""
    text = HOSTING_MD.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- local-notes-example: start -->\n```sh\n(.*?)```\n<!-- local-notes-example: end -->",
        text,
        re.S,
    )
    assert block, "HOSTING.md lost its worked example markers"
    lines = block.group(1).splitlines()
    assert lines[0].startswith("cd net-guide-")
    commands = [shlex.split(line) for line in lines[1:]]
    assert all(c[:2] == ["python3", "hosting/local_notes.py"] for c in commands), commands
    return [c[2:] for c in commands]


# ------------------------------------------------------------------ the bundle and the example


def test_bundle_ships_the_tool_its_ids_and_an_empty_notes_file(bundle: Path) -> None:
    assert (bundle / "hosting" / "local_notes.py").read_bytes() == Path(tool.__file__).read_bytes()
    site = bundle / "site"
    data = json.loads((site / "local-notes.json").read_text(encoding="utf-8"))
    assert set(data) == EMPTY_NOTES
    assert (data["hospital"], data["reviewed"], data["notes"]) == ("", "", {})
    assert not list(site.glob("local-notes.json.*"))  # no .br/.gz copy to go stale
    checked = run(bundle, "check")
    assert checked.returncode == 0, checked.stderr
    assert "OK, no notes" in checked.stdout
    ids = json.loads((site / "local-notes-ids.json").read_text(encoding="utf-8"))
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert set(published["steps"]) <= set(ids["steps"])
    assert set(published["options"]) <= set(ids["options"])
    assert ids["steps"]["pnet-progression-on-ssa"]["page"] == (
        "algorithm/pnet/#pnet-progression-on-ssa"
    )
    assert ids["options"]["captem"]["page"] == "options/captem/"


def test_worked_example_of_hosting_md_gives_the_fixture(bundle: Path) -> None:
    outputs = []
    for args in example_commands():
        done = run(bundle, *args)
        assert done.returncode == 0, (args, done.stderr)
        outputs.append(done.stdout)
    assert "prrt_lu177_dotatate" in outputs[2]  # `ids prrt` found the id to use
    assert (
        outputs[-1]
        .strip()
        .endswith("OK, 4 notes of St Example Hospital, NET service, reviewed 2026-11-20")
    )
    written = (bundle / "site" / "local-notes.json").read_bytes()
    assert written == EXAMPLE.read_bytes()
    # The mistyped id HOSTING.md shows, with its message and status.
    refused = run(bundle, "add", "captem_x", "On formulary.")
    assert refused.returncode == 1
    assert refused.stderr.strip() in HOSTING_MD.read_text(encoding="utf-8")
    assert (bundle / "site" / "local-notes.json").read_bytes() == written


def test_commands_list_ids_replace_and_remove(bundle: Path) -> None:
    shutil.copy(EXAMPLE, bundle / "site" / "local-notes.json")
    listed = run(bundle, "list")
    assert listed.returncode == 0, listed.stderr
    assert "hospital: St Example Hospital, NET service" in listed.stdout
    assert "option sunitinib (Sunitinib" in listed.stdout
    ids = run(bundle, "ids", "captem")
    assert ids.returncode == 0 and ids.stdout.split()[:2] == ["option", "captem"]
    again = run(bundle, "add", "sunitinib", "New text.")
    assert again.returncode == 1 and "--replace" in again.stderr
    replaced = run(bundle, "add", "sunitinib", "New text.", "--replace")
    assert replaced.returncode == 0 and "replaced the note on option sunitinib" in replaced.stdout
    removed = run(bundle, "remove", "grade")
    assert removed.returncode == 0 and "3 notes" in removed.stdout
    data = json.loads((bundle / "site" / "local-notes.json").read_text(encoding="utf-8"))
    assert data["notes"]["sunitinib"] == "New text." and "grade" not in data["notes"]
    assert run(bundle, "check").returncode == 0


def test_tool_finds_no_site_and_says_how(tmp_path: Path, bundle: Path) -> None:
    lone = tmp_path / "elsewhere"
    (lone / "hosting").mkdir(parents=True)
    shutil.copy(bundle / "hosting" / "local_notes.py", lone / "hosting")
    done = run(lone, "check")
    assert done.returncode == 2 and "pass --site PATH" in done.stderr
    moved = run(lone, "--site", str(bundle / "site"), "check")  # the document root elsewhere
    assert moved.returncode == 0, moved.stderr
    (bundle / "site" / "local-notes-ids.json").unlink()
    assert run(bundle, "check").returncode == 2
    usage = run(bundle, "frobnicate")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


# ------------------------------------------------------------------ rules (in-process)


@pytest.fixture(scope="module")
def ids_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_site(tmp_path_factory.mktemp("ids"))


@pytest.fixture
def site(ids_site: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "site"
    shutil.copytree(ids_site, copy)
    yield copy


def call(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = tool.main(["--site", str(site), *args], today=TODAY)
    out = capsys.readouterr()
    return code, out.out, out.err


def ready(site: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    assert call(site, capsys, "hospital", "St Example & Haematology")[0] == 0
    assert call(site, capsys, "reviewed", "2026-11-20")[0] == 0
    assert call(site, capsys, "add", "captem", "On formulary.")[0] == 0
    return (site / "local-notes.json").read_bytes()


REJECTED = [
    (["add", "capetem", "x"], "unknown id 'capetem'", "Did you mean 'captem'?"),
    (["add", "captem", "x" * 401], "it has 401 characters; the limit is 400", ""),
    (["add", "captem", "<img src=x onerror=alert(1)>"], "it contains '<' (character 1)", "HTML"),
    (["add", "captem", "Ki-67 > 20 %"], "it contains '>' (character 7)", "≥"),
    (["add", "captem", "A &amp; B"], "HTML character reference '&amp;'", "plain '&' is fine"),
    (["add", "captem", "x &#60;b"], "HTML character reference '&#60;'", ""),
    (["add", "captem", "x &#x3C;b"], "HTML character reference '&#x3C;'", ""),
    (["add", "captem", "see javascript:alert(1)"], "it contains 'javascript:'", "https://"),
    (["add", "captem", "JavaScript :alert(1)"], "it contains 'JavaScript :'", ""),
    (["add", "captem", "see data:text/html,x"], "it contains 'data:'", ""),
    (["add", "captem", "line\nbreak"], "a control character or line break", "U+000A"),
    (["add", "captem", "tab\there"], "a control character or line break", "U+0009"),
    (["add", "captem", "abc\u202edef"], "an invisible formatting character", "U+202E"),
    (["add", "captem", "zero\u200bwidth"], "an invisible formatting character", "U+200B"),
    (["add", "captem", "   "], "it is empty", ""),
    (["hospital", "H" * 101], "hospital name: it has 101 characters; the limit is 100", ""),
    (["hospital", "<b>H</b>"], "hospital name: it contains '<'", ""),
    (["reviewed", "2026-12-06"], "2026-12-06 is in the future (today is 2026-12-05)", ""),
    (["reviewed", "20/11/2026"], "not a date written YYYY-MM-DD", ""),
    (["reviewed", "2026-02-30"], "not a date of the calendar", ""),
    (["remove", "sunitinib"], "no note on 'sunitinib' to remove (notes on: captem)", ""),
    (["add", "captem", "again"], "already has a note", "--replace"),
]


@pytest.mark.parametrize(("args", "message", "hint"), REJECTED, ids=lambda v: str(v)[:30])
def test_rejections_leave_the_file_unchanged(
    site: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str, hint: str
) -> None:
    before = ready(site, capsys)
    code, out, err = call(site, capsys, *args)
    assert code == 1, (out, err)
    assert err.startswith("refused: ") and message in err and hint in err, err
    assert (site / "local-notes.json").read_bytes() == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == []


def test_a_note_needs_the_hospital_and_review_date_first(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = call(site, capsys, "add", "captem", "On formulary.")
    assert code == 1
    assert 'hospital: not set; set it with: python3 hosting/local_notes.py hospital "NAME"' in err
    assert "reviewed: not set" in err


@pytest.mark.parametrize(
    "text",
    [
        "Oncology & Haematology: ext. 4321, +44 20 7946 0000",
        "Form: https://intranet.example/forms/a?b=1&c=2 (or http://10.0.0.5/f).",
        "Ki-67 ≥ 20 %, dose ≤ 5 µg; Trial data: none; ¿qué? 日本語 ✓",
        "Markdown is **not** read",
        "x" * 400,
    ],
)
def test_plain_text_that_is_accepted(
    site: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    ready(site, capsys)
    code, _, err = call(site, capsys, "add", "everolimus", text)
    assert code == 0, err
    data = json.loads((site / "local-notes.json").read_text(encoding="utf-8"))
    assert data["notes"]["everolimus"] == text


def test_stale_review_is_a_warning_not_an_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ready(site, capsys)
    code, out, _ = call(site, capsys, "reviewed", "2025-11-01")
    assert code == 0
    code, out, _ = call(site, capsys, "check")
    assert code == 0 and "warning: the notes were last reviewed 399 days ago" in out


# ------------------------------------------------------------------ checksum and the file


def test_checksum_is_of_the_content_and_reports_a_hand_edit(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLE, site / "local-notes.json")
    assert call(site, capsys, "check")[0] == 0
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    canonical = json.dumps(
        [1, data["hospital"], data["reviewed"], sorted(data["notes"].items())],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert data["checksum"] == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    # The `about` text and the layout are not covered: only what the pages show.
    data["about"] = "changed"
    (site / "local-notes.json").write_text(json.dumps(data), encoding="utf-8")
    assert call(site, capsys, "check")[0] == 0
    # A hand edit of a note is reported, and the tool edits nothing until it is resolved.
    data["notes"]["sunitinib"] = "Now on formulary."
    (site / "local-notes.json").write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = call(site, capsys, "check")
    assert code == 1 and "checksum: does not match the content" in out
    assert "accept-edits" in out
    edited = (site / "local-notes.json").read_bytes()
    code, _, err = call(site, capsys, "add", "captem", "x")
    assert code == 1 and "fails its check, so nothing was changed" in err
    assert (site / "local-notes.json").read_bytes() == edited
    assert call(site, capsys, "list")[0] == 1
    code, out, _ = call(site, capsys, "accept-edits")
    assert code == 0 and "recorded its checksum" in out
    assert call(site, capsys, "check")[0] == 0


def test_accept_edits_still_applies_every_rule(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["notes"]["sunitinib"] = "<img src=x onerror=alert(1)>"
    data["notes"]["no-such-step"] = "x"
    (site / "local-notes.json").write_text(json.dumps(data), encoding="utf-8")
    code, _, err = call(site, capsys, "accept-edits")
    assert code == 1
    assert "unknown id 'no-such-step'" in err and "note 'sunitinib': it contains '<'" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": 1, "notes": {', "not valid JSON (Expecting"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[]", "not a JSON object"),
        (b'{"format": 2, "hospital": "", "reviewed": "", "notes": {}}', "format: expected 1"),
        (b'{"format": 1, "hospital": 5, "reviewed": "", "notes": {}}', "hospital: must be text"),
        (b'{"format": 1, "notes": {"captem": 3}}', "note 'captem': must be text"),
        (b'{"format": 1, "notes": {"Captem": "x"}}', "ids are lower-case letters"),
        (b'{"format": 1, "notes": {}, "extra": 1}', "unknown field 'extra'"),
        (b'{"format": 1, "hospital": "", "reviewed": "", "notes": {}}', "checksum: missing"),
    ],
)
def test_a_broken_file_is_reported(
    site: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    (site / "local-notes.json").write_bytes(content)
    code, out, _ = call(site, capsys, "check")
    assert code == 1 and message in out, out


def test_no_file_means_no_notes_and_the_first_edit_creates_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "local-notes.json").unlink()
    code, out, _ = call(site, capsys, "check")
    assert code == 0 and "does not exist: no local notes are shown" in out
    ready(site, capsys)
    assert call(site, capsys, "check")[0] == 0


def test_write_is_atomic_keeps_permissions_and_drops_compressed_copies(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = site / "local-notes.json"
    before = ready(site, capsys)
    notes.chmod(0o640)
    linked = site / "linked-copy.json"
    os.link(notes, linked)  # a reader holding the old file keeps it whole
    for suffix in (".br", ".gz"):
        Path(f"{notes}{suffix}").write_bytes(b"stale")
    assert call(site, capsys, "add", "sunitinib", "Second note.")[0] == 0
    assert notes.stat().st_mode & 0o777 == 0o640
    assert linked.read_bytes() == before  # replaced by rename, never rewritten in place
    assert not Path(f"{notes}.br").exists() and not Path(f"{notes}.gz").exists()
    after = notes.read_bytes()

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(tool.os, "replace", fail)
    code, _, err = call(site, capsys, "add", "everolimus", "Third note.")
    assert code == 2 and "disk full" in err
    assert notes.read_bytes() == after
    leftovers = [p.name for p in site.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


# ------------------------------------------------------------------ the build's part


def test_build_reads_a_hospital_file_with_the_tools_rules(tmp_path: Path) -> None:
    notes = read_notes(EXAMPLE, TODAY)
    assert notes.hospital == "St Example Hospital, NET service" and len(notes.notes) == 4
    # A file kept by hand needs no checksum: the build is the check and writes it.
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del data["checksum"], data["about"]
    by_hand = tmp_path / "by-hand.json"
    by_hand.write_text(json.dumps(data), encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    written = write_local_notes(site, read_notes(by_hand, TODAY))
    assert written.read_bytes() == EXAMPLE.read_bytes()
    data["notes"]["capetem"] = "<b>x</b>"
    by_hand.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LocalNotesError) as refused:
        read_notes(by_hand, TODAY)
    message = str(refused.value)
    assert message.startswith(f"build failed: LOCAL_NOTES={by_hand} is refused:")
    assert "unknown id 'capetem'" in message and "note 'capetem': it contains '<'" in message
    with pytest.raises(LocalNotesError, match="no such file"):
        read_notes(tmp_path / "missing.json", TODAY)


def test_make_site_passes_local_notes_to_the_build() -> None:
    dry = subprocess.run(
        ["make", "-n", "site", "LOCAL_NOTES=my notes.json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert '-m build_scripts.build_site --local-notes "my notes.json"' in dry.stdout


def test_ids_are_steps_and_options_apart() -> None:
    data = note_ids()
    assert not set(data["steps"]) & set(data["options"])
    assert all(tool._ID.match(i) for i in [*data["steps"], *data["options"]])


def test_precompression_skips_the_notes_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    big = json.dumps({"notes": {"x": "words " * 500}})
    (site / "local-notes.json").write_text(big)
    (site / "other.json").write_text(big)
    written = {p.name for p in precompress(site, cache=None)}
    assert written == {"other.json.br", "other.json.gz"}


def test_make_dist_refuses_a_site_without_the_id_list(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>")
    with pytest.raises(SystemExit, match=r"local-notes-ids\.json"):
        dist.stage(site, tmp_path / "top")


def test_tool_is_stdlib_only_and_parses_as_python_3_8() -> None:
    source = Path(tool.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 8))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    for newer in ("removeprefix", "removesuffix", "zip(strict"):
        assert newer not in source, newer
