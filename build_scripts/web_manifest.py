"""The web app manifest and its icons: the site can be installed on a phone's home screen.

Addresses in the manifest are relative ("./"), which browsers resolve against the manifest's
own URL: right at the root of a host and under any sub-path. `hosting/set_site_url.py` (the
shipped copy of sitemap.py) writes the hospital's path into them as well.
"""

from __future__ import annotations

import json
from pathlib import Path

from build_scripts.icons import ICONS, write_icons

MANIFEST_NAME = "manifest.webmanifest"
ICON_DIR = "icons"
THEME_COLOUR = "#4051b5"  # Material's indigo primary: the header's colour (mkdocs.yml palette)
BACKGROUND_COLOUR = "#ffffff"


def manifest(name: str, description: str) -> dict:
    return {
        "name": name,
        "short_name": name,
        "description": description,
        "id": "./",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": f"{ICON_DIR}/{file}",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "maskable" if maskable else "any",
            }
            for file, (size, maskable) in ICONS.items()
            if file.startswith("icon-")
        ],
    }


def write_web_manifest(site: Path, name: str, description: str) -> Path:
    """site/manifest.webmanifest and site/icons/*.png."""
    write_icons(site / ICON_DIR)
    target = site / MANIFEST_NAME
    target.write_text(json.dumps(manifest(name, description), indent=2) + "\n", encoding="utf-8")
    return target
