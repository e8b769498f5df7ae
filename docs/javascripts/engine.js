// Main-thread side of the calculation engine: owns the one module worker (CONTRIBUTING.md).
// Loaded on every page, as the first script in <head> (docs/overrides/main.html), so that on a
// calculator page (<meta name="net-calculator">) the worker starts before the stylesheets and
// Material's bundle are even parsed: the engine's boot overlaps everything else the page does.
// A content page loads no Pyodide byte while it loads; once it has loaded and the browser is
// idle (at least PREFETCH_DELAY_MS after load), it starts the engine in the background unless
// the reader asked to save data or the connection is 2G, so a calculator opened later answers
// at once. With navigation.instant this script runs once and the worker lives on across page
// views. <html data-engine-prefetch="scheduled|started|skipped"> shows the prefetch state.
(function () {
  "use strict";

  const meta = document.querySelector('meta[name="net-engine-path"]');
  // Resolve once, against the first page's URL, so later instant navigations don't matter.
  const engineBase = meta ? new URL(meta.content, window.location.href) : null;
  const BOOT_SILENCE_LIMIT_MS = 90000; // no progress for this long counts as a failed boot
  const PREFETCH_DELAY_MS = 3000; // after the load event, before waiting for an idle moment
  // Warm-up (see warmUpStep): rounds, the pause between them, and how long after a reader's
  // own request the warm-up keeps out of the way.
  const WARM_UP_ROUNDS = 20;
  const WARM_UP_SPACING_MS = 30;
  const WARM_UP_QUIET_MS = 300;

  let worker = null;
  let state = "idle"; // idle | loading | ready | failed
  let failure = "";
  // stage: plain words with a percentage, shown by the calculators' status line ("preparing,
  // 20 %"); fraction and percent never go back, even when a step is retried.
  let progress = { stage: "starting, 0 %", fraction: 0, percent: 0 };
  let nextId = 1;
  let watchdog = null;
  const pending = new Map();
  const listeners = new Set();
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // failures are reported through state, not unhandled rejections

  function emit() {
    for (const listener of listeners) listener({ state, failure, progress });
  }

  function setState(next, detail) {
    if (state === "failed") return;
    state = next;
    if (next === "failed") {
      failure = detail;
      rejectReady(new Error(detail));
      for (const { reject } of pending.values()) reject(new Error(detail));
      pending.clear();
      clearTimeout(watchdog);
    }
    emit();
  }

  function armWatchdog() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      setState(
        "failed",
        "The calculator engine stopped loading. The server may be missing MIME types " +
          "(.wasm as application/wasm, .mjs as text/javascript), or the connection dropped.",
      );
    }, BOOT_SILENCE_LIMIT_MS);
  }

  function explainStartFailure(error) {
    if (window.location.protocol === "file:") {
      return "The calculator cannot run from a file opened directly (file://). Serve the site " +
        "over HTTP, for example with the hospital web server (see HOSTING.md).";
    }
    return `The calculator engine could not start: ${error}. A current browser is needed ` +
      "(module Web Workers and WebAssembly), and the server must send .mjs files as " +
      "text/javascript.";
  }

  function start() {
    if (worker || state === "failed") return ready;
    if (!engineBase) {
      setState("failed", "This page does not say where the calculator engine is (site build error).");
      return ready;
    }
    if (typeof Worker === "undefined" || typeof WebAssembly === "undefined") {
      setState("failed", explainStartFailure("this browser lacks Web Workers or WebAssembly"));
      return ready;
    }
    setState("loading");
    performance.mark("net-engine-start"); // read by make bench
    try {
      worker = new Worker(new URL("engine-worker.mjs", engineBase), { type: "module" });
    } catch (error) {
      setState("failed", explainStartFailure(error));
      return ready;
    }
    armWatchdog();
    whenPageSettled(() => {
      performance.mark("net-engine-boot"); // read by tests and make bench
      worker.postMessage({ type: "boot" });
    });
    worker.addEventListener("error", (event) => {
      setState("failed", explainStartFailure(event.message || "the worker script failed to load"));
    });
    worker.addEventListener("message", (event) => {
      const message = event.data || {};
      if (message.type === "progress") {
        const fraction = Math.max(progress.fraction, Number(message.fraction) || 0);
        const percent = Math.round(fraction * 100);
        progress = { stage: `${message.stage}, ${percent} %`, fraction, percent };
        armWatchdog();
        emit();
      } else if (message.type === "ready") {
        clearTimeout(watchdog);
        performance.mark("net-engine-ready"); // read by make bench
        progress = { stage: "ready", fraction: 1, percent: 100 };
        resolveReady(message);
        setState("ready");
      } else if (message.type === "failed") {
        setState("failed", message.message);
      } else if (pending.has(message.id)) {
        const { resolve, reject } = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) resolve(message.result);
        else reject(new Error(message.message));
      }
    });
    return ready;
  }

  // The worker downloads at once but starts the runtime (compiling WebAssembly, restoring the
  // snapshot) only when told to. Told once the page's own start-up is over: DOMContentLoaded has
  // run (Material mounts there), a frame has been drawn and a task has passed. On a phone with
  // few cores the two start-ups otherwise slow each other into long tasks on this thread
  // (decisions/0008). A hidden page draws no frames: it is told at once.
  function whenPageSettled(callback) {
    const afterFrame = () => {
      if (document.hidden) callback();
      else requestAnimationFrame(() => setTimeout(callback, 0));
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", afterFrame, { once: true });
    } else {
      afterFrame();
    }
  }

  // `warmUp` marks the engine's own throwaway requests (the worker treats them like any other).
  function send(kind, params, warmUp) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage(warmUp ? { id, kind, params, warmUp: true } : { id, kind, params });
    });
  }

  // Warm-up. On a phone the first dozen or so requests after the engine is ready answer slowly:
  // the request path on both threads still runs in V8's slower tiers. After the page's first
  // answer, the engine replays that request WARM_UP_ROUNDS times, spaced out, while the reader
  // looks at the result; answers are dropped, nothing reaches the page or leaves the device. A
  // page that asks nothing when it opens (a blank form) offers a typical request instead
  // (warmUpWith), replayed once the engine is ready, so the warm-up does not wait for the
  // reader's first keystroke. The reader's own requests always go first: a round waits until
  // none is pending and none was sent in the last WARM_UP_QUIET_MS. Performance mark
  // "net-engine-warm" (detail: rounds) when done; make bench reads it.
  let warmUp = null; // { kind, params, left } from the first answer or the page's offer
  let lastRequestAt = -Infinity;

  function warmUpStep() {
    if (state !== "ready" || !warmUp) return;
    if (pending.size > 0 || performance.now() - lastRequestAt < WARM_UP_QUIET_MS) {
      setTimeout(warmUpStep, WARM_UP_SPACING_MS);
      return;
    }
    send(warmUp.kind, warmUp.params, true).then(
      () => {
        warmUp.left -= 1;
        if (warmUp.left > 0) {
          setTimeout(warmUpStep, WARM_UP_SPACING_MS);
        } else {
          performance.mark("net-engine-warm", { detail: { rounds: WARM_UP_ROUNDS } });
        }
      },
      () => {}, // the engine failed meanwhile: status shows it; nothing left to warm
    );
  }

  function warmUpWith(kind, params) {
    if (warmUp) return; // once per engine: the worker outlives instant navigation
    warmUp = { kind, params: JSON.parse(JSON.stringify(params)), left: WARM_UP_ROUNDS };
    ready.then(() => setTimeout(warmUpStep, WARM_UP_SPACING_MS), () => {});
  }

  // Once ready, post at once (not a microtask later): the worker computes while the caller's
  // keystroke task goes on to update the URL and the browser paints.
  function run(kind, params) {
    const ask = () => {
      lastRequestAt = performance.now();
      const answer = send(kind, params);
      if (!warmUp) answer.then(() => warmUpWith(kind, params), () => {}); // first answers only
      return answer;
    };
    if (state === "ready") return ask();
    start();
    return ready.then(ask);
  }

  function subscribe(listener) {
    listeners.add(listener);
    listener({ state, failure, progress });
    return () => listeners.delete(listener);
  }

  window.NetEngine = { start, run, warmUpWith, subscribe, ready, get state() { return state; } };

  // Test hook and status for assistive tech: <html data-calculator> on calculator pages only.
  function markRoot() {
    const root = document.documentElement;
    if (document.querySelector("[data-net-calculator]") === null) {
      root.removeAttribute("data-calculator");
    } else {
      root.setAttribute("data-calculator", state === "idle" ? "loading" : state);
    }
  }
  listeners.add(markRoot);

  // Idle-time prefetch from content pages. The state lives in this script, which survives
  // instant navigation; the attribute is re-applied on every page view.
  let prefetch = ""; // "" (not decided) | scheduled | started | skipped
  let prefetchTimer = null;

  function markPrefetch() {
    if (prefetch) document.documentElement.setAttribute("data-engine-prefetch", prefetch);
    else document.documentElement.removeAttribute("data-engine-prefetch");
  }

  function connectionAllowsPrefetch() {
    const connection = navigator.connection;
    if (!connection) return true; // browsers without the API: no sign of a metered link
    if (connection.saveData === true) return false;
    return connection.effectiveType !== "slow-2g" && connection.effectiveType !== "2g";
  }

  function prefetchNow() {
    prefetchTimer = null;
    if (prefetch !== "scheduled") return;
    if (!connectionAllowsPrefetch()) {
      prefetch = "skipped"; // the reader switched Data Saver on meanwhile
    } else {
      prefetch = "started";
      performance.mark("net-engine-prefetch"); // read by tests and make bench
      start();
    }
    markPrefetch();
  }

  function schedulePrefetch() {
    if (prefetch || worker) return; // decided once per visit; a calculator may have started it
    if (!connectionAllowsPrefetch()) {
      prefetch = "skipped";
      markPrefetch();
      return;
    }
    prefetch = "scheduled";
    markPrefetch();
    const whenIdle = () => {
      if (typeof window.requestIdleCallback === "function") window.requestIdleCallback(prefetchNow);
      else prefetchNow();
    };
    const afterLoad = () => {
      prefetchTimer = setTimeout(whenIdle, PREFETCH_DELAY_MS);
    };
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad, { once: true });
  }

  // Each page view (instant navigation included): start the engine where a calculator is;
  // elsewhere, plan the idle-time prefetch.
  function onPage() {
    if (document.querySelector("[data-net-calculator]") !== null) {
      if (prefetch === "scheduled") {
        clearTimeout(prefetchTimer); // the calculator needs it now, not after a delay
        prefetch = "";
      }
      start();
    } else {
      schedulePrefetch();
    }
    markPrefetch();
    markRoot();
    for (const node of document.querySelectorAll(".net-print-url")) {
      node.textContent = window.location.href;
    }
    markPrintDate();
  }

  // A printed page says when it was printed (the reader's own date; print-only, extra.css).
  function markPrintDate() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    for (const node of document.querySelectorAll(".net-print-date__day")) node.textContent = day;
  }
  window.addEventListener("beforeprint", markPrintDate);

  // This script runs in <head>: the page's body is not parsed yet. The build marks calculator
  // pages in <head>, so start their worker now (make bench reports when: net-engine-start).
  if (document.querySelector('meta[name="net-calculator"]') !== null) start();
  // Material's bundle (end of <body>) defines document$, which emits on every page view,
  // instant navigation included; without it (bundle failed), run once when parsed.
  function watchPages() {
    if (window.document$) window.document$.subscribe(onPage);
    else onPage();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchPages, { once: true });
  } else {
    watchPages();
  }
})();
