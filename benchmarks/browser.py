"""Browser-side helpers for `make bench`: device profiles, CDP throttling, in-page probes.

Throttling (the phone profile) goes through the Chrome DevTools Protocol on the page's target:
`Emulation.setCPUThrottlingRate` and `Network.emulateNetworkConditions`. Chromium refuses both
on a dedicated worker's own target ("only supported for pages" / "Not supported"); the page's
network conditions do apply to the worker's fetches, and the page's CPU rate to the worker's
thread. make bench checks both on every run instead of trusting this note: it reports the
throughput the worker's pyodide.asm.wasm download actually got, and the bare page's worker
times its own boot (compare desktop and phone with a warm cache).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request

PHONE_CPU_RATE = 4
PHONE_DOWN_BITS_PER_S = 20_000_000
PHONE_UP_BITS_PER_S = 10_000_000
PHONE_RTT_MS = 40
LONG_TASK_LIMIT_MS = 200  # the target: no main-thread task above this during boot

# The bench's Chromium keeps each function's source positions from the moment it is compiled,
# instead of V8's default of working them out again when first needed. Why: Playwright's
# DevTools session (Runtime and Network domains on) records a JavaScript stack trace for every
# request a script makes, and to build it V8 re-parses every function on that stack, inside
# the page's tasks (decisions/0015); a reader's browser, with no DevTools attached, never pays
# it. Eager positions cost a little compile time, so with this flag the figures err slow, not
# fast. make bench also runs the phone-cold calculators with V8's defaults and reports both
# (scenario "defaults").
EAGER_SOURCE_POSITIONS = "--js-flags=--no-enable-lazy-source-positions"
BROWSER_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    EAGER_SOURCE_POSITIONS,
]

# Runs in every document before its own scripts (add_init_script; not in workers).
INIT_SCRIPT = """
(() => {
  if (typeof window === "undefined" || window.__netBench) return;
  const bench = (window.__netBench = { longtasks: [], latency: null, resolve: null });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        bench.longtasks.push([entry.startTime, entry.duration]);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {
    bench.longtasks = null; // not supported: reported as such
  }
  // Long animation frames: unlike long tasks they see the rendering (animation-frame callbacks,
  // style, layout, paint) that follows a frame's tasks, one unbroken stretch of main-thread
  // work. [start, rendering part].
  bench.frames = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const end = entry.startTime + entry.duration;
        const rendering = entry.renderStart ? end - entry.renderStart : 0;
        bench.frames.push([entry.startTime, rendering]);
      }
    }).observe({ type: "long-animation-frame", buffered: true });
  } catch (error) {
    bench.frames = null;
  }
  // Keystroke probe: input event -> next DOM change of the watched node (a microtask after
  // the render that caused it).
  document.addEventListener("input", (event) => { bench.inputAt = event.timeStamp; }, true);
  bench.watch = (selector) => {
    const target = document.querySelector(selector);
    new MutationObserver(() => {
      if (bench.resolve && bench.inputAt !== undefined) {
        const resolve = bench.resolve;
        bench.resolve = null;
        resolve(performance.now() - bench.inputAt);
      }
    }).observe(target, { childList: true, subtree: true, characterData: true });
  };
  bench.arm = () => {
    bench.inputAt = undefined;
    bench.latency = new Promise((resolve) => { bench.resolve = resolve; });
  };
  // Reader probe: click a link (instant navigation) and note when the calculator arrives.
  bench.clickThrough = (selector) => {
    const link = document.querySelector(selector);
    const observer = new MutationObserver(() => {
      if (document.querySelector("[data-net-calculator]")) {
        bench.arrivedAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    bench.clickAt = performance.now();
    bench.stateAtClick = window.NetEngine ? window.NetEngine.state : "none";
    link.click();
  };
})();
"""

MARKS = """() => {
  const mark = (name) => {
    const entries = performance.getEntriesByName(name);
    return entries.length ? entries[entries.length - 1].startTime : null;
  };
  const bench = window.__netBench || {};
  return {
    first_result: mark("net-first-result"),
    engine_ready: mark("net-engine-ready"),
    engine_start: mark("net-engine-start"),
    engine_boot: mark("net-engine-boot"),
    prefetch: mark("net-engine-prefetch"),
    longtasks: bench.longtasks,
    frames: bench.frames,
    click_at: bench.clickAt ?? null,
    arrived_at: bench.arrivedAt ?? null,
    state_at_click: bench.stateAtClick ?? null,
    worker_boot: bench.workerBootMs ?? null,
    prefetch_state: document.documentElement.getAttribute("data-engine-prefetch"),
  };
}"""


@dataclass
class Profile:
    name: str
    context_args: dict[str, Any]
    cpu_rate: float = 1
    network: dict[str, Any] | None = None


def profiles(playwright: Playwright) -> dict[str, Profile]:
    pixel7 = {
        key: value
        for key, value in playwright.devices["Pixel 7"].items()
        if key != "default_browser_type"
    }
    return {
        "desktop": Profile("desktop", {"viewport": {"width": 1280, "height": 800}}),
        "phone": Profile(
            "phone",
            pixel7,
            cpu_rate=PHONE_CPU_RATE,
            network={
                "offline": False,
                "latency": PHONE_RTT_MS,
                "downloadThroughput": PHONE_DOWN_BITS_PER_S / 8,  # bytes per second
                "uploadThroughput": PHONE_UP_BITS_PER_S / 8,
            },
        ),
    }


def new_context(
    browser: Browser, profile: Profile, service_workers: Literal["allow", "block"] = "block"
) -> BrowserContext:
    """A fresh context for `profile`. The site's service worker is blocked unless a scenario is
    about it (a content page's first visit counts what it fetches; the offline first result)."""
    context = browser.new_context(**profile.context_args, service_workers=service_workers)
    context.add_init_script(INIT_SCRIPT)
    return context


def throttle(page: Page, profile: Profile) -> None:
    """Apply the profile's CPU and network throttling to the page's target (and so to its
    dedicated worker, which Chromium throttles through the page; see the module note)."""
    if profile.cpu_rate <= 1 and profile.network is None:
        return
    session = page.context.new_cdp_session(page)
    if profile.cpu_rate > 1:
        session.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu_rate})
    if profile.network is not None:
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", profile.network)


