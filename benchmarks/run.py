"""`make bench`: how long until a reader sees a calculator result, and what it costs.

Medians of BENCH_RUNS runs (default 5), in Chromium, against a copy of the built site served on
127.0.0.1 by build_scripts.serve (precompressed .br/.gz, immutable engine folder):

- time to FIRST RESULT SHOWN (performance mark `net-first-result`, set by each calculator when
  it first renders an engine result) after navigating to the grade and sequence calculators
  with their inputs in the URL: desktop and phone profile (Pixel 7, 4x CPU, 20 Mbit/s down,
  40 ms RTT), each with a cold and a warm HTTP cache;
- the floor: a bare page that only boots Pyodide, under the same conditions;
- bytes on the wire (compressed), the Content-Encoding the engine files came with, and the
  throughput the worker's wasm download got (proves the worker is throttled too);
- main-thread long tasks (> 50 ms) before the first result: count and longest, per run, and
  the longest per run before and after the boot message (the page's start-up, the runtime's);
  and the longest rendering per run (Long Animation Frames: the style, layout and paint after
  the tasks, which the Long Tasks API leaves out);
- the page alone: the calculator pages' own long tasks, phone cold, with the engine's worker
  script answering 404 (no engine byte, no engine task), to tell them from the engine's;
- the harness's own cost: the bench's Chromium runs with V8's source positions kept from
  compile time (benchmarks/browser.py, EAGER_SOURCE_POSITIONS: DevTools otherwise re-parses
  functions for the stack trace of every scripted request, which no reader's browser does); the
  phone-cold calculators and the pages alone run again in a Chromium with V8's defaults, and
  both figures are reported;
- the throttling's own cost: the cores Chromium keeps busy while a calculator page sits idle,
  desktop and phone (benchmarks/cpu_cost.py; the phone's 4x throttling spins);
- keystroke to updated result, in-page, p95 over 30 keystrokes per run (the field tapped on the
  phone profile, clicked on desktop: benchmarks/browser.py typed): typed at once after the
  first result, and on a second page view once the engine's warm-up is done (`net-engine-warm`);
  and on a third page view, the blank form, filled in BLANK_LOOK_MS after the engine is ready
  (19 keystrokes per run);
- the uncompressed baseline (the engine as the performance issue found it): phone cold, the
  server ignoring the precompressed files and the Python snapshot withheld (404);
- the reader: a content page read for 20 s on the phone profile (the engine is prefetched when
  the browser is idle), then a click (instant navigation) to a calculator;
- content pages: bytes of a first visit until network idle and the service worker has
  installed (counted: it precaches the offline page's files, never the engine), and that no
  engine byte came before the prefetch;
- offline: the grade calculator reloaded with no network once the service worker has saved its
  engine (first result from the device), desktop and phone.

Timings are reported, never asserted. Output: benchmarks/results/latest.md and latest.json.
BENCH_ONLY=name,name limits the scenarios (names: direct, alone, defaults, uncompressed, reader,
content, offline).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from benchmarks.browser import (
    BROWSER_ARGS,
    EAGER_SOURCE_POSITIONS,
    LONG_TASK_LIMIT_MS,
    Profile,
    Traffic,
    blank_form_latencies,
    boot_long_tasks,
    keystroke_latencies,
    longest_rendering,
    marks,
    median,
    new_context,
    page_without_engine,
    percentile,
    profiles,
    throttle,
    wait_for_mark,
)
from benchmarks.cpu_cost import idle_page_cores
from build_scripts.paths import ROOT, SITE
from build_scripts.serve import serving
from build_scripts.snapshot import SNAPSHOT_NAME

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RESULTS = ROOT / "benchmarks" / "results"
READ_SECONDS = float(os.environ.get("BENCH_READ_SECONDS", "20"))

GRADE = "calculator/grade/?site=pancreas&differentiation=well&ki67_percent=12&mitoses.per_2mm2=3"
SEQUENCE = (
    "calculator/sequence/?site=pancreas&differentiation=well&grade=G2&stage=advanced"
    "&syndrome=none&resectable=no&vhl=no&bulk_symptoms=no&current_ssa=standard"
    "&pace=progressing&sstr=partial&hepatic_predominant=yes&prolonged_ssa_benefit=yes"
)
BARE = "bench/bare.html"
TARGETS = {"grade": GRADE, "sequence": SEQUENCE, "bare Pyodide": BARE}
CONTENT_PAGES = ("", "grading/", "algorithm/")
READER_PAGE = "grading/"
READER_LINKS = {  # links on the reader's page (instant navigation makes hrefs absolute)
    "grade": 'a[href*="/calculator/grade/?site=pancreas&differentiation=well'
    '&ki67_percent=25&mitoses.per_2mm2=12"]',
    "sequence": 'a[href$="/calculator/sequence/"]',
}
KEY_FIELD = "[name='ki67_percent']"
BLANK_LOOK_MS = 1000  # a reader's first look at a blank form before typing into it

BARE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Bare Pyodide</title></head>
<body><script type="module">
const worker = new Worker(new URL("./bare-worker.mjs", import.meta.url), {type: "module"});
worker.onmessage = (event) => {
  performance.mark("net-engine-ready");
  performance.mark("net-first-result");
  if (window.__netBench) window.__netBench.workerBootMs = event.data.bootMs;
  document.documentElement.dataset.calculator = "ready";
};
</script></body></html>"""
BARE_WORKER = """const started = performance.now();
const {{ loadPyodide }} = await import("../{engine}pyodide.mjs");
const base = new URL("../{engine}", import.meta.url).href;
await loadPyodide({{
  indexURL: base, lockFileURL: base + "pyodide-lock.json", packageBaseUrl: base,
}});
self.postMessage({{ bootMs: performance.now() - started }});
"""


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


