"""The hosting bundle, precompression and the CSP post-processing, on a small fake site."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import brotli
import pytest

from build_scripts import make_dist as dist
from build_scripts.csp import CspError, apply_csp
from build_scripts.local_notes_site import write_local_notes
from build_scripts.precompress import precompress
from calculator.version import ENGINE_VERSION

HOSTING = Path(__file__).resolve().parents[2] / "build_scripts" / "hosting"
PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>t</title>
    <script>var a = 1;</script>
    <script id="__config" type="application/json">{"x": 1}</script>
  </head>
  <body><p>{body}</p><script src="x.js"></script><script>var b = "é";</script></body>
</html>
"""


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def fake_site(root: Path) -> Path:
    site = root / "site"
    (site / "sub").mkdir(parents=True)
    (site / "assets" / "engine" / f"{ENGINE_VERSION}-abc").mkdir(parents=True)
    (site / "index.html").write_text(PAGE.replace("{body}", "words " * 400))
    (site / "sub" / "index.html").write_text(PAGE.replace("{body}", "short"))
    engine = site / "assets" / "engine" / f"{ENGINE_VERSION}-abc"
    (engine / "pyodide.asm.wasm").write_bytes(b"\0asm" + bytes(range(256)) * 64)
    (engine / "python_stdlib.zip").write_bytes(os.urandom(50_000))  # does not shrink
    (engine / "tiny.js").write_text("x=1")  # below the size limit
    write_local_notes(site)  # the bundled hosting/local_notes.py needs the id list
    return site


def policy_of(html: str) -> str:
    match = re.search(
        r'<meta http-equiv="Content-Security-Policy" id="net-csp" content="([^"]*)">', html
    )
    assert match, "no CSP meta"
    return match.group(1)


