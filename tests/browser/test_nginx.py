"""The hosting bundle behind a real nginx, configured with the shipped hosting/nginx.conf.

`make dist`'s function writes the zip into a temporary folder; it is unpacked, checked against
its SHA256SUMS (tests/browser/hosting.py), and served by nginx (Debian package, `make test`
installs it) as a foreground child process with its own prefix, pid and temp paths.

The calculators are opened the way most hospital intranets serve them: plain HTTP under a
host name that is not localhost (`net-guide.test`, which the tests' Chromium maps to the
nginx on 127.0.0.2). That is not a secure origin, so there is no service worker: the pages
must work without one and say nothing in the console about it.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import brotli
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Response, expect

from calculator import web
from tests.browser.conftest import guard, wait_for_engine, wait_for_json
from tests.browser.hosting import (
    GRADE,
    IMMUTABLE,
    SEQUENCE,
    check_engine_file_types,
    check_engine_responses,
    check_offline_files,
    engine_path,
    fetch,
    free_port,
    stop,
    wait_until_listening,
)
from tests.browser.support import PLAIN_HTTP_ADDRESS, PLAIN_HTTP_HOST

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MODULE_DIRS = (Path("/usr/share/nginx/modules"), Path("/usr/lib/nginx/modules"))
MIME_TYPES = Path("/etc/nginx/mime.types")


def brotli_module() -> Path:
    for folder in MODULE_DIRS:
        module = folder / "ngx_http_brotli_static_module.so"
        if module.is_file():
            return module
    pytest.fail("nginx's brotli static module is missing: run `make test` (it installs it).")


def write_config(
    top: Path, work: Path, address: str, port: int, *, wasm_type: str | None = None
) -> Path:
    """The shipped server block with only listen/root changed, inside a minimal main config."""
    shipped = (top / "hosting" / "nginx.conf").read_text()
    edits = {
        "listen 80;": f"listen {address}:{port};",
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


class Nginx:
    """A foreground nginx child process over one bundle (stopped by `stop`)."""

    def __init__(
        self, top: Path, work: Path, *, wasm_type: str | None = None, address: str = "127.0.0.1"
    ) -> None:
        """`url` is the address for plain requests; `site_url` the one a reader's browser uses
        (for 127.0.0.2, the intranet host name the tests' Chromium maps to it)."""
        if not Path(NGINX).is_file():
            pytest.fail("nginx not found: run `make test` (it installs the Debian package).")
        self.port = free_port()
        self.work = work
        self.main = write_config(top, work, address, self.port, wasm_type=wasm_type)
        checked = subprocess.run([*nginx_command(self.main), "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr + error_log(work)
        self.process = subprocess.Popen(nginx_command(self.main), stdin=subprocess.DEVNULL)
        wait_until_listening(self.process, address, self.port, lambda: error_log(work))
        self.url = f"http://{address}:{self.port}/"
        host = PLAIN_HTTP_HOST if address == PLAIN_HTTP_ADDRESS else address
        self.site_url = f"http://{host}:{self.port}/"

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def nginx(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    server = Nginx(bundle, tmp_path_factory.mktemp("nginx"), address=PLAIN_HTTP_ADDRESS)
    yield server
    server.stop()


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
    check_engine_file_types(nginx.url, bundle)
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
    check_offline_files(nginx.url)


class Browsing:
    """A page in a fresh context that lets service workers run (where the origin allows one),
    recording responses and console problems."""

    def __init__(self, browser: Browser, service_workers: str = "allow") -> None:
        context = browser.new_context(service_workers=service_workers)
        self.outside = guard(context)
        self.page = context.new_page()
        self.responses: list[Response] = []
        self.problems: list[str] = []
        self.page.on("response", lambda response: self.responses.append(response))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.problems.append(f"{message.type}: {message.text}")

    def check_plain_http(self) -> None:
        """No secure origin, no service worker API: none registered, nothing logged."""
        page = self.page
        assert page.evaluate("[window.isSecureContext, 'serviceWorker' in navigator]") == [
            False,
            False,
        ]
        assert not [r.url for r in self.responses if r.url.endswith("/sw.js")]
        expect(page.get_by_test_id("offline-indicator")).to_have_count(0)
        assert not self.problems, self.problems
        assert not self.outside, self.outside

    def close(self) -> None:
        self.page.context.close()


def test_grade_page_over_nginx(nginx: Nginx, browser: Browser) -> None:
    browsing = Browsing(browser)
    page = browsing.page
    page.goto(nginx.site_url)
    expect(page.get_by_test_id("offline-keep")).to_be_hidden()  # offline needs a secure origin
    page.goto(f"{nginx.site_url}calculator/grade/?{urlencode(GRADE)}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    check_engine_responses(page, browsing.responses)
    browsing.check_plain_http()
    browsing.close()


def test_sequence_page_over_nginx(nginx: Nginx, browser: Browser) -> None:
    browsing = Browsing(browser)
    page = browsing.page
    page.goto(f"{nginx.site_url}calculator/sequence/?{urlencode(SEQUENCE)}")
    wait_for_engine(page)
    expected = web.sequence_params(SEQUENCE)
    assert expected["status"] == "complete"
    wait_for_json(page, expected)
    options = page.get_by_test_id("options").locator("[data-option-id]")
    expect(options).to_have_count(len(expected["options"]))
    check_engine_responses(page, browsing.responses)
    browsing.check_plain_http()
    browsing.close()


def test_wrong_wasm_type_on_nginx_gives_hosting_error(
    bundle: Path, browser: Browser, tmp_path: Path
) -> None:
    server = Nginx(bundle, tmp_path / "nginx", wasm_type="application/octet-stream")
    try:
        # On 127.0.0.1 a service worker would run: blocked, this test is about the host.
        page = Browsing(browser, service_workers="block").page
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
