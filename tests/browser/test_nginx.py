"""The hosting bundle behind a real nginx, configured with the shipped hosting/nginx.conf.

`make dist`'s function writes the zip into a temporary folder; it is unpacked, checked against
its SHA256SUMS, and served by nginx (Debian package, `make test` installs it) as a foreground
child process with its own prefix, pid and temp paths, on a free port of 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import brotli
import pytest
from playwright.sync_api import Browser, Page, Response, expect

from build_scripts.make_dist import bundle_name, make_dist
from build_scripts.paths import SITE
from calculator import web
from tests.browser.conftest import guard, wait_for_engine, wait_for_json
from tests.browser.scenarios import PNET_PROGRESSING

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MODULE_DIRS = (Path("/usr/share/nginx/modules"), Path("/usr/lib/nginx/modules"))
MIME_TYPES = Path("/etc/nginx/mime.types")
IMMUTABLE = "public, max-age=31536000, immutable"
GRADE = {
    "site": "pancreas",
    "differentiation": "well",
    "ki67_percent": "12",
    "mitoses.per_2mm2": "3",
}
SEQUENCE = PNET_PROGRESSING


def brotli_module() -> Path:
    for folder in MODULE_DIRS:
        module = folder / "ngx_http_brotli_static_module.so"
        if module.is_file():
            return module
    pytest.fail("nginx's brotli static module is missing: run `make test` (it installs it).")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(top: Path, work: Path, port: int, *, wasm_type: str | None = None) -> Path:
    """The shipped server block with only listen/root changed, inside a minimal main config."""
    shipped = (top / "hosting" / "nginx.conf").read_text()
    edits = {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "root /srv/net-guide/site;": f"root {top / 'site'};",
    }
    if wasm_type is not None:  # a host whose types block gets .wasm wrong
        edits["default_type application/wasm;"] = f"default_type {wasm_type};"
    for old, new in edits.items():
        assert shipped.count(old) == 1, f"hosting/nginx.conf no longer has {old!r}"
        shipped = shipped.replace(old, new)
    work.mkdir(parents=True, exist_ok=True)
    (work / "net-guide.conf").write_text(shipped)
    shutil.copy(MIME_TYPES, work / "mime.types")
    temp_paths = "\n".join(
        f"    {name}_temp_path {work / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = work / "nginx.conf"
    main.write_text(
        f"""load_module {brotli_module()};
