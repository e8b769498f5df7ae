// Make the Pyodide memory snapshot the calculator worker restores instead of starting Python.
// Run by build_scripts/snapshot.py (Node, at build time):
//   node make_snapshot.mjs <engine folder> <wheel> <output file>
// The engine folder holds the exact Pyodide runtime files the site ships; the wheel is ours.
//
// Why: starting CPython inside WebAssembly, installing the wheel through Pyodide's package
// loader and importing the calculator cost seconds of CPU on a phone. Restoring the memory of
// an interpreter that has done all that costs a fraction. So: boot in snapshot mode, unpack the
// wheel the way the worker will (pyodide.unpackArchive), import calculator.web and answer a few
// requests (the decision tree is parsed and cached, lazy imports happen), then write the memory.
// Files are not part of the memory: the worker unpacks the same wheel again after restoring, so
// the package's files exist for anything that reads them later.
// Pyodide refuses a snapshot made by another build of the runtime (BUILD_ID check), and the
// build remakes the snapshot whenever the runtime files, the wheel or this script change. The
// version reported below goes into the file's header (snapshot.py), which the worker checks
// before it hands the rest to Pyodide's private _loadSnapshot.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [engineDir, wheelPath, output] = process.argv.slice(2);
if (!engineDir || !wheelPath || !output) {
  console.error("usage: node make_snapshot.mjs <engine folder> <wheel> <output file>");
  process.exit(2);
}
const folder = path.resolve(engineDir) + path.sep;
const { loadPyodide } = await import(pathToFileURL(folder + "pyodide.mjs").href);

// The worker passes the same options (engine-worker.mjs: SNAPSHOT_OPTIONS). "_" is the program
// name Emscripten puts in the environment: Node would put this script's path there.
const pyodide = await loadPyodide({
  indexURL: folder,
  lockFileURL: folder + "pyodide-lock.json",
  packageBaseUrl: folder,
  env: { PYTHONHASHSEED: "0", _: "./this.program" },
  stdout: () => {},
  stderr: (text) => console.error(text),
  _makeSnapshot: true,
});
const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", {
  extractDir: sitePackages,
});

// Requests that walk the code paths a session uses: every answer must be an engine answer.
const requests = [
  ["version", {}],
  ["grade", { site: "pancreas", differentiation: "well", ki67_percent: "12", "mitoses.per_2mm2": "3" }],
  ["grade", { site: "lung", differentiation: "well", "mitoses.count": "3", "mitoses.area_mm2": "2" }],
  ["grade", { site: "pancreas", ki67_percent: "abc" }],
  ["sequence", { site: "pancreas" }],
  ["sequence", { site: "small_intestine", differentiation: "well", ki67_percent: "15", stage: "advanced" }],
  ["sequence", { site: "lung", differentiation: "well" }],
];
pyodide.globals.set("requests_json", JSON.stringify(requests));
const answers = JSON.parse(
  pyodide.runPython(`
import gc, json
import calculator.web

answers = [
    json.loads(calculator.web.handle(kind, json.dumps(params)))
    for kind, params in json.loads(requests_json)
]
del requests_json
gc.collect()
json.dumps(answers)
`),
);
for (const [index, answer] of answers.entries()) {
  const kind = requests[index][0];
  if (kind !== "version" && !("status" in answer)) {
    console.error("the calculator did not answer in Node:", requests[index], answer);
    process.exit(1);
  }
}
// The standard-library files this interpreter has imported, plus the few that an error report
// imports late: a restored interpreter reads nothing else, so the worker fetches a zip of just
// these instead of the whole standard library (build_scripts/snapshot.py makes it).
const stdlib = JSON.parse(
  pyodide.runPython(`
import json, sys
for name in ("traceback", "linecache", "tokenize", "warnings", "codecs"):
    __import__(name)
prefix = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip/"
json.dumps(sorted({
    module.__file__[len(prefix):]
    for module in list(sys.modules.values())
    if isinstance(getattr(module, "__file__", None), str) and module.__file__.startswith(prefix)
}))
`),
);
const snapshot = pyodide.makeMemorySnapshot();
writeFileSync(output, snapshot);
console.log(
  JSON.stringify({ bytes: snapshot.length, requests: requests.length, stdlib, pyodide: pyodide.version }),
);
