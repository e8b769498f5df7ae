"""Primary sites: one vocabulary for the grading engine and the sequencing tree.

The ids, labels, WHO table group and treatment pathway live in calculator/data/sites.toml.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

SITES_FILE = "sites.toml"
GROUPS = ("gep", "thoracic")
PATHWAYS = ("pnet", "gi")


@dataclass(frozen=True)
class Site:
    id: str
    label: str
    group: str  # "gep" (digestive WHO table) or "thoracic" (carcinoid criteria)
    pathway: str | None  # sequencing pathway; None where the tree does not apply


def _load() -> tuple[Site, ...]:
    text = resources.files("calculator").joinpath("data", SITES_FILE).read_text(encoding="utf-8")
    sites = []
    for sid, entry in tomllib.loads(text)["sites"].items():
        site = Site(sid, entry["label"], entry["group"], entry.get("pathway"))
        if site.group not in GROUPS or (site.pathway is not None and site.pathway not in PATHWAYS):
            raise ValueError(f"{SITES_FILE}: site {sid!r} has an unknown group or pathway")
        if (site.group == "thoracic") != (site.pathway is None):
            raise ValueError(f"{SITES_FILE}: only thoracic sites are without a pathway ({sid!r})")
        sites.append(site)
    return tuple(sites)


SITES: tuple[Site, ...] = _load()
SITE_BY_ID: dict[str, Site] = {s.id: s for s in SITES}
PRIMARY_SITES: tuple[str, ...] = tuple(s.id for s in SITES)
GEP_SITES: tuple[str, ...] = tuple(s.id for s in SITES if s.group == "gep")
THORACIC_SITES: tuple[str, ...] = tuple(s.id for s in SITES if s.group == "thoracic")