daemon off;
master_process off;
worker_processes 1;
pid {work / "nginx.pid"};
error_log {work / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log off;
{temp_paths}
    include net-guide.conf;
}}
"""
    )
    return main


def nginx_command(main: Path) -> list[str]:
    return [NGINX, "-p", f"{main.parent}/", "-c", str(main), "-e", str(main.parent / "error.log")]


def error_log(work: Path) -> str:
    log = work / "error.log"
    return log.read_text()[-2000:] if log.is_file() else ""


def wait_until_listening(process: subprocess.Popen[bytes], port: int, work: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited with {process.returncode}: {error_log(work)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port}: {error_log(work)}")


class Nginx:
    """A foreground nginx child process over one bundle (stopped by `stop`)."""

    def __init__(self, top: Path, work: Path, *, wasm_type: str | None = None) -> None:
        if not Path(NGINX).is_file():
            pytest.fail("nginx not found: run `make test` (it installs the Debian package).")
        self.port = free_port()
        self.work = work
        self.main = write_config(top, work, self.port, wasm_type=wasm_type)
        checked = subprocess.run([*nginx_command(self.main), "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr + error_log(work)
        self.process = subprocess.Popen(nginx_command(self.main), stdin=subprocess.DEVNULL)
        wait_until_listening(self.process, self.port, work)
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# Session-wide: pytest runs this module's browser tests apart from its others (grouped by the
# browser parameter), and the bundle is made once for both.
@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site first).")
    out = tmp_path_factory.mktemp("dist")
    archive = make_dist(SITE, out)
    assert archive.name == f"{bundle_name()}.zip"
    with zipfile.ZipFile(archive) as bundle_zip:
        bundle_zip.extractall(out / "unpacked")
    top = out / "unpacked" / bundle_name()
    for line in (top / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((top / name).read_bytes()).hexdigest() == digest, name
    return top


@pytest.fixture(scope="module")
def nginx(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    server = Nginx(bundle, tmp_path_factory.mktemp("nginx"))
    yield server
    server.stop()


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


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_wasm_is_served_precompressed_and_immutable(
    nginx: Nginx, bundle: Path, encoding: str, decode: object
) -> None:
    wasm = engine_path(bundle) + "pyodide.asm.wasm"
    status, headers, body = fetch(nginx.url + wasm, encoding)
    assert status == 200
    assert headers["content-type"] == "application/wasm"
    assert headers["content-encoding"] == encoding
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert headers["cache-control"] == IMMUTABLE
    assert callable(decode)
    assert decode(body) == (bundle / "site" / wasm).read_bytes()


def test_types_caching_and_security_headers(nginx: Nginx, bundle: Path) -> None:
    engine = engine_path(bundle)
    status, headers, body = fetch(nginx.url + engine + "pyodide.asm.wasm")
    assert (status, headers.get("content-encoding")) == (200, None)
    assert body == (bundle / "site" / engine / "pyodide.asm.wasm").read_bytes()
    for name, expected_type in [
        ("pyodide.mjs", "text/javascript"),
        ("engine-worker.mjs", "text/javascript"),
        ("pyodide-lock.json", "application/json"),
        (next(p.name for p in (bundle / "site" / engine).glob("*.whl")), "application/zip"),
    ]:
        status, headers, _ = fetch(nginx.url + engine + name, "gzip")
        assert status == 200, name
        assert headers["content-type"].split(";")[0] == expected_type, name
        assert headers["cache-control"] == IMMUTABLE, name
    status, headers, _ = fetch(nginx.url + "calculator/grade/", "br")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-cache"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    for hidden in ("web.config", ".htaccess"):
        assert fetch(nginx.url + hidden)[0] == 404, hidden
    status, headers, body = fetch(nginx.url + "no/such/page/")
    assert status == 404 and b"<html" in body.lower()


def browse(browser: Browser) -> tuple[Page, list[Response]]:
    context = browser.new_context(service_workers="block")
    guard(context)
    page = context.new_page()
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    return page, responses


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


def test_grade_page_over_nginx(nginx: Nginx, browser: Browser) -> None:
    page, responses = browse(browser)
    page.goto(f"{nginx.url}calculator/grade/?{urlencode(GRADE)}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    check_engine_responses(page, responses)
    page.context.close()


def test_sequence_page_over_nginx(nginx: Nginx, browser: Browser) -> None:
    page, responses = browse(browser)
    page.goto(f"{nginx.url}calculator/sequence/?{urlencode(SEQUENCE)}")
    wait_for_engine(page)
    expected = web.sequence_params(SEQUENCE)
    assert expected["status"] == "complete"
    wait_for_json(page, expected)
    options = page.get_by_test_id("options").locator("[data-option-id]")
    expect(options).to_have_count(len(expected["options"]))
    check_engine_responses(page, responses)
    page.context.close()


def test_wrong_wasm_type_on_nginx_gives_hosting_error(
    bundle: Path, browser: Browser, tmp_path: Path
) -> None:
    server = Nginx(bundle, tmp_path / "nginx", wasm_type="application/octet-stream")
    try:
        page, _ = browse(browser)
        page.goto(server.url + "calculator/grade/?site=pancreas&ki67_percent=12")
        wait_for_engine(page, "failed")
        expect(page.locator("html[data-calculator=failed]")).to_have_count(1)
        status = page.get_by_test_id("engine-status")
        expect(status).to_be_visible()
        expect(status).to_contain_text("application/wasm")
        expect(page.locator("#who-table")).to_be_visible()
        page.context.close()
    finally:
        server.stop()