@contextmanager
def page_without_engine(browser: Browser, profile: Profile, url: str) -> Iterator[Page]:
    """`url` opened cold under `profile` and loaded until network idle, with the engine's
    worker script answering 404: no engine byte is fetched and no engine task runs."""
    context = new_context(browser, profile)
    context.route("**/engine-worker.mjs", lambda route: route.fulfill(status=404, body=""))
    try:
        page = context.new_page()
        throttle(page, profile)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        yield page
    finally:
        context.close()


@dataclass
class Traffic:
    """Everything a page view received: bytes on the wire, and how the engine files came."""

    bytes: int = 0
    engine_bytes: int = 0
    worker_bytes: int = 0  # fetched by the service worker (its script, precache, saved pages)
    requests: list[Request] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # engine file -> Content-Encoding
    wasm_fetches: int = 0
    wasm_bytes: int = 0  # pyodide.asm.wasm bytes on the wire (0 when served from cache)
    wasm_mbit_s: float | None = None  # throughput the worker's wasm download got

    def attach(self, context: BrowserContext) -> None:
        context.on("requestfinished", self._finished)

    def detach(self, context: BrowserContext) -> None:
        context.remove_listener("requestfinished", self._finished)

    def _finished(self, request: Request) -> None:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.bytes += size
        self.requests.append(request)
        if request.service_worker is not None:
            self.worker_bytes += size
        if "/assets/engine/" not in request.url:
            return
        self.engine_bytes += size
        name = request.url.split("?")[0].rsplit("/", 1)[-1]
        response = request.response()
        headers = response.headers if response else {}
        self.encodings[name] = headers.get("content-encoding", "identity")
        if name == "pyodide.asm.wasm":
            self.wasm_fetches += 1
            self.wasm_bytes += sizes["responseBodySize"]
            timing = request.timing
            seconds = (timing["responseEnd"] - timing["responseStart"]) / 1000
            if sizes["responseBodySize"] > 100_000 and seconds > 0:
                self.wasm_mbit_s = round(sizes["responseBodySize"] * 8 / seconds / 1e6, 1)


