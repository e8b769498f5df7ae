"""The hosting bundle behind a real Apache httpd, configured by the shipped site/.htaccess.

The unpacked bundle (tests/browser/hosting.py) is served by Debian's apache2 (`make test`
installs it) as a foreground child process with a minimal main configuration of its own: the
modules HOSTING.md asks for, the `<Directory>` block it prints, and the site's .htaccess doing
the rest. On 127.0.0.1, a secure origin, so the service worker runs too.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import brotli
import pytest
from playwright.sync_api import Browser, Page, Response, expect

from calculator import web
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
from tests.browser.support import guard, wait_for_engine, wait_for_json

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
# HOSTING.md: mod_mime, mod_headers, mod_rewrite; the rest is any Apache's base (an MPM,
# `Require`, DirectoryIndex).
LOADED = ("mpm_event", "authz_core", "dir", "mime", "headers", "rewrite")


def hosting_allow_override(top: Path) -> str:
    """The AllowOverride line of the <Directory> block HOSTING.md tells admins to write."""
    lines = re.findall(r"^\s*(AllowOverride .+)$", (top / "HOSTING.md").read_text(), re.M)
    assert len(lines) == 1, f"HOSTING.md should print one AllowOverride line, not {lines}"
    return lines[0].strip()


def write_config(top: Path, work: Path, port: int) -> Path:
    """A main configuration with HOSTING.md's <Directory> block for the unpacked site/."""
    site = top / "site"
    allow_override = hosting_allow_override(top)
    loads = "\n".join(f"LoadModule {name}_module {MODULES / f'mod_{name}.so'}" for name in LOADED)
    # Started as root, Apache serves as www-data (Debian's user for it); otherwise as the user.
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    config = work / "httpd.conf"
    config.write_text(
        f"""{loads}
ServerRoot "{work}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{work / "httpd.pid"}"
DefaultRuntimeDir "{work}"
ErrorLog "{work / "error.log"}"
LogLevel warn
{user}TypesConfig /etc/mime.types
DocumentRoot "{site}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{site}">
    {allow_override}
    Require all granted
</Directory>
"""
    )
    return config


class Apache:
    """A foreground Apache over one unpacked bundle (stopped by `stop`)."""

    def __init__(self, top: Path, work: Path) -> None:
        if not Path(APACHE).is_file():
            pytest.fail("apache2 not found: run `make test` (it installs the Debian package).")
        missing = [name for name in LOADED if not (MODULES / f"mod_{name}.so").is_file()]
        if missing:
            pytest.fail(f"Apache modules missing from {MODULES}: {missing}")
        work.mkdir(parents=True, exist_ok=True)
        self.work = work
        self.port = free_port()
        self.config = write_config(top, work, self.port)
        command = [APACHE, "-f", str(self.config), "-d", str(work)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr + self.log()
        self.process = subprocess.Popen(
            [*command, "-DFOREGROUND"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until_listening(self.process, "127.0.0.1", self.port, self.log)
        self.url = f"http://127.0.0.1:{self.port}/"

    def log(self) -> str:
        log = self.work / "error.log"
        return log.read_text()[-2000:] if log.is_file() else ""

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture(scope="module")
def apache(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apache]:
    server = Apache(bundle, tmp_path_factory.mktemp("apache"))
    yield server
    server.stop()


def test_precompressed_files_types_and_headers(apache: Apache, bundle: Path) -> None:
    engine = engine_path(bundle)
    wasm = engine + "pyodide.asm.wasm"
    raw = (bundle / "site" / wasm).read_bytes()
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        status, headers, body = fetch(apache.url + wasm, encoding)
        assert status == 200, encoding
        assert headers["content-type"] == "application/wasm", encoding
        assert headers["content-encoding"] == encoding
        assert "accept-encoding" in headers.get("vary", "").lower()
        assert headers["cache-control"] == IMMUTABLE
        assert decode(body) == raw, encoding
    status, headers, body = fetch(apache.url + wasm)
    assert (status, headers.get("content-encoding"), body) == (200, None, raw)
    check_engine_file_types(apache.url, bundle)
    status, headers, body = fetch(apache.url + "calculator/grade/", "br")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["content-encoding"] == "br"
    assert b"net-calculator" in brotli.decompress(body)
    assert headers["cache-control"] == "no-cache"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    for hidden in ("web.config", ".htaccess"):
        assert fetch(apache.url + hidden)[0] in {403, 404}, hidden
    status, headers, body = fetch(apache.url + "no/such/page/")
    assert status == 404 and b"<html" in body.lower()
    check_offline_files(apache.url)


def test_calculators_and_service_worker_over_apache(apache: Apache, browser: Browser) -> None:
    """Both calculators, in one context that lets the service worker run: it takes over, and
    the engine's files reach the worker with their types, encodings and caching."""
    context = browser.new_context(service_workers="allow")
    outside = guard(context)
    page: Page = context.new_page()
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(apache.url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
    page.goto(f"{apache.url}calculator/grade/?{urlencode(GRADE)}")
    wait_for_engine(page)
    wait_for_json(page, web.grade_params(GRADE))
    expect(page.get_by_test_id("grade-result")).to_contain_text("NET G2")
    check_engine_responses(page, responses)
    page.goto(f"{apache.url}calculator/sequence/?{urlencode(SEQUENCE)}")
    wait_for_engine(page)
    expected = web.sequence_params(SEQUENCE)
    wait_for_json(page, expected)
    expect(page.get_by_test_id("options").locator("[data-option-id]")).to_have_count(
        len(expected["options"])
    )
    # The worker saved the engine from Apache, compressed snapshot included.
    page.wait_for_selector("html[data-offline-engine=saved]", state="attached", timeout=120_000)
    context.close()
    assert not outside, outside
