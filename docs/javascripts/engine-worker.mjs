// The calculation engine: Pyodide plus the project's wheel, in one long-lived module worker.
// It is served from a versioned folder next to the Pyodide runtime, so every URL here is
// relative to this file. Protocol (CONTRIBUTING.md): {type: "boot"} once, then requests
// {id, kind, params, warmUp?}; replies {id, ok, result | message}; events
// {type: "progress" | "ready" | "failed"}. A progress stage is plain words a reader sees
// ("downloading", "preparing", "almost ready"), never a file name.

const base = new URL("./", import.meta.url);
// Memory of an interpreter that has already started, installed our wheel and imported the
// calculator (build_scripts/snapshot.py): restoring it skips most of the boot on a phone.
// The options must match the maker's (build_scripts/make_snapshot.mjs).
const SNAPSHOT_FILE = "python-snapshot.bin";
const SNAPSHOT_OPTIONS = { env: { PYTHONHASHSEED: "0", _: "./this.program" } };
// The file starts with a header naming the Pyodide version that made it (snapshot.py: HEADER_*);
// _loadSnapshot is private to Pyodide, so a snapshot from another version is refused here and
// Python starts the normal way.
const SNAPSHOT_HEADER_BYTES = 64;
const SNAPSHOT_HEADER = /^net-guide python snapshot 1; pyodide (\S+)\n/;

function snapshotMemory(bytes, pyodideVersion) {
  const header = new TextDecoder().decode(bytes.subarray(0, SNAPSHOT_HEADER_BYTES));
  const made = SNAPSHOT_HEADER.exec(header);
  if (!made) throw new Error("the file has no snapshot header");
  if (made[1] !== pyodideVersion) {
    throw new Error(`it was made by Pyodide ${made[1]}, this is Pyodide ${pyodideVersion}`);
  }
  return bytes.subarray(SNAPSHOT_HEADER_BYTES);
}
// With the snapshot, only the standard-library files the snapshot's interpreter imported (a
// fraction of python_stdlib.zip; build_scripts/snapshot.py). Its zip directory differs from the
// one the restored memory cached, so the import system's caches are dropped after the restore.
const CORE_STDLIB_FILE = "python_stdlib.core.zip";
// (Not importlib.invalidate_caches(): it imports importlib.metadata, which the core zip lacks.)
const FORGET_STDLIB_DIRECTORY =
  "import sys, zipimport\nzipimport._zip_directory_cache.clear()\nsys.path_importer_cache.clear()";
const RUNTIME_FILES = [
  "pyodide.asm.wasm",
  "python_stdlib.zip",
  CORE_STDLIB_FILE,
  "pyodide-lock.json",
];
const PACKAGE = "net-guide-calculator"; // our wheel's entry in pyodide-lock.json

function post(message) {
  self.postMessage(message);
}

class HostingError extends Error {}

// Watch the runtime's own fetches: report progress, and turn a wrong MIME type into a clear
// error (Pyodide otherwise only logs a warning and never finishes booting).
const realFetch = self.fetch.bind(self);

// The runtime starts (WebAssembly compiled and instantiated, the snapshot restored: the CPU-heavy
// part) when the page says its own start-up is over ({type: "boot"}, engine.js), so the two do
// not fight over a phone's cores. Downloads do not wait. A page that never says (an engine.js
// from an older deploy still open in a tab) gets the engine after BOOT_FALLBACK_MS anyway.
const BOOT_FALLBACK_MS = 5000;
let openGate;
const pageSettled = new Promise((resolve) => {
  openGate = resolve;
});
setTimeout(openGate, BOOT_FALLBACK_MS);

// Cold cache: the runtime's largest file is asked for at once and kept as it arrives (one tee
// branch is drained so the download never stalls; the other queues the bytes), and Pyodide's
// own request for it gets that response. Cached: left to Pyodide's request, so V8 can use the
// compiled code it keeps with the cached file. Each worker uses the early response once.
const WASM_FILE = "pyodide.asm.wasm";
const wasmURL = new URL(WASM_FILE, base);
const cold = realFetch(wasmURL, { cache: "only-if-cached", mode: "same-origin" }).then(
  (cached) => {
    cached.body?.cancel();
    return !cached.ok;
  },
  () => true, // not in the cache
);
let earlyWasm = cold
  .then((isCold) => (isCold ? downloadEarly(wasmURL) : null))
  .catch(() => null); // Pyodide's own request then tries again, and reports what fails

async function downloadEarly(url) {
  const response = await realFetch(url);
  if (!response.ok || !response.body) return response; // checked (and reported) when used
  const [kept, drained] = response.body.tee();
  (async () => {
    const reader = drained.getReader();
    while (!(await reader.read()).done);
  })().catch(() => {}); // a broken download surfaces through the kept branch
  return new Response(kept, { status: response.status, headers: response.headers });
}

// Asked for at once, in parallel with the runtime; null when the server has none (not copied
// by the host, blocked): the engine then starts CPython the ordinary way. The answer's headers
// come back while pyodide.mjs loads, so deciding costs no extra round trip, and a host without
// the file never has the runtime downloaded twice. Uncompressed, the snapshot is 31 MB (4.4 MB
// with brotli): on a server that does not send the precompressed copy it would cost more
// download time than it saves CPU time, so the transfer is cancelled and Python starts normally.
const snapshotTransfer = new AbortController();
const snapshotResponse = realFetch(new URL(SNAPSHOT_FILE, base), { signal: snapshotTransfer.signal })
  .then((response) => {
    if (!response.ok) return null;
    const encoding = (response.headers.get("Content-Encoding") || "identity").toLowerCase();
    if (encoding === "identity") {
      snapshotTransfer.abort();
      return null;
    }
    return response;
  })
  .catch(() => null);