def wait_for_mark(page: Page, name: str, timeout_ms: int = 180_000) -> None:
    page.wait_for_function(
        "(name) => performance.getEntriesByName(name).length > 0",
        arg=name,
        timeout=timeout_ms,
        polling=50,
    )


def marks(page: Page) -> dict[str, Any]:
    return page.evaluate(MARKS)


def boot_long_tasks(
    longtasks: list[list[float]] | None, until_ms: float, since_ms: float = float("-inf")
) -> tuple[int, float]:
    """(count, longest) of main-thread long tasks that started in [`since_ms`, `until_ms`]."""
    if longtasks is None:
        return (-1, -1.0)
    during = [duration for start, duration in longtasks if since_ms <= start <= until_ms]
    return (len(during), round(max(during, default=0.0)))


def longest_rendering(frames: list[list[float]] | None, until_ms: float) -> int | None:
    """The longest rendering part of the animation frames that started by `until_ms`; 0 when
    none did, None without the Long Animation Frames API."""
    if frames is None:
        return None
    return round(max((rendering for start, rendering in frames if start <= until_ms), default=0))


def keystroke_latencies(page: Page, selector: str, count: int = 30) -> list[float]:
    """Type into `selector` (a field whose every value changes the result) once the engine is
    ready; in-page time from each input event to the result's DOM update."""
    watch_result(page)
    digits = "2345678923456789234567892345"
    keys = ["Backspace" if index % 2 == 0 else digits[index // 2] for index in range(count)]
    return typed(page, selector, keys)


def blank_form_latencies(page: Page) -> list[float]:
    """A reader filling the blank grade form: site, then Ki-67 12 and 3 mitoses per 2 mm2, then
    16 edits of Ki-67. The site is picked first (it is the reader's first request, not timed):
    from then on every keystroke changes the result."""
    watch_result(page)
    page.select_option("[name='site']", "pancreas")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"grade-result\"] .net-result__placeholder')"
    )
    latencies = typed(page, "[name='ki67_percent']", list("12"))
    latencies += typed(page, "[name='mitoses.per_2mm2']", ["3"])
    edits = ["Backspace", "5", "Backspace", "7", "Backspace", "9", "Backspace", "4"] * 2
    return latencies + typed(page, "[name='ki67_percent']", edits)


def watch_result(page: Page) -> None:
    page.evaluate("() => window.__netBench.watch('[data-testid=\"grade-result\"]')")


def typed(page: Page, selector: str, keys: list[str]) -> list[float]:
    """Press `keys` in `selector`, one at a time, each timed to the result's next DOM change.

    The field is tapped on a touch profile (the phone) and clicked elsewhere. A click leaves
    Playwright's mouse resting on the field, which no phone has: Chromium then re-hit-tests the
    hover under it after every layout change, in the frames that the result waits behind
    (decisions/0023)."""
    if page.evaluate("() => navigator.maxTouchPoints > 0"):
        page.tap(selector)
    else:
        page.click(selector)
    page.keyboard.press("End")
    latencies = []
    for key in keys:
        page.evaluate("() => window.__netBench.arm()")
        page.keyboard.press(key)
        latencies.append(page.evaluate("() => window.__netBench.latency"))
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else float("nan")