# --- one page view ----------------------------------------------------------------------------


def first_result(
    browser: Browser,
    profile: Profile,
    url: str,
    warm: bool,
    keystrokes: bool = False,
    snapshot: bool = True,
) -> dict[str, Any]:
    """Open `url` in a fresh context (warm: after one unthrottled visit filled the HTTP cache)
    and measure up to the first result shown. snapshot=False answers 404 for the Python
    snapshot, so the worker starts CPython the ordinary way (the engine as the issue found it)."""
    context = new_context(browser, profile)
    if not snapshot:
        context.route(f"**/{SNAPSHOT_NAME}", lambda route: route.fulfill(status=404, body=""))
    try:
        if warm:
            filler = context.new_page()
            filler.goto(url)
            wait_for_mark(filler, "net-first-result")
            filler.wait_for_load_state("networkidle")
            filler.close()
        traffic = Traffic()
        traffic.attach(context)
        page = context.new_page()
        throttle(page, profile)
        page.goto(url)
        wait_for_mark(page, "net-first-result")
        seen = marks(page)
        count, longest = boot_long_tasks(seen["longtasks"], seen["first_result"])
        restored = page.evaluate(
            "() => window.NetEngine ? window.NetEngine.ready.then((info) => info.snapshot) : null"
        )
        sample = {
            "snapshot": restored,
            "first_result_ms": seen["first_result"],
            "engine_start_ms": seen["engine_start"],
            "engine_boot_ms": seen["engine_boot"],
            "engine_ready_ms": seen["engine_ready"],
            "worker_boot_ms": seen["worker_boot"],
            "long_tasks": count,
            "longest_task_ms": longest,
        }
        rendering = longest_rendering(seen["frames"], seen["first_result"])
        if rendering is not None:
            sample["longest_rendering_ms"] = rendering
        if seen["engine_boot"] is not None:
            # Which phase the longest tasks fall in: the page's own start-up (the engine only
            # downloads) or the runtime's start (after the boot message, engine.js).
            sample["longest_before_boot_ms"] = boot_long_tasks(
                seen["longtasks"], seen["engine_boot"]
            )[1]
            sample["longest_while_booting_ms"] = boot_long_tasks(
                seen["longtasks"], seen["first_result"], since_ms=seen["engine_boot"]
            )[1]
        if keystrokes:
            sample["keystroke_ms"] = keystroke_latencies(page, KEY_FIELD)
        page.wait_for_load_state("networkidle")
        sample.update(
            bytes=traffic.bytes,
            engine_bytes=traffic.engine_bytes,
            encodings=traffic.encodings,
            wasm_mbit_s=traffic.wasm_mbit_s,
        )
        traffic.detach(context)
        if keystrokes:
            page.close()  # its worker would compete with the next page's for the CPU
            sample["keystroke_warmed_ms"] = typing_after_warm_up(context, profile, url)
            sample["keystroke_blank_ms"] = typing_on_blank_form(context, profile, url)
        return sample
    finally:
        context.close()


def typing_after_warm_up(context: BrowserContext, profile: Profile, url: str) -> list[float]:
    """Keystroke latencies on a fresh page view, typed once the engine has finished its warm-up
    (performance mark `net-engine-warm`, about a second after the first result on the phone):
    a reader who looks at the result before changing an input. first_result types at once."""
    page = context.new_page()
    throttle(page, profile)
    try:
        page.goto(url)
        wait_for_mark(page, "net-first-result")
        wait_for_mark(page, "net-engine-warm")
        return keystroke_latencies(page, KEY_FIELD)
    finally:
        page.close()


def typing_on_blank_form(context: BrowserContext, profile: Profile, url: str) -> list[float]:
    """Keystroke latencies on the blank form (url without its query string), filled in
    BLANK_LOOK_MS after the engine is ready: the page asks nothing until the reader types, so
    its warm-up runs on the sample request the page offers (engine.js warmUpWith)."""
    page = context.new_page()
    throttle(page, profile)
    try:
        page.goto(url.split("?", 1)[0])
        wait_for_mark(page, "net-engine-ready")
        page.wait_for_timeout(BLANK_LOOK_MS)
        return blank_form_latencies(page)
    finally:
        page.close()


