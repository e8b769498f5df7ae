// Offline reading (decisions/0033, 0034): registers the service worker (site/sw.js, built from
// service-worker.js) on secure origins only, HTTPS or localhost; a plain-HTTP intranet has no
// service worker API and the site runs as before, with nothing shown and nothing logged.
// Each page view: a small indicator when the page is shown while the site cannot be reached
// (it came from the copy saved on the device), the calculators' engine saved once a calculator
// has been opened, the home page's "Keep available offline" button, the offline page's list
// of saved pages. A newer build of the site gets a banner with its version and evidence date;
// Reload switches to it. Test hooks: <html data-offline="ready"> once the worker is active and
// this page is saved; <html data-offline-engine="saving|saved|failed">.
(function () {
  "use strict";

  if (!window.isSecureContext || !("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  const script = document.currentScript;
  if (!script) return;
  const siteRoot = new URL("../", script.src); // this file is <root>/javascripts/offline.js
  const UPDATE_CHECK_SPACING_MS = 30000; // instant navigation: check for a new build this often

  let registration = null;
  let controller = container.controller;
  let switching = false; // the reader pressed Reload: the next controller reloads this tab
  let lastUpdateCheck = 0;

  // --- messages to the service worker ----------------------------------------------------------

  // Resolves with the worker's first answer that is not a progress report.
  function ask(worker, message, onProgress) {
    return new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => {
        const answer = event.data || {};
        if ("progress" in answer) {
          if (onProgress) onProgress(answer.progress);
        } else if ("error" in answer) {
          channel.port1.close();
          reject(new Error(answer.error));
        } else {
          channel.port1.close();
          resolve(answer);
        }
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  async function activeWorker() {
    return (await container.ready).active;
  }

  // --- the bar at the bottom: offline indicator and update banner -----------------------------

  let bar = null;
  let indicator = null;
  let banner = null;

  function ensureBar() {
    if (bar && document.body.contains(bar)) return;
    bar = document.createElement("div");
    bar.className = "net-offline-bar";
    indicator = document.createElement("p");
    indicator.className = "net-offline-indicator";
    indicator.setAttribute("role", "status");
    indicator.dataset.testid = "offline-indicator";
    indicator.hidden = true;
    banner = document.createElement("div");
    banner.className = "net-update-banner";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", "Update");
    banner.dataset.testid = "update-banner";
    banner.hidden = true;
    bar.append(indicator, banner);
    document.body.append(bar);
  }

  function markBar() {
    const shown = !indicator.hidden || !banner.hidden;
    document.documentElement.classList.toggle("net-offline-bar-shown", shown);
  }

  function meta(name) {
    const tag = document.querySelector(`meta[name="${name}"]`);
    return tag ? tag.content : "";
  }

  function showOffline(offline) {
    ensureBar();
    indicator.hidden = !offline;
    indicator.textContent = offline
      ? `Offline: saved copy, version ${meta("net-version")}, ` +
        `evidence date ${meta("net-evidence-date")}`
      : "";
    markBar();
  }

  function showUpdate(info, onReload) {
    ensureBar();
    banner.replaceChildren();
    const text = document.createElement("span");
    text.textContent =
      `A newer version of this guideline is available (version ${info.version}, ` +
      `evidence date ${info.evidence_date}) — `;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", () => {
      button.disabled = true;
      onReload();
    });
    banner.append(text, button);
    banner.hidden = false;
    markBar();
  }

  // --- offline: is the site reachable? -------------------------------------------------------

  // A page shown while its own address cannot be fetched came from the saved copy. HEAD goes
  // past the service worker (it caches GET only) and never touches the HTTP cache.
  let probe = 0;
  function checkReachable() {
    if (!container.controller) return;
    const mine = ++probe;
    const url = new URL(window.location.href);
    url.search = "";
    url.hash = "";
    fetch(url, { method: "HEAD", cache: "no-store" }).then(
      () => mine === probe && showOffline(false),
      () => mine === probe && showOffline(true),
    );
  }

  // --- updates -------------------------------------------------------------------------------

  function offerUpdate(worker) {
    if (!controller || worker === container.controller) return; // first install: no old version
    ask(worker, { type: "version" }).then(
      (info) =>
        showUpdate(info, () => {
          switching = true;
          worker.postMessage({ type: "skip-waiting" });
        }),
      () => {},
    );
  }

  function offerWhenInstalled(worker) {
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed") offerUpdate(worker);
    });
  }

  function watchUpdates() {
    // The browser checks for a new worker as the page loads: by the time the registration is
    // known, that worker may be waiting, still installing (its "updatefound" already past), or
    // not found yet.
    if (registration.waiting) offerUpdate(registration.waiting);
    else if (registration.installing) offerWhenInstalled(registration.installing);
    registration.addEventListener("updatefound", () => {
      if (registration.installing) offerWhenInstalled(registration.installing);
    });
    container.addEventListener("controllerchange", () => {
      const previous = controller;
      controller = container.controller;
      if (switching) {
        window.location.reload();
      } else if (previous && controller) {
        // Another tab switched to the newer build: this one still shows the older pages.
        ask(controller, { type: "version" }).then(
          (info) => showUpdate(info, () => window.location.reload()),
          () => {},
        );
      }
    });
  }

  function checkForUpdate() {
    if (!registration || !navigator.onLine) return;
    const now = Date.now();
    if (now - lastUpdateCheck < UPDATE_CHECK_SPACING_MS) return;
    lastUpdateCheck = now;
    registration.update().catch(() => {}); // unreachable: tried again on a later page view
  }

  // --- saving: the first page, the engine ----------------------------------------------------

  function markReady() {
    document.documentElement.setAttribute("data-offline", "ready");
  }

  // The page that registered the worker loaded before it: save it and the files it loaded.
  function saveFirstPage(worker) {
    const engine = document.querySelector('meta[name="net-engine-path"]');
    const engineBase = engine ? new URL(engine.content, window.location.href).href : null;
    const urls = [window.location.href];
    for (const entry of performance.getEntriesByType("resource")) {
      const url = entry.name;
      if (!url.startsWith(siteRoot.href) || (engineBase && url.startsWith(engineBase))) continue;
      urls.push(url);
    }
    ask(worker, { type: "save-page", urls }).then(markReady, () => {});
  }

  function markEngine(state) {
    document.documentElement.setAttribute("data-offline-engine", state);
  }

  function percent(fraction) {
    return `${Math.round(fraction * 100)} %`;
  }

  async function keepEngine(onProgress) {
    markEngine("saving");
    try {
      const status = await ask(await activeWorker(), { type: "keep-engine" }, onProgress);
      markEngine(status.cached ? "saved" : "failed");
      return status;
    } catch (error) {
      markEngine("failed");
      throw error;
    }
  }

  const SAVED_TEXT = "Saved on this device: the calculators work without a connection.";

  async function setUpKeepButton(block) {
    const button = block.querySelector("[data-net-keep-button]");
    const status = block.querySelector('[data-testid="offline-keep-status"]');
    if (!button || !status || block.dataset.netReady) return;
    block.dataset.netReady = "1";
    const worker = await activeWorker(); // never, without a service worker: the block stays hidden
    block.hidden = false;
    const saved = () => {
      status.textContent = SAVED_TEXT;
      button.closest("p").hidden = true; // the button and the size: nothing left to do
    };
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = "Saving… 0 %";
      try {
        const result = await keepEngine((fraction) => {
          status.textContent = `Saving… ${percent(fraction)}`;
        });
        if (!result.cached) throw new Error("not every file was saved");
        saved();
      } catch (error) {
        status.textContent =
          `Could not save the engine (${error.message}). Try again with a connection.`;
        button.disabled = false;
      }
    });
    try {
      const current = await ask(worker, { type: "engine-status" });
      if (current.cached) saved();
    } catch (error) {
      // no answer: the button still works
    }
  }

  async function listSavedPages(block) {
    const list = block.querySelector("ul");
    if (!list || !container.controller) return;
    let pages;
    try {
      pages = (await ask(container.controller, { type: "saved-pages" })).pages || [];
    } catch (error) {
      return;
    }
    const parser = new DOMParser();
    list.replaceChildren(
      ...pages.map(({ url, title }) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = url;
        link.textContent = parser.parseFromString(title || url, "text/html").body.textContent;
        item.append(link);
        return item;
      }),
    );
    block.hidden = pages.length === 0;
  }

  // --- each page view ------------------------------------------------------------------------

  function onPageView() {
    checkReachable();
    checkForUpdate();
    const keep = document.querySelector("[data-net-keep-offline]");
    if (keep) setUpKeepButton(keep);
    const saved = document.querySelector("[data-net-saved-pages]");
    if (saved) listSavedPages(saved);
    if (document.querySelector("[data-net-calculator]") !== null && window.NetEngine) {
      // A calculator opened: it should work offline next time. Saved once the engine is ready,
      // so its files come from the browser's cache, not a second download.
      window.NetEngine.ready.then(() => keepEngine()).catch(() => {});
    }
  }

  // Page views do not wait for the registration: offline, register() waits for the network.
  if (container.controller) {
    container.controller.postMessage({ type: "refresh" });
    markReady();
  } else {
    activeWorker().then(saveFirstPage, () => {});
  }
  if (window.document$) window.document$.subscribe(onPageView);
  else onPageView();
  container
    .getRegistration(siteRoot.href)
    .then((found) =>
      // Ours, not a worker of another site higher up on the same host.
      found && found.scope === siteRoot.href
        ? found
        : container.register(new URL("sw.js", siteRoot), { scope: siteRoot.pathname }),
    )
    .then((registered) => {
      registration = registered;
      watchUpdates();
      checkForUpdate();
    })
    .catch(() => {}); // no worker (the host lacks sw.js): the site works as before
  window.addEventListener("online", checkReachable);
  window.addEventListener("offline", () => showOffline(Boolean(container.controller)));
})();
