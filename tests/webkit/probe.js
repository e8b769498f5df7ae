// Loaded first in every page the WebKit tier opens (tests/webkit/server.py puts it there).
// WebKitGTK's WebDriver gives no console log and no BiDi, so this records what the console
// would show as a problem: uncaught errors (page and workers), unhandled rejections, failed
// loads of scripts/styles/images, CSP violations and console.error/console.warn calls.
// Kept in sessionStorage so that a full page load within a test keeps what came before.
(() => {
  "use strict";
  const KEY = "net-webkit-problems";
  window.netWebkitProbe = true; // the check refuses to pass on a page without the probe
  const record = (kind, text) => {
    const seen = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    seen.push(`${kind}: ${text}`);
    sessionStorage.setItem(KEY, JSON.stringify(seen));
  };
  const describe = (value) =>
    value instanceof Error ? `${value.name}: ${value.message}` : String(value);

  addEventListener("error", (event) => {
    const target = event.target;
    if (target instanceof Element) {
      record("failed load", target.src || target.href || target.outerHTML.slice(0, 120));
    } else {
      record("uncaught", `${event.message} at ${event.filename}:${event.lineno}`);
    }
  }, true);
  addEventListener("unhandledrejection", (event) => {
    record("unhandled rejection", describe(event.reason));
  });
  document.addEventListener("securitypolicyviolation", (event) => {
    record("csp", `${event.violatedDirective} blocked ${event.blockedURI}`);
  });
  for (const level of ["error", "warn"]) {
    const original = console[level];
    console[level] = function (...args) {
      record(`console.${level}`, args.map(describe).join(" "));
      return original.apply(this, args);
    };
  }
  // An uncaught error inside a worker reaches only its Worker object, never window.onerror.
  const NativeWorker = window.Worker;
  if (NativeWorker) {
    window.Worker = class extends NativeWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener("error", (event) => {
          record("worker", `${event.message} at ${event.filename}:${event.lineno}`);
        });
      }
    };
  }
})();