def reader(browser: Browser, profile: Profile, base: str, link: str) -> dict[str, Any]:
    """Read a content page for READ_SECONDS, then click through to a calculator."""
    context = new_context(browser, profile)
    try:
        traffic = Traffic()
        traffic.attach(context)
        page = context.new_page()
        throttle(page, profile)
        page.goto(base + READER_PAGE)
        page.wait_for_timeout(READ_SECONDS * 1000)
        page.evaluate("(selector) => window.__netBench.clickThrough(selector)", link)
        for attempt in range(3):  # a full page load may destroy the context we poll in
            try:
                wait_for_mark(page, "net-first-result")
                break
            except PlaywrightError:
                if attempt == 2:
                    raise
                page.wait_for_load_state("domcontentloaded")
        instant = page.evaluate("() => window.__netBench.clickAt !== undefined")
        seen = marks(page)
        page.wait_for_load_state("networkidle")
        if not instant:  # a full page load: the new document's clock starts at navigation
            return {
                "instant": False,
                "click_to_result_ms": None,
                "arrival_to_result_ms": seen["first_result"],  # from navigation start
                "prefetch_at_ms": None,
                "engine_ready_ms": seen["engine_ready"],
                "engine_state_at_click": "page reloaded",
                "wasm_fetches": traffic.wasm_fetches,
                "wasm_transferred": traffic.wasm_bytes,
                "bytes": traffic.bytes,
            }
        return {
            "instant": True,
            "wasm_transferred": traffic.wasm_bytes,
            "click_to_result_ms": seen["first_result"] - seen["click_at"],
            "arrival_to_result_ms": (
                seen["first_result"] - seen["arrived_at"] if seen["arrived_at"] else None
            ),
            "prefetch_at_ms": seen["prefetch"],
            "engine_ready_ms": seen["engine_ready"],
            "engine_state_at_click": seen["state_at_click"],
            "wasm_fetches": traffic.wasm_fetches,
            "bytes": traffic.bytes,
        }
    finally:
        context.close()


def content_page(browser: Browser, profile: Profile, url: str) -> dict[str, Any]:
    """Bytes of a content page's first visit: until network idle and the service worker has
    installed and saved the page (it precaches the offline page's files, never the engine).
    Engine requests must not precede the idle-time prefetch (at least PREFETCH_DELAY_MS after
    load); should the prefetch start before the worker is done, its bytes are left out."""
    context = new_context(browser, profile, service_workers="allow")
    try:
        traffic = Traffic()
        traffic.attach(context)
        page = context.new_page()
        throttle(page, profile)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("html[data-offline=ready]", state="attached", timeout=60_000)
        page.wait_for_load_state("networkidle")
        seen = marks(page)
        load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        prefetched = traffic.engine_bytes if seen["prefetch"] is not None else 0
        return {
            "bytes": traffic.bytes - prefetched,
            "worker_bytes": traffic.worker_bytes,
            "engine_bytes_before_prefetch": traffic.engine_bytes if seen["prefetch"] is None else 0,
            "prefetch_state": seen["prefetch_state"],
            "load_ms": load,
        }
    finally:
        context.close()


def offline_first_result(browser: Browser, profile: Profile, base: str) -> dict[str, Any]:
    """A reader opened the home page and the grade calculator once (the service worker saved
    the engine), then reloads the calculator with no network: its first result, from the
    device. The profile's CPU throttling applies; the network is off."""
    context = new_context(browser, profile, service_workers="allow")
    try:
        page = context.new_page()
        page.goto(base)
        page.wait_for_selector("html[data-offline=ready]", state="attached", timeout=60_000)
        page.goto(base + GRADE)
        wait_for_mark(page, "net-first-result")
        page.wait_for_selector(
            "html[data-offline-engine=saved]", state="attached", timeout=180_000
        )
        context.set_offline(True)
        traffic = Traffic()
        traffic.attach(context)
        throttle(page, dataclasses.replace(profile, network=None))
        page.reload()
        wait_for_mark(page, "net-first-result")
        seen = marks(page)
        restored = page.evaluate("() => window.NetEngine.ready.then((info) => info.snapshot)")
        engine = [r for r in traffic.requests if "/assets/engine/" in r.url]
        responses = [r.response() for r in engine]
        return {
            "first_result_ms": seen["first_result"],
            "engine_ready_ms": seen["engine_ready"],
            "snapshot": restored,
            "engine_files": len(engine),
            "engine_from_worker": sum(bool(r and r.from_service_worker) for r in responses),
        }
    finally:
        context.close()


def page_alone(browser: Browser, profile: Profile, url: str) -> dict[str, Any]:
    """A calculator page's own start-up, cold: the engine's worker script answers 404, so no
    engine byte is fetched and no engine task runs. Long tasks until network idle, to tell the
    page's own long tasks from those the engine adds."""
    with page_without_engine(browser, profile, url) as page:
        seen = marks(page)
    count, longest = boot_long_tasks(seen["longtasks"], float("inf"))
    return {"long_tasks": count, "longest_task_ms": longest}


# --- scenarios --------------------------------------------------------------------------------


