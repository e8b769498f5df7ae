// Main-thread side of the calculation engine: owns the one module worker (CONTRIBUTING.md).
// Loaded on every page; it starts the worker only when a page asks for it, so content pages
// load no Pyodide byte. With navigation.instant this script runs once and the worker lives on.
(function () {
  "use strict";

  const meta = document.querySelector('meta[name="net-engine-path"]');
  // Resolve once, against the first page's URL, so later instant navigations don't matter.
  const engineBase = meta ? new URL(meta.content, window.location.href) : null;
  const BOOT_SILENCE_LIMIT_MS = 90000; // no progress for this long counts as a failed boot

  let worker = null;
  let state = "idle"; // idle | loading | ready | failed
  let failure = "";
  let progress = { stage: "", fraction: 0 };
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
    try {
      worker = new Worker(new URL("engine-worker.mjs", engineBase), { type: "module" });
    } catch (error) {
      setState("failed", explainStartFailure(error));
      return ready;
    }
    armWatchdog();
    worker.addEventListener("error", (event) => {
      setState("failed", explainStartFailure(event.message || "the worker script failed to load"));
    });
    worker.addEventListener("message", (event) => {
      const message = event.data || {};
      if (message.type === "progress") {
        progress = { stage: message.stage, fraction: message.fraction };
        armWatchdog();
        emit();
      } else if (message.type === "ready") {
        clearTimeout(watchdog);
        performance.mark("net-engine-ready"); // read by make bench
        progress = { stage: "ready", fraction: 1 };
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

  function run(kind, params) {
    start();
    return ready.then(
      () =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject });
          worker.postMessage({ id, kind, params });
        }),
    );
  }

  function subscribe(listener) {
    listeners.add(listener);
    listener({ state, failure, progress });
    return () => listeners.delete(listener);
  }

  window.NetEngine = { start, run, subscribe, ready, get state() { return state; } };

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

  // Each page view (instant navigation included): start the engine where a calculator is.
  function onPage() {
    if (document.querySelector("[data-net-calculator]") !== null) start();
    markRoot();
    for (const node of document.querySelectorAll(".net-print-url")) {
      node.textContent = window.location.href;
    }
  }

  if (window.document$) window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