def test_csp_hashes_executable_inline_scripts(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    assert apply_csp(site) == 2
    html = (site / "index.html").read_text()
    head = html[html.index("<head>") + len("<head>") :].lstrip()
    assert head.startswith('<meta http-equiv="Content-Security-Policy"')  # first in <head>
    policy = policy_of(html)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    scripts = directives["script-src"].split()
    assert scripts[:2] == ["'self'", "'wasm-unsafe-eval'"]
    assert set(scripts[2:]) == {sha("var a = 1;"), sha('var b = "é";')}  # JSON block not hashed
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["img-src"] == "'self' data:"
    for name in (
        "default-src",
        "connect-src",
        "worker-src",
        "manifest-src",
        "font-src",
        "base-uri",
        "form-action",
    ):
        assert directives[name] == "'self'", name


def test_csp_is_idempotent_and_shared_by_all_pages(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    (site / "sub" / "index.html").write_text(PAGE.replace("var a = 1;", "var a = 2;"))
    apply_csp(site)
    apply_csp(site)
    first, second = (site / "index.html").read_text(), (site / "sub" / "index.html").read_text()
    assert first.count("Content-Security-Policy") == 1
    assert policy_of(first) == policy_of(second)  # instant navigation keeps the first policy
    assert sha("var a = 2;") in policy_of(first)


@pytest.mark.parametrize(
    "bad", ['<button onclick="go()">x</button>', '<div style="color: red">x</div>']
)
def test_csp_refuses_inline_handlers_and_style_attributes(tmp_path: Path, bad: str) -> None:
    site = fake_site(tmp_path)
    (site / "index.html").write_text(PAGE.replace("{body}", bad))
    with pytest.raises(CspError):
        apply_csp(site)


def test_precompress_keeps_only_copies_that_shrink(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    engine = site / "assets" / "engine" / f"{ENGINE_VERSION}-abc"
    (engine / "python_stdlib.zip.br").write_bytes(b"stale")
    written = precompress(site, cache=tmp_path / "cache")
    names = {p.relative_to(site).as_posix() for p in written}
    wasm = f"assets/engine/{ENGINE_VERSION}-abc/pyodide.asm.wasm"
    assert {"index.html.br", "index.html.gz", f"{wasm}.br", f"{wasm}.gz"} <= names
    assert not any("python_stdlib" in n or "tiny.js" in n or n.startswith("sub/") for n in names)
    assert not (engine / "python_stdlib.zip.br").exists()  # stale copy removed
    original = (site / wasm).read_bytes()
    assert brotli.decompress((site / f"{wasm}.br").read_bytes()) == original
    assert gzip.decompress((site / f"{wasm}.gz").read_bytes()) == original
    assert (site / f"{wasm}.br").stat().st_mtime == (site / wasm).stat().st_mtime
    # The cache gives the same bytes on a second run.
    again = precompress(site, cache=tmp_path / "cache")
    assert sorted(again) == sorted(written)


def test_dist_bundle_layout_and_checksums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = fake_site(tmp_path)
    monkeypatch.setattr(dist, "precompress", lambda s: precompress(s, cache=tmp_path / "cache"))
    archive = dist.make_dist(site, tmp_path / "dist")
    assert archive == tmp_path / "dist" / f"net-guide-{ENGINE_VERSION}.zip"
    top = f"net-guide-{ENGINE_VERSION}/"
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        assert all(name.startswith(top) for name in names)
        for required in (
            "HOSTING.md",
            "SHA256SUMS",
            "hosting/nginx.conf",
            "hosting/.htaccess",
            "hosting/web.config",
            "hosting/set_site_url.py",
            "hosting/local_notes.py",
            "site/local-notes.json",
            "site/local-notes-ids.json",
            "site/index.html",
            "site/index.html.br",
            "site/index.html.gz",
            "site/web.config",
            "site/.htaccess",
        ):
            assert top + required in names, required
        sums = bundle.read(top + "SHA256SUMS").decode().splitlines()
        listed = {}
        for line in sums:
            digest, name = line.split("  ", 1)
            listed[name] = digest
            assert hashlib.sha256(bundle.read(top + name)).hexdigest() == digest, name
        assert set(listed) == {n.removeprefix(top) for n in names} - {"SHA256SUMS"}
        info = bundle.getinfo(top + "site/index.html.br")
        assert info.compress_type == zipfile.ZIP_STORED


def test_bundled_set_site_url_runs_alone_and_rewrites_the_sitemap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin's tool works from the unpacked bundle with a bare python3 (no checkout)."""
    site = fake_site(tmp_path)
    monkeypatch.setattr(dist, "precompress", lambda s: precompress(s, cache=tmp_path / "cache"))
    archive = dist.make_dist(site, tmp_path / "dist")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(unpacked)
    top = unpacked / f"net-guide-{ENGINE_VERSION}"
    (top / "site" / "sitemap.xml.gz").write_bytes(b"stale")
    manifest = top / "site" / "manifest.webmanifest"
    manifest.write_text(json.dumps({"name": "NET Guide", "start_url": "./", "scope": "./"}))
    Path(f"{manifest}.br").write_bytes(b"stale")

    def set_site_url(address: str) -> subprocess.CompletedProcess[str]:
        tool = [sys.executable, "-I", "hosting/set_site_url.py", address]
        return subprocess.run(tool, cwd=top, capture_output=True, text=True, check=False)

    run = set_site_url("https://intranet.example/net-guide/")
    assert run.returncode == 0, run.stderr
    sitemap = (top / "site" / "sitemap.xml").read_text()
    assert "<loc>https://intranet.example/net-guide/</loc>" in sitemap
    assert "<loc>https://intranet.example/net-guide/sub/</loc>" in sitemap
    assert "assets" not in sitemap
    assert not (top / "site" / "sitemap.xml.gz").exists()  # no stale copy served instead
    # The app installs under the hospital's path, whatever host name readers use.
    assert json.loads(manifest.read_text()) == {
        "name": "NET Guide",
        "id": "/net-guide/",
        "start_url": "/net-guide/",
        "scope": "/net-guide/",
    }
    assert not Path(f"{manifest}.br").exists()
    refused = set_site_url("intranet/net-guide")
    assert refused.returncode != 0 and "full address" in refused.stderr


def test_dist_refuses_a_missing_site(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="make site"):
        dist.make_dist(tmp_path / "nothing", tmp_path / "dist")


def test_hosting_configs_name_the_types_and_cache_rules() -> None:
    nginx = (HOSTING / "nginx.conf").read_text()
    assert "default_type application/wasm;" in nginx and "default_type text/javascript;" in nginx
    assert "gzip_static on;" in nginx and "brotli_static on;" in nginx
    assert "immutable" in nginx and '"no-cache"' in nginx
    assert '"~/sw\\.js$"               "no-cache";' in nginx  # the service worker, explicitly
    assert "default_type application/manifest+json;" in nginx
    apache = (HOSTING / ".htaccess").read_text()
    for line in (
        "AddType application/wasm .wasm",
        "AddType text/javascript .js .mjs",
        "AddType application/zip .whl",
        "AddType application/json .json",
        "AddType application/manifest+json .webmanifest",
        "AllowOverride FileInfo Indexes AuthConfig Options=Indexes,MultiViews",
    ):
        assert line in apache
    assert re.search(r'<Files "sw\.js">\s*Header always set Cache-Control "no-cache"', apache)
    assert "immutable" in apache and "Content-Encoding br" in apache
    root = ET.parse(HOSTING / "web.config").getroot()
    maps = {m.get("fileExtension"): m.get("mimeType") for m in root.iter("mimeMap")}
    assert maps[".wasm"] == "application/wasm"
    assert maps[".mjs"] == "text/javascript"
    assert maps[".whl"] == "application/zip"
    assert maps[".json"] == "application/json"
    assert maps[".webmanifest"] == "application/manifest+json"  # else IIS answers 404.3
    (worker,) = [node for node in root.iter("location") if node.get("path") == "sw.js"]
    assert [a.get("value") for a in worker.iter("add") if a.get("name") == "Cache-Control"] == [
        "no-cache"
    ]
    headers = [a.get("value") for a in root.iter("add") if a.get("name") == "Cache-Control"]
    assert "public, max-age=31536000, immutable" in headers and "no-cache" in headers
    guide = (HOSTING / "HOSTING.md").read_text()
    for server in ("nginx", "Apache", "IIS"):
        assert f"## {server}" in guide
