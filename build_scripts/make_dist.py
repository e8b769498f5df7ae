"""The hospital hosting bundle: dist/net-guide-<version>.zip.

Layout (one top folder, so unzipping never scatters files):

    net-guide-<version>/
        HOSTING.md            how to host it (nginx, Apache, IIS), tested settings
        SHA256SUMS            `sha256sum -c SHA256SUMS` checks every other file
        hosting/              nginx.conf, .htaccess (Apache), web.config (IIS), HOSTING.md,
                              set_site_url.py (rewrites sitemap.xml for the hosting address),
                              local_notes.py (edits site/local-notes.json, the hospital's notes)
        site/                 the built site with .br/.gz copies, .htaccess and web.config
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path

from build_scripts.local_notes import IDS_FILE
from build_scripts.local_notes import __file__ as LOCAL_NOTES_TOOL
from build_scripts.paths import ROOT, SITE
from build_scripts.precompress import precompress
from build_scripts.sitemap import __file__ as SITEMAP_SCRIPT
from calculator.version import ENGINE_VERSION

NAME = "net-guide"
DIST = ROOT / "dist"
HOSTING = Path(__file__).resolve().parent / "hosting"
HOSTING_FILES = ("HOSTING.md", "nginx.conf", ".htaccess", "web.config")
IN_SITE_ROOT = (".htaccess", "web.config")  # Apache and IIS read these from the document root
STORED = {".br", ".gz", ".zip", ".whl", ".png", ".jpg", ".ico", ".woff2"}  # already compressed


def bundle_name(version: str = ENGINE_VERSION) -> str:
    return f"{NAME}-{version}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage(site: Path, top: Path) -> None:
    """Lay out the bundle folder `top` from a built `site`."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"No built site at {site}: run `make site` first.")
    if not (site / IDS_FILE).is_file():  # hosting/local_notes.py cannot run without it
        raise SystemExit(f"{site} has no {IDS_FILE}: rebuild it with `make site`.")
    missing = [name for name in HOSTING_FILES if not (HOSTING / name).is_file()]
    if missing:
        raise SystemExit(f"hosting files missing from {HOSTING}: {missing}")
    shutil.copytree(site, top / "site")
    (top / "hosting").mkdir()
    for name in HOSTING_FILES:
        shutil.copy2(HOSTING / name, top / "hosting" / name)
    # stdlib only, so an admin runs it with any python3 and no checkout
    shutil.copy2(SITEMAP_SCRIPT, top / "hosting" / "set_site_url.py")
    shutil.copy2(LOCAL_NOTES_TOOL, top / "hosting" / "local_notes.py")
    for name in IN_SITE_ROOT:
        shutil.copy2(HOSTING / name, top / "site" / name)
    shutil.copy2(HOSTING / "HOSTING.md", top / "HOSTING.md")
    files = sorted(p for p in top.rglob("*") if p.is_file())
    sums = "".join(f"{sha256_file(p)}  {p.relative_to(top).as_posix()}\n" for p in files)
    (top / "SHA256SUMS").write_text(sums, encoding="utf-8")


def write_zip(top: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".part")
    with zipfile.ZipFile(partial, "w") as bundle:
        for path in sorted(p for p in top.rglob("*") if p.is_file()):
            method = zipfile.ZIP_STORED if path.suffix.lower() in STORED else zipfile.ZIP_DEFLATED
            bundle.write(path, path.relative_to(top.parent).as_posix(), compress_type=method)
    partial.replace(archive)


def make_dist(site: Path = SITE, out_dir: Path = DIST, version: str = ENGINE_VERSION) -> Path:
    """Build dist/<name>-<version>.zip from a built site; returns the archive's path."""
    precompress(site)  # a no-op cost when build_site already did it (cached by content)
    with tempfile.TemporaryDirectory(prefix="net-dist-") as tmp:
        top = Path(tmp) / bundle_name(version)
        top.mkdir()
        stage(site, top)
        archive = out_dir / f"{bundle_name(version)}.zip"
        write_zip(top, archive)
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--out", type=Path, default=DIST)
    args = parser.parse_args()
    archive = make_dist(args.site, args.out)
    size = archive.stat().st_size / 1e6
    shown = archive.relative_to(ROOT) if archive.is_relative_to(ROOT) else archive
    print(f"wrote {shown} ({size:.1f} MB)")


if __name__ == "__main__":
    main()
