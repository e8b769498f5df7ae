"""A small static server for the built site: correct MIME types, cache headers, precompressed files.

Used by `make serve`, the browser tests and the benchmarks. It binds to 127.0.0.1 only.
Production hosting (nginx, Apache, IIS) is configured to behave the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import functools
import http.server
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from build_scripts.paths import SITE
from build_scripts.sitemap import page_paths, sitemap_xml

# Stock tables lack these or get them wrong; Pyodide refuses wasm without application/wasm.
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
}
IMMUTABLE_PREFIX = "/assets/engine/"  # versioned path: safe to cache for a year
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with explicit types, caching and optional precompressed variants."""

    wrong_wasm_mime = False  # tests flip this to reproduce a misconfigured host
    precompressed = True  # False: ignore .br/.gz copies (make bench's uncompressed baseline)
    quiet = True

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        suffix = Path(str(path)).suffix.lower()
        if suffix == ".wasm" and self.wrong_wasm_mime:
            return "application/octet-stream"
        return MIME_TYPES.get(suffix) or super().guess_type(path)

    def send_head(self):  # type: ignore[override]
        if self.path.split("?", 1)[0] == "/sitemap.xml":
            return self._send_sitemap()
        # Serve foo.wasm.br / foo.wasm.gz when the client accepts it and the file exists.
        path = self.translate_path(self.path)
        accepted = self.headers.get("Accept-Encoding", "")
        if self.precompressed and os.path.isfile(path):
            for encoding, suffix in ENCODINGS:
                if encoding in accepted and os.path.isfile(path + suffix):
                    return self._send_encoded(path, path + suffix, encoding)
        return super().send_head()

    def _send_sitemap(self):  # type: ignore[no-untyped-def]
        # The sitemap for the host and port asked for, so instant navigation works on any port.
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        body = sitemap_xml(f"http://{host}/", page_paths(Path(self.directory))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _send_encoded(self, original: str, encoded: str, encoding: str):  # type: ignore[no-untyped-def]
        handle = open(encoded, "rb")  # noqa: SIM115 - closed by copyfile's caller
        stat = os.fstat(handle.fileno())
        # A validator, as nginx and Apache send, so a revalidation (Cache-Control: no-cache)
        # is a 304 and not the whole file again.
        modified = email.utils.formatdate(int(stat.st_mtime), usegmt=True)
        if self.headers.get("If-Modified-Since") == modified:
            handle.close()
            self.send_response(304)
            self.send_header("Last-Modified", modified)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(original))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Last-Modified", modified)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return handle

    def end_headers(self) -> None:
        if self.path.split("?", 1)[0].startswith(IMMUTABLE_PREFIX):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def make_server(
    directory: Path = SITE,
    port: int = 0,
    *,
    wrong_wasm_mime: bool = False,
    quiet: bool = True,
    precompressed: bool = True,
) -> http.server.ThreadingHTTPServer:
    """A server bound to 127.0.0.1 (port 0 picks a free one).

    `precompressed=False` serves every file as stored, never its .br/.gz copy.
    """
    if not (directory / "index.html").is_file():
        raise SystemExit(f"No built site at {directory}: run `make site` first.")
    handler = type(
        "ConfiguredSiteHandler",
        (SiteHandler,),
        {"wrong_wasm_mime": wrong_wasm_mime, "quiet": quiet, "precompressed": precompressed},
    )
    bound = functools.partial(handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), bound)
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def serving(
    directory: Path = SITE, *, wrong_wasm_mime: bool = False, precompressed: bool = True
) -> Iterator[str]:
    """Serve `directory` in a background thread; yields the base URL."""
    server = make_server(directory, wrong_wasm_mime=wrong_wasm_mime, precompressed=precompressed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the built site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=SITE)
    args = parser.parse_args()
    server = make_server(args.dir, args.port, quiet=False)
    print(f"Serving {args.dir} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
