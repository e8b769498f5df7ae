"""Put lines of our own before the code of one of Material's scripts, keeping its source map.

Used by two Material patches (build_scripts/material_patches.py): the compile hint on
Material's bundle (build_scripts/compile_hints.py) and the prologue of Material's search worker
(build_scripts/search_worker.py). Material's code after
the new lines is unchanged; its file name keeps Material's hash (Material's assets are
revalidated, not cached as immutable: build_scripts/hosting/HOSTING.md).
"""

from __future__ import annotations

import json
from pathlib import Path


def _shifted_source_map(path: Path, lines: int, error: type[SystemExit]) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("mappings"), str):
        raise error(f"{path.name} has no mappings")
    # One ';' is one generated line with no mapping: one line of ours.
    data["mappings"] = ";" * lines + data["mappings"]
    return json.dumps(data, separators=(",", ":"))


def prepend(script: Path, text: str, error: type[SystemExit]) -> list[Path]:
    """Put `text` (whole lines) before `script`'s code and shift the script's source map, if
    it has one, to match. Return the files changed; a script that already starts with `text`
    is left alone. Raises `error` (and writes nothing) if the source map cannot be shifted."""
    if not text.endswith("\n"):
        raise ValueError("the prepended text must end with a newline")
    code = script.read_text(encoding="utf-8")
    if code.startswith(text):
        return []
    source_map = script.with_name(script.name + ".map")
    # Both files or neither: the map is checked before anything is written.
    shifted = (
        _shifted_source_map(source_map, text.count("\n"), error) if source_map.is_file() else None
    )
    script.write_text(text + code, encoding="utf-8")
    if shifted is None:
        return [script]
    source_map.write_text(shifted, encoding="utf-8")
    return [script, source_map]
