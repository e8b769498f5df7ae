"""Write the generated Markdown: algorithm pages (with the SVG flowchart), option pages,
the evidence page and the calculator's step map. Run by build_site.py before MkDocs.

Generated folders are build output (git-ignored): they are deleted and written anew each time,
so a step, option or trial removed from the data never lingers as a stale page.
"""

from __future__ import annotations

import json
import posixpath
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from build_scripts.flowchart import flowchart_svg
from build_scripts.paths import DOCS
from build_scripts.render_evidence import evidence_context, option_context, options_index_context
from build_scripts.render_tree import (
    ALGORITHM_PAGES,
    EVIDENCE_PAGE,
    load_tree,
    md_text,
    option_page,
    page_url,
    pathway_name,
    step_context,
    step_map,
    step_page,
    steps_on,
)
from calculator.sequencing.model import Tree

TEMPLATES = Path(__file__).resolve().parent / "templates"
GENERATED_DIRS = ("algorithm", "options", "evidence")
STEP_MAP = "algorithm/steps.json"


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown out; data text is escaped by render_tree.md_text
        # `{#id}` is attr_list syntax in the output: Jinja blocks use [% %], comments [# #].
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _flowchart(tree: Tree) -> str:
    """The SVG for algorithm/index.md; its links are final URLs (raw HTML is not rewritten)."""
    here = "/" + page_url(ALGORITHM_PAGES["common"])  # "/algorithm/"

    def url_from_here(target: str) -> str:
        target = "/" + target
        if target == here:
            return ""
        return posixpath.relpath(target, here) + "/"

    def href_step(step_id: str) -> str:
        return url_from_here(page_url(step_page(tree.step(step_id)))) + f"#{step_id}"

    def href_pointer(pointer: str) -> str | None:
        return url_from_here(page_url(f"{pointer}.md"))

    return flowchart_svg(tree, href_step, href_pointer)


def _pathway_context(tree: Tree, pathway: str, docs_dir: Path) -> dict[str, Any]:
    page = ALGORITHM_PAGES[pathway]
    return {
        "pathway": pathway,
        "name": pathway_name(tree, pathway),
        "steps": [step_context(s, tree, docs_dir) for s in steps_on(tree, page)],
    }


def _facts(tree: Tree) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
            "name": md_text(f.label),
            "description": md_text(f.description),
            # Not "values": Jinja's fact.values would be the dict method.
            "value_labels": ", ".join(md_text(f.value_labels[v]) for v in f.values),
        }
        for f in tree.facts.values()
    ]


def _shared(tree: Tree) -> dict[str, Any]:
    """Wording both algorithm templates take from the data (written once, there)."""
    core = next(s for s in tree.sources.values() if s.grades)
    assert core.grade_scope is not None
    return {
        "core": {
            "title": md_text(core.title),
            "kind": core.kind,
            "dates_note": md_text(core.dates_note or core.date).rstrip("."),
        },
        "grade_scope": md_text(core.grade_scope.text),
        "no_consensus": md_text(tree.advice["no_consensus_order"].text),
    }


def _write(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written.append(path)


def render_all(docs_dir: Path = DOCS) -> list[Path]:
    """Render every generated page into `docs_dir`; returns the files written."""
    tree = load_tree()
    env = environment()
    for name in GENERATED_DIRS:
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    written: list[Path] = []
    pointer_pages = {key: (docs_dir / f"{key}.md").is_file() for key in tree.pointers}

    common = _pathway_context(tree, "common", docs_dir)
    _write(
        docs_dir / ALGORITHM_PAGES["common"],
        env.get_template("algorithm_index.md.j2").render(
            common=common,
            flowchart=_flowchart(tree),
            facts=_facts(tree),
            pointers=[
                {
                    "title": md_text(p.title),
                    "text": md_text(p.text),
                    "page": f"../{k}.md",
                    "exists": pointer_pages[k],
                }
                for k, p in tree.pointers.items()
            ],
            root_step=step_context(tree.step(tree.root), tree, docs_dir),
            **_shared(tree),
        ),
        written,
    )
    for pathway in ("pnet", "gi"):
        _write(
            docs_dir / ALGORITHM_PAGES[pathway],
            env.get_template("algorithm_pathway.md.j2").render(
                path=_pathway_context(tree, pathway, docs_dir), **_shared(tree)
            ),
            written,
        )

    _write(
        docs_dir / "options" / "index.md",
        env.get_template("options_index.md.j2").render(**options_index_context(tree)),
        written,
    )
    option_template = env.get_template("option.md.j2")
    for option in tree.options.values():
        _write(
            docs_dir / option_page(option.id),
            option_template.render(option=option_context(option, tree)),
            written,
        )

    _write(
        docs_dir / EVIDENCE_PAGE,
        env.get_template("evidence.md.j2").render(**evidence_context(tree)),
        written,
    )
    _write(
        docs_dir / STEP_MAP,
        json.dumps(step_map(tree), indent=1, ensure_ascii=False) + "\n",
        written,
    )
    return written


if __name__ == "__main__":
    for file in render_all():
        print(file)
