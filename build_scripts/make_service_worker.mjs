// Writes site/sw.js with Workbox's injectManifest (build_scripts/service_worker.py runs it).
// Usage: node make_service_worker.mjs <config.json>, where the config holds swSrc, swDest,
// globDirectory, the files to precache and the pattern of file names that carry their own hash.
// Prints one JSON line: {count, size}. Any Workbox warning fails the build.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { injectManifest } = require("workbox-build");

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { count, size, warnings } = await injectManifest({
  swSrc: config.swSrc,
  swDest: config.swDest,
  globDirectory: config.globDirectory,
  globPatterns: config.files,
  injectionPoint: "self.__WB_MANIFEST",
  // Material's bundles carry a content hash in their names: no revision, and fetched through
  // the HTTP cache (a revalidation) rather than downloaded again.
  dontCacheBustURLsMatching: new RegExp(config.hashedNames),
});
if (warnings.length > 0) {
  console.error(warnings.join("\n"));
  process.exit(1);
}
if (count !== config.files.length) {
  console.error(`precached ${count} files, expected ${config.files.length}`);
  process.exit(1);
}
console.log(JSON.stringify({ count, size }));