// Our wheel's bytes, checked against the lock file's sha256 by the browser (Subresource
// Integrity, as Pyodide's own loader does; crypto.subtle is missing on plain-HTTP intranets).
async function fetchWheel() {
  const lock = await (await realFetch(new URL("pyodide-lock.json", base))).json();
  const entry = lock.packages[PACKAGE];
  const digest = entry.sha256.match(/../g).map((pair) => String.fromCharCode(parseInt(pair, 16)));
  const response = await realFetch(new URL(entry.file_name, base), {
    integrity: `sha256-${btoa(digest.join(""))}`,
  });
  if (!response.ok) throw new Error(`${entry.file_name}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const seen = new Set();
self.fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const name = RUNTIME_FILES.find((file) => url.split("?")[0].endsWith(file));
  const early = name === WASM_FILE ? await earlyWasm : null;
  if (early) earlyWasm = Promise.resolve(null);
  const response = early || (await realFetch(input, init));
  if (name) {
    if (!response.ok) {
      throw fail(new HostingError(`${name} could not be loaded (HTTP ${response.status}).`));
    }
    const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    if (name.endsWith(".wasm") && type !== "application/wasm") {
      throw fail(
        new HostingError(
          `The server sent ${name} as "${type || "no type"}". WebAssembly must be served ` +
            `as application/wasm: add that MIME type for .wasm files to the web server.`,
        ),
      );
    }
    seen.add(name);
    // Three of the runtime files are fetched on any boot; progress names no file (engine.js).
    post({ type: "progress", stage: "downloading", fraction: Math.min(0.2 + 0.2 * seen.size, 0.8) });
  }
  return response;
};

let failed = false;
function fail(error) {
  if (!failed) {
    failed = true;
    post({ type: "failed", message: String(error && error.message ? error.message : error) });
  }
  return error;
}

async function boot() {
  post({ type: "progress", stage: "downloading", fraction: 0.1 });
  let loadPyodide;
  let pyodideVersion;
  try {
    ({ loadPyodide, version: pyodideVersion } = await import(new URL("pyodide.mjs", base).href));
  } catch (error) {
    throw fail(
      new HostingError(
        `pyodide.mjs could not be loaded (${error}). The server must send .mjs files ` +
          `with a JavaScript MIME type (text/javascript).`,
      ),
    );
  }
  const options = {
    indexURL: base.href,
    lockFileURL: new URL("pyodide-lock.json", base).href,
    packageBaseUrl: base.href, // never a CDN
    stdout: () => {},
    stderr: (text) => console.warn(text),
    ...SNAPSHOT_OPTIONS,
  };
  // Cold, the snapshot's bytes are read at once (an unread download stalls); cached, reading
  // them (31 MB inflated) waits for the page too.
  if (!(await cold)) await pageSettled;
  const response = await snapshotResponse;
  // Pyodide awaits the bytes only when it sets up memory, after starting its own fetches.
  const snapshot =
    response &&
    response.arrayBuffer().then((buffer) => snapshotMemory(new Uint8Array(buffer), pyodideVersion));
  const wheel = response && fetchWheel();
  snapshot?.catch(() => {});
  wheel?.catch(() => {});
  await pageSettled;
  post({ type: "progress", stage: "preparing", fraction: 0.2 });
  let pyodide;
  let restored = false;
  if (response) {
    try {
      pyodide = await loadPyodide({
        ...options,
        _loadSnapshot: snapshot,
        stdLibURL: new URL(CORE_STDLIB_FILE, base).href,
      });
      pyodide.runPython(FORGET_STDLIB_DIRECTORY);
      // The calculator is already imported in the restored memory; its files are not (memory
      // only), so unpack the wheel where the snapshot's import system expects them.
      const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
      pyodide.unpackArchive(await wheel, "wheel", { extractDir: sitePackages });
      restored = true;
    } catch (error) {
      if (failed) throw error; // a hosting error already reported (wrong MIME type...)
      console.warn(`The Python snapshot was refused (${error}); starting Python normally.`);
      post({ type: "progress", stage: "preparing", fraction: 0.5 });
    }
  }
  if (!restored) pyodide = await loadPyodide({ ...options, packages: [PACKAGE] });
  post({ type: "progress", stage: "almost ready", fraction: 0.95 });
  const web = pyodide.pyimport("calculator.web");
  const version = JSON.parse(web.handle("version", "{}"));
  return { web, version: { ...version, snapshot: restored } };
}

const engine = boot();
engine.then(
  ({ version }) => {
    if (!failed) post({ type: "ready", ...version });
  },
  (error) => fail(error),
);

self.onmessage = async (event) => {
  if (event.data && event.data.type === "boot") {
    openGate();
    return;
  }
  const { id, kind, params } = event.data || {};
  try {
    const { web } = await engine;
    const result = JSON.parse(web.handle(String(kind), JSON.stringify(params || {})));
    post({ id, ok: true, result });
  } catch (error) {
    post({ id, ok: false, message: String(error && error.message ? error.message : error) });
  }
};
