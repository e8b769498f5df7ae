// Make the Pyodide memory snapshot the calculator worker restores instead of starting Python.
// Run by build_scripts/snapshot.py (Node, at build time):
//   node make_snapshot.mjs <engine folder> <output file>
// The engine folder holds the exact Pyodide runtime files the site ships and our wheel.
//
// Why: starting CPython inside WebAssembly costs seconds of CPU (about 6 s on a phone-class CPU);
// restoring a snapshot of the initialised interpreter's memory costs a fraction of that.
// Pass 1 boots Python normally, installs the wheel and runs one grade and one sequence request
// to learn which modules the calculator imports. Pass 2 boots a fresh interpreter in snapshot
// mode, imports those modules (the standard library and Pyodide's own; not ours, whose files
// come from the wheel the worker installs after restoring), and writes its memory.
// Pyodide refuses a snapshot made by another build of the runtime (BUILD_ID check), and the
// build regenerates the snapshot whenever the runtime files, the wheel or this script change.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [engineDir, output] = process.argv.slice(2);
if (!engineDir || !output) {
  console.error("usage: node make_snapshot.mjs <engine folder> <output file>");
  process.exit(2);
}
const folder = path.resolve(engineDir) + path.sep;
const { loadPyodide } = await import(pathToFileURL(folder + "pyodide.mjs").href);

// The worker passes the same options (engine-worker.mjs: SNAPSHOT_OPTIONS). A fixed hash seed
// keeps str hashing identical to the snapshot's (it lives in the restored memory anyway).
const options = {
  indexURL: folder,
  lockFileURL: folder + "pyodide-lock.json",
  packageBaseUrl: folder,
  // "_" is the program name Emscripten puts in the environment: Node would put this script's
  // path there; use what a browser gets.
  env: { PYTHONHASHSEED: "0", _: "./this.program" },
  stdout: () => {},
  stderr: (text) => console.error(text),
};
const lock = JSON.parse(readFileSync(folder + "pyodide-lock.json", "utf8"));
const packages = Object.keys(lock.packages);

// Pass 1: what does a real session import?
const probe = await loadPyodide({ ...options, packages });
const baseline = new Set(JSON.parse(probe.runPython("import json, sys; json.dumps(sorted(sys.modules))")));
const web = probe.pyimport("calculator.web");
const graded = JSON.parse(web.handle("grade", JSON.stringify({ site: "pancreas", ki67_percent: "12" })));
const sequenced = JSON.parse(web.handle("sequence", JSON.stringify({ site: "pancreas" })));
if (graded.status !== "ok" || !sequenced.status) {
  console.error("the calculator did not answer in Node:", graded, sequenced);
  process.exit(1);
}
const used = JSON.parse(
  probe.runPython(`
import json, sys
# Ours come from the wheel after restoring; leave them (and __main__) out of the snapshot.
json.dumps(sorted(n for n in sys.modules if n.split(".")[0] not in ("calculator", "__main__")))
`),
);
const modules = [...new Set([...baseline, ...used])].filter(
  (name) => !name.startsWith("calculator") && name !== "__main__",
);

// Pass 2: a fresh interpreter with those modules imported, then its memory.
const pyodide = await loadPyodide({ ...options, _makeSnapshot: true });
pyodide.globals.set("wanted", pyodide.toPy(modules));
const missing = pyodide.runPython(`
import gc, importlib
missing = []
for name in wanted:
    try:
        importlib.import_module(name)
    except Exception:
        missing.append(name)
del wanted
gc.collect()
missing
`).toJs();
const snapshot = pyodide.makeMemorySnapshot();
writeFileSync(output, snapshot);
console.log(
  JSON.stringify({ bytes: snapshot.length, modules: modules.length, not_imported: missing }),
);
