"""`make bench`: how long until the calculator is usable, and how many bytes it costs.

Medians of several runs, in Chromium, against the built site served on 127.0.0.1:
- time from navigation to the engine being ready (performance mark `net-engine-ready`),
  cold (empty cache) and warm (HTTP cache filled), without and with 4x CPU throttling;
- the same for a bare page that only boots Pyodide (the floor no app can beat);
- bytes transferred by the calculator page and by a content page.
Results print as a Markdown table and are written to benchmarks/results/ (Markdown + JSON).
Timings are reported, never asserted.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

from build_scripts.paths import ROOT, SITE
from build_scripts.serve import serving

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RESULTS = ROOT / "benchmarks" / "results"
CALCULATOR = (
    "calculator/grade/?site=pancreas&differentiation=well&ki67_percent=12&mitoses.per_2mm2=3"
)
CONTENT = "grading/"
BARE = "bench/bare.html"

BARE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Bare Pyodide</title></head>
<body><script type="module">
const worker = new Worker(new URL("./bare-worker.mjs", import.meta.url), {type: "module"});
worker.onmessage = () => {
  performance.mark("net-engine-ready");
  document.documentElement.dataset.calculator = "ready";
};
</script></body></html>"""
BARE_WORKER = """import {{ loadPyodide }} from "../{engine}pyodide.mjs";
const base = new URL("../{engine}", import.meta.url).href;
await loadPyodide({{
  indexURL: base, lockFileURL: base + "pyodide-lock.json", packageBaseUrl: base,
}});
self.postMessage("ready");
"""


@dataclass
class Sample:
    ready_ms: float
    bytes: int
    engine_bytes: int


def engine_path(site: Path) -> str:
    folder = next((site / "assets" / "engine").iterdir())
    return f"assets/engine/{folder.name}/"


def bench_site() -> Path:
    """A copy of the built site plus the bare-Pyodide floor page (never shipped)."""
    target = Path(tempfile.mkdtemp(prefix="net-bench-")) / "site"
    shutil.copytree(SITE, target)
    (target / "bench").mkdir()
    (target / "bench" / "bare.html").write_text(BARE_HTML)
    (target / "bench" / "bare-worker.mjs").write_text(BARE_WORKER.format(engine=engine_path(SITE)))
    return target


def transferred(context: BrowserContext, counter: list[int]) -> None:
    """counter[0]: all bytes received; counter[1]: those from the engine folder."""

    def add(request):  # type: ignore[no-untyped-def]
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        counter[0] += size
        if "/assets/engine/" in request.url:
            counter[1] += size

    context.on("requestfinished", add)


def throttle(page: Page, rate: float) -> None:
    if rate > 1:
        session = page.context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def measure(context: BrowserContext, url: str, rate: float, wait_ready: bool) -> Sample:
    counter = [0, 0]
    transferred(context, counter)
    page = context.new_page()
    throttle(page, rate)
    page.goto(url)
    if wait_ready:
        page.wait_for_selector("html[data-calculator=ready]", state="attached", timeout=180_000)
        ready = page.evaluate("performance.getEntriesByName('net-engine-ready')[0].startTime")
    else:
        page.wait_for_load_state("networkidle")
        ready = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_load_state("networkidle")
    page.close()
    return Sample(ready_ms=ready, bytes=counter[0], engine_bytes=counter[1])


def run_case(
    browser, base: str, path: str, rate: float, warm: bool, wait_ready: bool
) -> list[Sample]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(RUNS):
        context = browser.new_context(service_workers="block")
        if warm:
            measure(context, base + path, 1, wait_ready)  # fill the HTTP cache
        samples.append(measure(context, base + path, rate, wait_ready))
        context.close()
    return samples


def median(samples: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(sample, attribute) for sample in samples)


def main() -> None:
    site = bench_site()
    rows = []
    with serving(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-background-networking", "--disable-component-update"],
        )
        for rate in (1, 4):
            for warm in (False, True):
                cache = "warm" if warm else "cold"
                app = run_case(browser, base, CALCULATOR, rate, warm, True)
                floor = run_case(browser, base, BARE, rate, warm, True)
                rows.append(
                    {
                        "cpu": f"{rate}x",
                        "cache": cache,
                        "calculator_ready_ms": round(median(app, "ready_ms")),
                        "bare_pyodide_ready_ms": round(median(floor, "ready_ms")),
                        "ratio": round(median(app, "ready_ms") / median(floor, "ready_ms"), 3),
                        "calculator_bytes": int(median(app, "bytes")),
                    }
                )
                print(rows[-1], flush=True)
        content = run_case(browser, base, CONTENT, 1, False, False)
        browser.close()
    shutil.rmtree(site.parent, ignore_errors=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": RUNS,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}"
        ),
        "rows": rows,
        "content_page_bytes": int(median(content, "bytes")),
        "content_page_engine_bytes": int(max(sample.engine_bytes for sample in content)),
        "content_page_load_ms": round(median(content, "ready_ms")),
    }
    table = [
        f"Benchmarks ({report['date']}, {report['machine']}, median of {RUNS} runs)",
        "",
        "| CPU | cache | calculator ready (ms) | bare Pyodide (ms) | ratio | calculator bytes |",
        "|---|---|---|---|---|---|",
    ]
    table += [
        f"| {r['cpu']} | {r['cache']} | {r['calculator_ready_ms']} | {r['bare_pyodide_ready_ms']} "
        f"| {r['ratio']} | {r['calculator_bytes']:,} |"
        for r in rows
    ]
    table += [
        "",
        f"Content page ({CONTENT}): {report['content_page_bytes']:,} bytes, "
        f"load {report['content_page_load_ms']} ms, no engine bytes.",
    ]
    text = "\n".join(table)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
