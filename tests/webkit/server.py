"""The built site served for the WebKit tier, with tests/webkit/probe.js first in every page.

The same handler as `make serve` and the Chromium tests (build_scripts/serve.py); HTML pages are
sent uncompressed with one `<script src>` added right after `<head>` (a same-origin script, so
the site's Content-Security-Policy allows it). The service worker is not served (404).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from build_scripts.paths import SITE
from build_scripts.serve import SiteHandler

PROBE_PATH = "/__webkit_probe.js"
PROBE = (Path(__file__).parent / "probe.js").read_bytes()
# A worker that fails, for the test that the probe sees workers' errors.
FAILING_WORKER_PATH = "/__webkit_failing_worker.js"
FAILING_WORKER = b'throw new Error("probe: in a worker");\n'
HEAD = re.compile(rb"<head[^>]*>", re.IGNORECASE)
SERVICE_WORKER_PATH = "/sw.js"


def with_probe(html: bytes) -> bytes:
    tag = f'<script src="{PROBE_PATH}"></script>'.encode()
    probed, count = HEAD.subn(lambda match: match.group(0) + tag, html, count=1)
    if count != 1:
        raise ValueError("page has no <head>")
    return probed


class ProbedHandler(SiteHandler):
    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0]
        if path == PROBE_PATH:
            return self._send_bytes(PROBE, "text/javascript")
        if path == FAILING_WORKER_PATH:
            return self._send_bytes(FAILING_WORKER, "text/javascript")
        if path == SERVICE_WORKER_PATH:
            # This tier is about the calculators in Safari's engine: no service worker, as the
            # Chromium tests block it too (tests/browser/test_offline.py lets it run). A host
            # without sw.js is a case the site handles quietly, which the probe checks.
            self.send_error(404)
            return None
        file = Path(self.translate_path(self.path))
        if file.is_dir() and path.endswith("/"):
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            return self._send_bytes(with_probe(file.read_bytes()), "text/html; charset=utf-8")
        return super().send_head()

    def _send_bytes(self, body: bytes, content_type: str):  # type: ignore[no-untyped-def]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serving_probed(site: Path = SITE, *, wrong_wasm_mime: bool = False) -> Iterator[str]:
    """Serve `site` on a free port of 127.0.0.1 in a background thread; yield the base URL."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site} is not built: run `make test` (it builds the site).")
    handler = type("Handler", (ProbedHandler,), {"wrong_wasm_mime": wrong_wasm_mime})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