def direct(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    rows = []
    for profile_name in ("desktop", "phone"):
        profile = known[profile_name]
        for warm in (False, True):
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
            for _ in range(RUNS):  # interleaved, so drift in machine load hits all alike
                for name, path in TARGETS.items():
                    samples[name].append(
                        first_result(
                            browser, profile, base + path, warm, keystrokes=name == "grade"
                        )
                    )
            floor = median([s["first_result_ms"] for s in samples["bare Pyodide"]])
            for name, runs in samples.items():
                row = summarise(runs)
                row.update(profile=profile_name, cache="warm" if warm else "cold", page=name)
                row["vs_floor"] = round(row["first_result_ms"] / floor, 3)
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def long_task_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary = {
        "long_tasks_median": median([run["long_tasks"] for run in runs]),
        "longest_task_ms_max": max(run["longest_task_ms"] for run in runs),
        "longest_task_runs_ms": [round(run["longest_task_ms"]) for run in runs],
    }
    for part in ("before_boot", "while_booting", "rendering"):
        key = f"longest_{part}_ms"
        if all(key in run for run in runs):
            summary[f"longest_{part}_runs_ms"] = [round(run[key]) for run in runs]
    return summary


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {
        key: round(median([run[key] for run in runs]))
        for key in (
            "first_result_ms",
            "engine_start_ms",
            "engine_boot_ms",
            "engine_ready_ms",
            "bytes",
        )
        if any(run[key] is not None for run in runs)
    }
    row["runs_ms"] = [round(run["first_result_ms"]) for run in runs]
    row.update(long_task_summary(runs))
    boots = [run["worker_boot_ms"] for run in runs if run["worker_boot_ms"] is not None]
    if boots:
        row["worker_boot_ms"] = round(median(boots))
    speeds = [run["wasm_mbit_s"] for run in runs if run["wasm_mbit_s"] is not None]
    if speeds:
        row["wasm_download_mbit_s"] = median(speeds)
    row["encodings"] = runs[0]["encodings"]
    row["snapshot_restored"] = sorted({str(run["snapshot"]) for run in runs})
    keys = [value for run in runs for value in run.get("keystroke_ms", [])]
    if keys:
        row["keystroke_p95_ms"] = round(percentile(keys, 0.95), 1)
        row["keystroke_max_ms"] = round(max(keys), 1)
        row["keystrokes"] = len(keys)
    warmed = [value for run in runs for value in run.get("keystroke_warmed_ms", [])]
    if warmed:
        row["keystroke_warmed_p95_ms"] = round(percentile(warmed, 0.95), 1)
        row["keystroke_warmed_median_ms"] = round(percentile(warmed, 0.5), 1)
    blank = [value for run in runs for value in run.get("keystroke_blank_ms", [])]
    if blank:
        row["keystroke_blank_p95_ms"] = round(percentile(blank, 0.95), 1)
        row["keystroke_blank_median_ms"] = round(percentile(blank, 0.5), 1)
    return row


def uncompressed(browser: Browser, site: Path, known: dict[str, Profile]) -> dict[str, Any]:
    """The baseline the performance issue starts from: no compression and no snapshot (the
    worker still starts first thing in <head>, which that engine did not: slightly kind)."""
    with serving(site, precompressed=False) as plain:
        runs = [
            first_result(browser, known["phone"], plain + GRADE, False, snapshot=False)
            for _ in range(RUNS)
        ]
    row = summarise(runs)
    row.update(profile="phone", cache="cold", page="grade, uncompressed server, no snapshot")
    print(json.dumps(row), flush=True)
    return row


def alone(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    samples: dict[str, list[dict[str, Any]]] = {"grade": [], "sequence": []}
    for _ in range(RUNS):  # interleaved, as in direct()
        for name in samples:
            samples[name].append(page_alone(browser, known["phone"], base + TARGETS[name]))
    rows = []
    for name, runs in samples.items():
        row = {
            "profile": "phone",
            "cache": "cold",
            "page": name,
            **long_task_summary(runs),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def v8_defaults(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    """The phone-cold calculators, with the engine and alone, in a Chromium with V8's default
    flags: what the long tasks look like when DevTools' stack traces make V8 re-parse."""
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"engine": [], "alone": []} for name in ("grade", "sequence")
    }
    for _ in range(RUNS):
        for name, runs in samples.items():
            url = base + TARGETS[name]
            runs["engine"].append(first_result(browser, known["phone"], url, False))
            runs["alone"].append(page_alone(browser, known["phone"], url))
    rows = []
    for name, runs in samples.items():
        engine = long_task_summary(runs["engine"])
        row = {
            "profile": "phone",
            "cache": "cold",
            "page": name,
            "first_result_ms": round(median([run["first_result_ms"] for run in runs["engine"]])),
            "longest_task_ms_max": engine["longest_task_ms_max"],
            "longest_task_runs_ms": engine["longest_task_runs_ms"],
            "alone_longest_task_runs_ms": long_task_summary(runs["alone"])["longest_task_runs_ms"],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def readers(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    rows = []
    # The server answers /sitemap.xml for its own host (build_scripts.sitemap), as an installed
    # site does after `hosting/set_site_url.py <its URL>`: instant navigation takes the click.
    for name, link in READER_LINKS.items():
        runs = [reader(browser, known["phone"], base, link) for _ in range(RUNS)]

        def rounded(key: str, runs: list[dict[str, Any]] = runs) -> float | None:
            value = median([r[key] for r in runs])
            return None if value != value else round(value)  # NaN: none of the runs had it

        row = {
            "variant": "instant navigation",
            "page": name,
            "instant_runs": sum(r["instant"] for r in runs),
            "click_to_result_ms": rounded("click_to_result_ms"),
            "arrival_to_result_ms": rounded("arrival_to_result_ms"),
            "arrival_to_result_runs_ms": [round(r["arrival_to_result_ms"]) for r in runs],
            "wasm_transferred_max": max(r["wasm_transferred"] for r in runs),
            "prefetch_at_ms": rounded("prefetch_at_ms"),
            "engine_ready_ms": round(median([r["engine_ready_ms"] for r in runs])),
            "engine_states_at_click": sorted({r["engine_state_at_click"] for r in runs}),
            "wasm_fetches_max": max(r["wasm_fetches"] for r in runs),
            "bytes": round(median([r["bytes"] for r in runs])),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def offline(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    rows = []
    for profile_name in ("desktop", "phone"):
        runs = [offline_first_result(browser, known[profile_name], base) for _ in range(RUNS)]
        rows.append(
            {
                "profile": profile_name,
                "page": "grade",
                "first_result_ms": round(median([r["first_result_ms"] for r in runs])),
                "runs_ms": [round(r["first_result_ms"]) for r in runs],
                "engine_ready_ms": round(median([r["engine_ready_ms"] for r in runs])),
                "snapshot_restored": sorted({str(r["snapshot"]) for r in runs}),
                "engine_from_worker": sorted(
                    {f"{r['engine_from_worker']}/{r['engine_files']}" for r in runs}
                ),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def contents(browser: Browser, base: str, known: dict[str, Profile]) -> list[dict[str, Any]]:
    rows = []
    for path in CONTENT_PAGES:
        for profile_name in ("desktop", "phone"):
            runs = [content_page(browser, known[profile_name], base + path) for _ in range(RUNS)]
            rows.append(
                {
                    "page": "/" + path,
                    "profile": profile_name,
                    "bytes": round(median([r["bytes"] for r in runs])),
                    "worker_bytes": round(median([r["worker_bytes"] for r in runs])),
                    "engine_bytes_before_prefetch": max(
                        r["engine_bytes_before_prefetch"] for r in runs
                    ),
                    "load_ms": round(median([r["load_ms"] for r in runs])),
                    "prefetch_states": sorted({str(r["prefetch_state"]) for r in runs}),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


# --- report -----------------------------------------------------------------------------------


def machine(browser_version: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or platform.machine(),
    )
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if "MemTotal" in line), 0)
    from build_scripts.build_site import pyodide_version

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "chromium": browser_version,
        "chromium_args": BROWSER_ARGS,
        "pyodide": pyodide_version(),
        "load_average": os.getloadavg(),
        "pytest_processes": busy(),
    }


def busy() -> int:
    """Other pytest processes running now (the figures are noisier when not 0)."""
    result = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False)
    return sum("pytest" in line and "benchmarks" not in line for line in result.stdout.splitlines())


def p95_median(row: dict[str, Any], name: str) -> str:
    if f"keystroke_{name}_p95_ms" not in row:
        return "-"
    return f"{fmt(row[f'keystroke_{name}_p95_ms'])} / {fmt(row[f'keystroke_{name}_median_ms'])}"


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value != value:  # NaN
        return "-"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# make bench ({report['date']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}; "
        f"Chromium {m['chromium']} ({' '.join(m.get('chromium_args', []))}); "
        f"Pyodide {m['pyodide']}. Median of {report['runs']} runs. "
        f"Load average at start {m['load_average'][0]:.2f}, other pytest processes at start: "
        f"{m['pytest_processes']}, at end: {report['pytest_processes_at_end']}.",
        "",
        "Phone = Pixel 7 viewport/UA, 4x CPU, 20 Mbit/s down, 40 ms RTT (CDP on the page "
        "target; the worker's wasm download throughput is measured to show it is throttled too).",
        "",
    ]
    idle = m.get("idle_page_cores") or {}
    if idle.get("phone") is not None:
        lines += [
            f"The throttling's own cost: a calculator page sitting idle keeps "
            f"{idle['phone']:g} of this machine's {m['cores']} cores busy on the phone profile "
            f"({idle.get('desktop', 0):g} on the desktop): Chromium holds the throttled main "
            f"thread back by keeping it busy. During a phone-profile load the engine's worker, "
            f"the network service, the browser process and the harness share what is left, so "
            f"the page's tasks wait for a core more than on a phone (benchmarks/cpu_cost.py).",
            "",
        ]
    if report.get("direct"):
        lines += [
            "## First result shown after navigation (inputs in the URL)",
            "",
            "| profile | cache | page | first result (ms) | vs bare floor | worker created (ms) "
            "| runtime started, page settled (ms) | engine ready (ms) | bytes "
            "| long tasks (median n / max ms) "
            "| keystroke p95 (ms), typed at once | keystroke p95 / median (ms), after warm-up "
            f"| keystroke p95 / median (ms), blank form typed {BLANK_LOOK_MS / 1000:g} s after "
            "ready | wasm download (Mbit/s) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["direct"]:
            lines.append(
                f"| {r['profile']} | {r['cache']} | {r['page']} | {fmt(r['first_result_ms'])} "
                f"| {r['vs_floor']} | {fmt(r.get('engine_start_ms', '-'))} "
                f"| {fmt(r.get('engine_boot_ms', '-'))} | {fmt(r.get('engine_ready_ms', '-'))} "
                f"| {fmt(r['bytes'])} "
                f"| {fmt(r['long_tasks_median'])} / {fmt(r['longest_task_ms_max'])} "
                f"| {fmt(r.get('keystroke_p95_ms', '-'))} "
                f"| {p95_median(r, 'warmed')} | {p95_median(r, 'blank')} "
                f"| {fmt(r.get('wasm_download_mbit_s', '-'))} |"
            )
        encodings = next((r["encodings"] for r in report["direct"] if r["page"] == "grade"), {})
        restored = {
            f"{r['profile']} {r['cache']} {r['page']}": r["snapshot_restored"]
            for r in report["direct"]
            if r["page"] != "bare Pyodide"
        }
        lines += [
            "",
            f"Engine files' Content-Encoding (cold): {encodings}",
            f"Python snapshot restored (engine-worker.mjs; the bare floor never uses one): "
            f"{restored}",
        ]
        boots = {
            f"{r['profile']} {r['cache']}": r.get("worker_boot_ms")
            for r in report["direct"]
            if r["page"] == "bare Pyodide"
        }
        lines += [f"Bare Pyodide, boot timed inside the worker (ms): {boots}", ""]
    if report.get("alone"):
        engine_runs = {
            r["page"]: r["longest_task_runs_ms"]
            for r in report.get("direct", [])
            if (r["profile"], r["cache"]) == ("phone", "cold") and "longest_task_runs_ms" in r
        }
        lines += [
            "## Long tasks: the page alone and with the engine (phone, cold)",
            "",
            "The page alone: the engine's worker script answers 404, so no engine byte is fetched"
            " and no engine task runs; long tasks until network idle. With the engine: the runs"
            " of the first table, until the first result.",
            "",
            "| page | page alone: longest task per run (ms) | with the engine: longest task per "
            "run (ms) |",
            "|---|---|---|",
        ]
        for r in report["alone"]:
            lines.append(
                f"| {r['page']} | {r['longest_task_runs_ms']} | {engine_runs.get(r['page'], '-')} |"
            )
        lines.append("")
    if report.get("defaults"):
        ours = {
            r["page"]: r
            for r in report.get("direct", [])
            if (r["profile"], r["cache"]) == ("phone", "cold")
        }
        alone_ours = {r["page"]: r["longest_task_runs_ms"] for r in report.get("alone", [])}
        lines += [
            "## The harness's own cost: V8's defaults (phone, cold)",
            "",
            f"The tables above come from a Chromium started with `{EAGER_SOURCE_POSITIONS}`."
            " With V8's defaults, Playwright's DevTools session makes V8 re-parse every function"
            " on the stack of each request a script makes (for the request's initiator), inside"
            " the page's tasks; a reader's browser has no DevTools attached. The same runs in a"
            " Chromium with V8's defaults:",
            "",
            "| page | first result (ms), bench / V8 defaults "
            "| with the engine, bench: longest task per run (ms) "
            "| with the engine, V8 defaults: longest task per run (ms) "
            "| page alone, bench: longest task per run (ms) "
            "| page alone, V8 defaults: longest task per run (ms) |",
            "|---|---|---|---|---|---|",
        ]
        for r in report["defaults"]:
            mine = ours.get(r["page"], {})
            lines.append(
                f"| {r['page']} | {fmt(mine.get('first_result_ms'))} / "
                f"{fmt(r['first_result_ms'])} | {mine.get('longest_task_runs_ms', '-')} "
                f"| {r['longest_task_runs_ms']} | {alone_ours.get(r['page'], '-')} "
                f"| {r['alone_longest_task_runs_ms']} |"
            )
        lines.append("")
    phased = [r for r in report.get("direct", []) if "longest_while_booting_runs_ms" in r]
    if phased:
        lines += [
            "## Long tasks by phase: the page's start-up and the runtime's",
            "",
            "Longest task per run, split at the boot message (mark `net-engine-boot`): before it"
            " the page starts up while the engine only downloads; after it the runtime starts"
            " (WebAssembly compiled, snapshot restored) until the first result is shown.",
            "",
            "| profile | cache | page | before the boot message (ms) "
            "| boot message → first result (ms) |",
            "|---|---|---|---|---|",
        ]
        for r in phased:
            lines.append(
                f"| {r['profile']} | {r['cache']} | {r['page']} "
                f"| {r['longest_before_boot_runs_ms']} | {r['longest_while_booting_runs_ms']} |"
            )
        lines.append("")
    framed = [r for r in report.get("direct", []) if "longest_rendering_runs_ms" in r]
    if framed:
        lines += [
            "## Rendering: the main thread's work the Long Tasks API leaves out",
            "",
            "After a frame's tasks the main thread renders it (animation-frame callbacks, style,"
            " layout, paint), in one stretch that belongs to no task. Long Animation Frames see"
            " it. Per run, until the first result: the longest rendering. Not a target of the"
            " performance issue; reported so that the long-task figures are not read as all of"
            " the main thread's work.",
            "",
            "| profile | cache | page | longest rendering per run (ms) |",
            "|---|---|---|---|",
        ]
        for r in framed:
            runs = r["longest_rendering_runs_ms"]
            lines.append(f"| {r['profile']} | {r['cache']} | {r['page']} | {runs} |")
        lines.append("")
    if report.get("uncompressed"):
        u = report["uncompressed"]
        lines += [
            "## Uncompressed baseline (phone, cold, server ignores .br/.gz, no snapshot)",
            "",
            f"First result {fmt(u['first_result_ms'])} ms (runs {u['runs_ms']}), "
            f"{fmt(u['bytes'])} bytes, encodings {u['encodings']}.",
            "",
        ]
    if report.get("reader"):
        lines += [
            f"## Reader (phone, cold): {READER_PAGE} read {READ_SECONDS:g} s, then a link "
            "(instant navigation)",
            "",
            "The sitemap names the serving host (build_scripts.sitemap), so Material's instant "
            "navigation takes the click and the engine started while reading keeps running.",
            "",
            "| variant | calculator | instant runs | click → result (ms) | arrival → result (ms) "
            "| prefetch started (ms) | engine ready (ms) | engine at click | wasm fetches "
            "| wasm bytes on wire after click (max) | bytes |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["reader"]:
            lines.append(
                f"| {r['variant']} | {r['page']} | {r['instant_runs']}/{report['runs']} "
                f"| {fmt(r['click_to_result_ms'])} "
                f"| {fmt(r['arrival_to_result_ms'])} "
                f"| {fmt(r['prefetch_at_ms'])} | {fmt(r['engine_ready_ms'])} "
                f"| {', '.join(r['engine_states_at_click'])} | {r['wasm_fetches_max']} "
                f"| {fmt(r['wasm_transferred_max'])} | {fmt(r['bytes'])} |"
            )
        lines.append("")
    if report.get("content"):
        lines += [
            "## Content pages, first visit (until network idle and the service worker has "
            "installed; before the idle-time prefetch)",
            "",
            "| page | profile | bytes | of which the service worker | engine bytes before "
            "prefetch | load (ms) | prefetch |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in report["content"]:
            lines.append(
                f"| {r['page']} | {r['profile']} | {fmt(r['bytes'])} "
                f"| {fmt(r.get('worker_bytes'))} "
                f"| {r['engine_bytes_before_prefetch']} | {fmt(r['load_ms'])} "
                f"| {', '.join(r['prefetch_states'])} |"
            )
        lines.append("")
    if report.get("offline"):
        lines += [
            "## Offline: the grade calculator reloaded with no network (engine saved by the "
            "service worker)",
            "",
            "| profile | first result (ms) | runs (ms) | engine ready (ms) | snapshot "
            "| engine files from the service worker |",
            "|---|---|---|---|---|---|",
        ]
        for r in report["offline"]:
            lines.append(
                f"| {r['profile']} | {fmt(r['first_result_ms'])} | {r['runs_ms']} "
                f"| {fmt(r['engine_ready_ms'])} | {', '.join(r['snapshot_restored'])} "
                f"| {', '.join(r['engine_from_worker'])} |"
            )
        lines.append("")
    lines += ["## Targets", ""] + [f"- {line}" for line in report["targets"]]
    return "\n".join(lines) + "\n"


def targets(report: dict[str, Any]) -> list[str]:
    found = []

    def row(profile: str, cache: str, page: str) -> dict[str, Any] | None:
        return next(
            (
                r
                for r in report.get("direct", [])
                if (r["profile"], r["cache"], r["page"]) == (profile, cache, page)
            ),
            None,
        )

    for page in ("grade", "sequence"):
        warm = row("phone", "warm", page)
        if warm:
            verdict = "met" if warm["vs_floor"] <= 1.10 else "NOT met"
            found.append(
                f"warm phone {page} within 1.10x of bare floor: {warm['vs_floor']}x ({verdict})"
            )
    for r in report.get("reader", []):
        verdict = "met" if r["arrival_to_result_ms"] <= 1000 else "NOT met"
        found.append(
            f"reader after {READ_SECONDS:g} s ({r['variant']}), {r['page']}: arrival → result "
            f"{fmt(r['arrival_to_result_ms'])} ms, "
            f"click → result {fmt(r['click_to_result_ms'])} ms "
            f"(≤ 1000 ms: {verdict})"
        )
    cold = row("phone", "cold", "grade")
    if cold and report.get("uncompressed"):
        speedup = report["uncompressed"]["first_result_ms"] / cold["first_result_ms"]
        found.append(
            f"cold phone vs uncompressed baseline: {speedup:.2f}x faster "
            f"({'met' if speedup >= 2 else 'NOT met'}, target ≥ 2x)"
        )
    calculators = [r for r in report.get("direct", []) if r["page"] != "bare Pyodide"]
    if calculators:
        worst = max(r["longest_task_ms_max"] for r in calculators)
        by_case: dict[str, int] = {}
        for r in calculators:
            case = f"{r['profile']} {r['cache']}"
            by_case[case] = max(by_case.get(case, 0), r["longest_task_ms_max"])
        found.append(
            f"longest main-thread task during boot: {fmt(worst)} ms "
            f"({'met' if worst <= LONG_TASK_LIMIT_MS else 'NOT met'}, "
            f"target ≤ {LONG_TASK_LIMIT_MS}); worst of {report.get('runs', RUNS)} runs by case: "
            + ", ".join(
                f"{case} {fmt(ms)} ({'met' if ms <= LONG_TASK_LIMIT_MS else 'NOT met'})"
                for case, ms in by_case.items()
            )
        )
        booting = [ms for r in calculators for ms in r.get("longest_while_booting_runs_ms", [])]
        if booting:
            during = (
                f"longest {fmt(max(booting))} ms" if max(booting) else "none over 50 ms in any run"
            )
            found.append(
                f"of these, after the boot message (the runtime starting): {during}; the others "
                f"fall in the page's own start-up, while the engine only downloads (see 'Long "
                f"tasks by phase')"
            )
        if report.get("alone"):
            alone_worst = max(r["longest_task_ms_max"] for r in report["alone"])
            found.append(
                f"for comparison, the calculator pages alone (no engine), phone cold: longest "
                f"task {fmt(alone_worst)} ms, worst of {report.get('runs', RUNS)} runs"
            )
        if report.get("defaults"):
            default_worst = max(r["longest_task_ms_max"] for r in report["defaults"])
            found.append(
                f"the same phone-cold runs in a Chromium with V8's defaults, where the harness's "
                f"stack traces re-parse functions (no reader's browser does): longest task "
                f"{fmt(default_worst)} ms, worst of {report.get('runs', RUNS)} runs (see 'The "
                f"harness's own cost')"
            )
        for r in calculators:
            if "keystroke_warmed_p95_ms" in r:
                found.append(
                    f"keystroke → result p95 once ready (after the warm-up), "
                    f"{r['profile']} {r['cache']}: {r['keystroke_warmed_p95_ms']} ms "
                    f"({'met' if r['keystroke_warmed_p95_ms'] < 50 else 'NOT met'}, target < 50); "
                    f"typed at once after the first result: {r['keystroke_p95_ms']} ms; "
                    f"blank form: {r.get('keystroke_blank_p95_ms', '-')} ms"
                )
    for r in report.get("content", []):
        ok = r["bytes"] < 400_000 and r["engine_bytes_before_prefetch"] == 0
        found.append(
            f"content page {r['page']} ({r['profile']}): {fmt(r['bytes'])} bytes, "
            f"{r['engine_bytes_before_prefetch']} engine bytes before prefetch "
            f"({'met' if ok else 'NOT met'})"
        )
    return found


def main() -> None:
    site = bench_site()
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "runs": RUNS}
    try:
        with serving(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            report["machine"] = machine(browser.version)
            known = profiles(playwright)
            report["machine"]["idle_page_cores"] = {
                name: idle_page_cores(browser, known[name], base + GRADE)
                for name in ("desktop", "phone")
            }
            wanted = ONLY or {
                "direct",
                "alone",
                "defaults",
                "uncompressed",
                "reader",
                "content",
                "offline",
            }
            if "direct" in wanted:
                report["direct"] = direct(browser, base, known)
            if "alone" in wanted:
                report["alone"] = alone(browser, base, known)
            if "defaults" in wanted:
                defaults = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[arg for arg in BROWSER_ARGS if arg != EAGER_SOURCE_POSITIONS],
                )
                report["defaults"] = v8_defaults(defaults, base, known)
                defaults.close()
            if "uncompressed" in wanted:
                report["uncompressed"] = uncompressed(browser, site, known)
            if "reader" in wanted:
                report["reader"] = readers(browser, base, known)
            if "content" in wanted:
                report["content"] = contents(browser, base, known)
            if "offline" in wanted:
                report["offline"] = offline(browser, base, known)
            browser.close()
    finally:
        shutil.rmtree(site.parent, ignore_errors=True)
    report["pytest_processes_at_end"] = busy()
    report["targets"] = targets(report)
    text = markdown(report)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(text)


if __name__ == "__main__":
    main()
