"""The generated algorithm, option and evidence pages: anchors, links, front matter, wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from build_scripts import render_pages
from build_scripts.paths import DOCS
from build_scripts.render_tree import ALGORITHM_PAGES, load_tree, page_url, rel, step_page
from calculator.sequencing.model import Tree
from tests.seed_fingerprints import copied_runs, load

ANCHOR = re.compile(r"\{#([A-Za-z0-9_-]+)\}")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
SVG_HREF = re.compile(r'<a xlink:href="([^"]+)"')


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = tmp_path_factory.mktemp("docs")
    stale = docs / "algorithm" / "removed-step.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("# stale\n")
    written = render_pages.render_all(docs)
    assert not stale.exists(), "stale generated files must be deleted"
    assert all(path.is_file() for path in written)
    return docs


@pytest.fixture(scope="module")
def tree() -> Tree:
    return load_tree()


def anchors(path: Path) -> list[str]:
    return ANCHOR.findall(path.read_text(encoding="utf-8"))


def generated(docs: Path) -> list[Path]:
    return sorted(docs.rglob("*.md"))


def test_step_page_mapping(tree: Tree) -> None:
    for step in tree.steps:
        assert step_page(step) == ALGORITHM_PAGES[step.pathway]
    assert page_url("algorithm/index.md") == "algorithm/"
    assert page_url("algorithm/pnet.md") == "algorithm/pnet/"
    assert rel("options/captem.md", "algorithm/pnet.md", "x") == "../algorithm/pnet.md#x"
    assert rel("algorithm/gi.md", "algorithm/gi.md", "x") == "#x"


def test_every_step_is_an_anchor_on_exactly_one_page(rendered: Path, tree: Tree) -> None:
    pages = {page: anchors(rendered / page) for page in ALGORITHM_PAGES.values()}
    for step in tree.steps:
        holders = [page for page, ids in pages.items() if step.id in ids]
        assert holders == [step_page(step)], (step.id, holders)
        assert pages[step_page(step)].count(step.id) == 1


def test_every_option_has_its_page_with_its_id_as_h1_anchor(rendered: Path, tree: Tree) -> None:
    index = (rendered / "options" / "index.md").read_text(encoding="utf-8")
    for option_id in tree.options:
        page = rendered / "options" / f"{option_id}.md"
        h1 = next(
            line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# ")
        )
        assert h1.endswith(f"{{#{option_id}}}"), h1
        assert f"({option_id}.md#{option_id})" in index


def test_every_trial_and_source_is_an_anchor_on_the_evidence_page(
    rendered: Path, tree: Tree
) -> None:
    ids = anchors(rendered / "evidence" / "index.md")
    for trial_id in tree.trials:
        assert ids.count(trial_id) == 1, trial_id
    for source_id in tree.sources:
        assert f"source-{source_id}" in ids
    assert len(ids) == len(set(ids)), "duplicate anchors on the evidence page"


def test_trial_labels(rendered: Path, tree: Tree) -> None:
    text = (rendered / "evidence" / "index.md").read_text(encoding="utf-8")
    for trial in tree.trials.values():
        section = text.split(f"{{#{trial.id}}}", 1)[1].split("\n### ", 1)[0]
        if trial.status == "conference_abstract":
            assert "Conference abstract" in section
        if trial.status == "pending":
            assert "Results pending" in section
        if trial.newer:
            assert "Newer evidence" in section
        if trial.doi:
            assert f"https://doi.org/{trial.doi}" in section


def _target_anchors(docs: Path, target: Path) -> list[str] | None:
    for base in (docs, DOCS):
        candidate = base / target
        if candidate.is_file():
            return anchors(candidate) + _html_ids(candidate)
    return None


def _html_ids(path: Path) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8"))


def test_every_link_between_pages_resolves(rendered: Path) -> None:
    checked = 0
    for page in generated(rendered):
        here = page.relative_to(rendered)
        text = page.read_text(encoding="utf-8")
        for link in MD_LINK.findall(text):
            if link.startswith(("http://", "https://")):
                assert link.startswith(
                    (
                        "https://doi.org/",
                        "https://pubmed.ncbi.nlm.nih.gov/",
                        "https://clinicaltrials.gov/",
                    )
                ), link
                continue
            path, _, anchor = link.partition("#")
            target = Path(here.parent, path) if path else here
            target = Path(*[p for p in _normalise(target.parts)])
            ids = _target_anchors(rendered, target)
            assert ids is not None, f"{here}: link to missing page {link}"
            if anchor:
                assert anchor in ids, f"{here}: link to missing anchor {link}"
            checked += 1
    assert checked > 100


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def test_flowchart_links_every_step(rendered: Path, tree: Tree) -> None:
    text = (rendered / "algorithm" / "index.md").read_text(encoding="utf-8")
    assert "<svg" in text and "mermaid" not in text
    hrefs = SVG_HREF.findall(text)
    by_page = {"": "algorithm/index.md", "pnet/": "algorithm/pnet.md", "gi/": "algorithm/gi.md"}
    for step in tree.steps:
        matching = [h for h in hrefs if h.endswith(f"#{step.id}")]
        assert len(matching) == 1, step.id
        assert by_page[matching[0].split("#")[0]] == step_page(step)


def test_pages_have_description_and_say_no_consensus(rendered: Path) -> None:
    for page in generated(rendered):
        text = page.read_text(encoding="utf-8")
        assert text.startswith("---\n"), page
        front = text.split("---\n", 2)[1]
        assert re.search(r"^description: .{20,}", front, re.M), page
    for name in ("pnet.md", "gi.md", "index.md"):
        assert (
            "no consensus order" in (rendered / "algorithm" / name).read_text().lower()
            or "no agreed order" in (rendered / "algorithm" / name).read_text().lower()
        )


def test_step_map_for_the_calculator(rendered: Path, tree: Tree) -> None:
    data = json.loads((rendered / "algorithm" / "steps.json").read_text(encoding="utf-8"))
    assert set(data["steps"]) == {s.id for s in tree.steps}
    for step in tree.steps:
        assert data["steps"][step.id]["page"] == page_url(step_page(step))
    assert set(data["options"]) == set(tree.options)


def test_generated_pages_copy_no_ten_word_run_from_the_seeds(rendered: Path) -> None:
    seeds = load()[1]
    for page in generated(rendered):
        runs = copied_runs(page.read_text(encoding="utf-8"), seeds)
        assert not runs, f"{page.relative_to(rendered)} repeats seed text: {runs}"


def test_no_page_names_a_source_by_its_internal_file_name(tmp_path: Path) -> None:
    """Sources are named by title, kind and date; "seed 004" means nothing to a clinician."""
    render_pages.render_all(tmp_path)
    pages = [*tmp_path.rglob("*.md"), *tmp_path.rglob("*.json"), *DOCS.rglob("*.md")]
    data = sorted((Path(__file__).parents[2] / "calculator" / "data").glob("*.toml"))
    found = [str(p) for p in [*pages, *data] if re.search(r"\bseeds?[ _-]?\d", p.read_text(), re.I)]
    assert not found
    assert len(pages) > 30 and len(data) >= 3
