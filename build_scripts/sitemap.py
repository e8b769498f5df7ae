"""sitemap.xml for the address the site is served from.

Material's instant navigation only takes over a click when the link is listed in sitemap.xml
(it matches protocol, host, port and path), and MkDocs writes an empty sitemap without
`site_url`. Hospitals host the site under addresses we cannot know at build time, so:
- the build writes the sitemap for `SITE_URL` (default `http://localhost/`: any host at the
  root path on the default port works, since Material swaps in the page's own host name);
- the hosting bundle ships this file as `hosting/set_site_url.py` (stdlib only, no project
  imports) so an admin can run `python3 hosting/set_site_url.py https://intranet/net-guide/`
  on the unpacked site (HOSTING.md), with no rebuild;
- the local server (serve.py) answers /sitemap.xml for whatever host and port it is asked on.

The same script sets the web app manifest's `start_url`, `scope` and `id` to the hosting path
(the build writes "./", right under any path; the explicit path says where the installed app
lives even to a tool that reads the file on its own).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

DEFAULT_SITE_URL = "http://localhost/"
MANIFEST = "manifest.webmanifest"  # build_scripts/web_manifest.py writes it


def page_paths(site: Path) -> list[str]:
    """Site-relative directory URLs of every page ("" for the home page)."""
    return sorted(
        f"{rel}/" if (rel := path.parent.relative_to(site).as_posix()) != "." else ""
        for path in site.rglob("index.html")
        if "assets" not in path.relative_to(site).parts
    )


def sitemap_xml(base_url: str, paths: list[str]) -> str:
    base = base_url if base_url.endswith("/") else base_url + "/"
    urls = "".join(f"<url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def write_sitemap(site: Path, base_url: str) -> Path:
    """Write site/sitemap.xml for `base_url`, dropping stale compressed copies of it."""
    target = site / "sitemap.xml"
    target.write_text(sitemap_xml(base_url, page_paths(site)))
    for suffix in (".gz", ".br"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return target


def set_manifest_address(site: Path, base_url: str) -> Path | None:
    """Point the manifest's start_url, scope and id at the path of `base_url` (the host is
    left out: the manifest must match whichever host name readers use); None without one."""
    target = site / MANIFEST
    if not target.is_file():
        return None
    path = urlsplit(base_url).path or "/"
    path = path if path.endswith("/") else path + "/"
    data = json.loads(target.read_text(encoding="utf-8"))
    data.update({"id": path, "start_url": path, "scope": path})
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    for suffix in (".gz", ".br"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Rewrite sitemap.xml and the app manifest for the hosting address."
    )
    parser.add_argument("base_url", help="where the site is served, e.g. https://host/net-guide/")
    parser.add_argument(
        "--site", type=Path, default=Path("site"), help="the site folder (default: ./site)"
    )
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} has no index.html: pass --site <the site folder>")
    if not args.base_url.startswith(("http://", "https://")):
        raise SystemExit(f"{args.base_url!r}: give the full address, e.g. https://host/net-guide/")
    print(f"wrote {write_sitemap(args.site, args.base_url)} for {args.base_url}")
    manifest = set_manifest_address(args.site, args.base_url)
    if manifest is not None:
        print(f"wrote {manifest}: start_url and scope {urlsplit(args.base_url).path or '/'}")


if __name__ == "__main__":
    main()
