"""What the real-server tests share (test_nginx.py, test_apache.py): the unpacked hosting
bundle, free ports, plain HTTP requests, and the checks on the engine's responses.

The bundle is unpacked once per session into a folder every user may read: Apache's workers run
as www-data when the tests run as root, and pytest's own temporary folders are private.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response

from build_scripts.make_dist import bundle_name, make_dist
from build_scripts.paths import SITE
from tests.browser.scenarios import PNET_PROGRESSING

IMMUTABLE = "public, max-age=31536000, immutable"
GRADE = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "12",
    "mitoses.per_2mm2": "3",
}
SEQUENCE = PNET_PROGRESSING


@pytest.fixture(scope="session")
def bundle() -> Iterator[Path]:
    """`make dist`'s zip, unpacked and checked against its SHA256SUMS; yields its top folder."""
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site first).")
    out = Path(tempfile.mkdtemp(prefix="net-bundle-"))
    try:
        out.chmod(0o755)
        archive = make_dist(SITE, out / "dist")
        assert archive.name == f"{bundle_name()}.zip"
        with zipfile.ZipFile(archive) as bundle_zip:
            bundle_zip.extractall(out / "unpacked")
        archive.unlink()
        top = out / "unpacked" / bundle_name()
        for line in (top / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split("  ", 1)
            assert hashlib.sha256((top / name).read_bytes()).hexdigest() == digest, name
        for folder in [out / "unpacked", *(p for p in top.rglob("*") if p.is_dir()), top]:
            folder.chmod(0o755)
        yield top
    finally:
        shutil.rmtree(out, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(
    process: subprocess.Popen[bytes], address: str, port: int, log: Callable[[], str]
) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {log()}")
        try:
            with socket.create_connection((address, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the server did not listen on {address}:{port}: {log()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def engine_path(top: Path) -> str:
    (engine,) = (top / "site" / "assets" / "engine").iterdir()
    return f"assets/engine/{engine.name}/"


def fetch(url: str, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding or "identity"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def check_engine_file_types(base: str, bundle: Path) -> None:
    """The engine's files with their types and a year's immutable caching, as a server of the
    shipped configuration sends them."""
    engine = engine_path(bundle)
    for name, expected_type in [
        ("pyodide.mjs", "text/javascript"),
        ("engine-worker.mjs", "text/javascript"),
        ("pyodide-lock.json", "application/json"),
        (next(p.name for p in (bundle / "site" / engine).glob("*.whl")), "application/zip"),
    ]:
        status, headers, _ = fetch(base + engine + name, "gzip")
        assert status == 200, name
        assert headers["content-type"].split(";")[0] == expected_type, name
        assert headers["cache-control"] == IMMUTABLE, name


def check_engine_responses(page: Page, responses: list[Response]) -> None:
    (wasm,) = [r for r in responses if r.url.endswith("/pyodide.asm.wasm")]
    headers = wasm.all_headers()
    assert headers["content-type"] == "application/wasm"
    assert headers.get("content-encoding") in {"br", "gzip"}, headers
    assert headers["cache-control"] == IMMUTABLE
    # The shipped config sends the snapshot precompressed, so the worker restores it.
    (snapshot,) = [r for r in responses if r.url.endswith("/python-snapshot.bin")]
    assert snapshot.all_headers().get("content-encoding") in {"br", "gzip"}
    assert page.evaluate("window.NetEngine.ready")["snapshot"] is True


def check_offline_files(base: str) -> None:
    """The service worker is revalidated on every check (a new build must reach readers), the
    manifest has its own type, and the icons are images."""
    status, headers, body = fetch(base + "sw.js", "br")
    assert status == 200
    # A JavaScript type, or browsers refuse to register the worker.
    assert headers["content-type"].split(";")[0] in {"text/javascript", "application/javascript"}
    assert headers["cache-control"] == "no-cache"
    assert headers.get("content-encoding") == "br"
    status, headers, body = fetch(base + "manifest.webmanifest")
    assert status == 200
    assert headers["content-type"].split(";")[0] == "application/manifest+json"
    assert json.loads(body)["display"] == "standalone"
    status, headers, body = fetch(base + "icons/icon-192.png")
    assert (status, headers["content-type"]) == (200, "image/png")
    assert body.startswith(b"\x89PNG")
