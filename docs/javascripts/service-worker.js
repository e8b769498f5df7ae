// The service worker: the site keeps working with no network (decisions/0033, 0034).
// Source of site/sw.js. build_scripts/service_worker.py fills in __NET_BUILD (this build's
// version, evidence date, build id and engine files) and Workbox's injectManifest the precache
// list: the offline page and the files it needs, nothing else. Served at the site's root, so
// its scope is the whole site, under any sub-path.
//
// What is cached, each build in caches of its own:
// - pages and their files as they are visited (from the cache first: within one build they
//   never change; a new build is a new service worker, offered by the page's update banner);
// - files a hospital edits after the build (local notes, sitemap, manifest): network first;
// - the calculator engine (assets/engine/<version>-<hash>/, the site's largest download) and
//   the calculators' pages only when a page asks (a calculator opened, or "Keep available
//   offline" on the home page): never on install.
// Messages from pages (docs/javascripts/offline.js): version, skip-waiting, save-page,
// saved-pages, engine-status, keep-engine (answers progress, then the status), refresh.

importScripts(
  "assets/workbox/workbox-core.prod.js",
  "assets/workbox/workbox-routing.prod.js",
  "assets/workbox/workbox-strategies.prod.js",
  "assets/workbox/workbox-cacheable-response.prod.js",
  "assets/workbox/workbox-precaching.prod.js",
);

const NET = self.__NET_BUILD; // replaced by the build (service_worker.py)
const SCOPE = self.registration.scope; // ends with "/"
const PREFIX = "net-guide-";
// Cache names end with the scope: two copies of the site on one host never share or delete
// each other's caches.
const OWN = `-${SCOPE}`;
const PAGES = `${PREFIX}pages-${NET.build}${OWN}`;
// Named by the engine's versioned folder, not the build: a build that leaves the engine as it
// was keeps the engine a reader already saved.
const ENGINE = `${PREFIX}engine-${NET.engine.dir}${OWN}`;
const STATE = `${PREFIX}state${OWN}`; // the reader's choices, across builds
const ENGINE_BASE = new URL(NET.engine.path, SCOPE).href;
const KEPT_KEY = new URL("__net-guide/engine-kept", SCOPE).href;
const RESAVE_KEY = new URL("__net-guide/resave", SCOPE).href;
const HOST_EDITED = new Set(NET.host_edited.map((path) => new URL(path, SCOPE).href));
const MATCH = { ignoreVary: true };

workbox.core.setCacheNameDetails({ prefix: "net-guide", suffix: `${NET.build}${OWN}` });
const PRECACHE = workbox.core.cacheNames.precache;
workbox.precaching.precacheAndRoute(self.__WB_MANIFEST);
const OFFLINE_PAGE = new URL(NET.offline_page, SCOPE).href;

function inScope(url) {
  return url.href.startsWith(SCOPE);
}

function isPage(url) {
  return url.pathname.endsWith("/") || url.pathname.endsWith(".html");
}

// The page's address without the query and fragment: calculator inputs live in the query,
// and every query of a page is the same page.
function pageKey(url) {
  const key = new URL(url);
  key.search = "";
  key.hash = "";
  return key.href;
}

function cacheable(response) {
  return response && response.ok && response.status === 200 && response.type === "basic";
}

// Never visited and no network: the offline page, with a <base> so its relative links and
// files resolve from its own folder while the address bar keeps the page asked for.
async function offlinePage() {
  const cached = await workbox.precaching.matchPrecache(OFFLINE_PAGE);
  if (!cached) return Response.error();
  const html = await cached.text();
  const base = `<base href="${new URL("./", OFFLINE_PAGE).href}">`;
  return new Response(html.replace(/<head[^>]*>/i, (head) => head + base), {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

async function page({ request }) {
  const key = pageKey(request.url);
  const cache = await caches.open(PAGES);
  const cached = await cache.match(key, MATCH);
  if (cached) return cached;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // A navigation gets the offline page; the theme's own page fetches (instant navigation)
    // fail, so the theme falls back to a navigation.
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
  if (cacheable(response) && !response.redirected) await cache.put(key, response.clone());
  return response;
}

// This build's engine from the device once saved; any engine folder from the network only (a
// tab still showing an older build asks for its own engine: it is never cached as a page file).
async function engineFile({ request }) {
  if (!request.url.startsWith(ENGINE_BASE)) return fetch(request);
  const cached = await caches.match(request.url, { ...MATCH, cacheName: ENGINE });
  return cached || fetch(request);
}

const ENGINES = new URL("../", ENGINE_BASE).href; // every versioned engine folder
workbox.routing.registerRoute(({ url }) => url.href.startsWith(ENGINES), engineFile);
workbox.routing.registerRoute(
  ({ url }) => HOST_EDITED.has(pageKey(url)),
  new workbox.strategies.NetworkFirst({ cacheName: PAGES, matchOptions: MATCH }),
);
workbox.routing.registerRoute(
  ({ url, request }) => inScope(url) && (request.mode === "navigate" || isPage(url)),
  page,
);
workbox.routing.registerRoute(
  ({ url }) => inScope(url),
  new workbox.strategies.CacheFirst({
    cacheName: PAGES,
    matchOptions: MATCH,
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })],
  }),
);

// --- state kept across builds ----------------------------------------------------------------

async function readState(key, fallback) {
  const response = await (await caches.open(STATE)).match(key);
  return response ? response.json() : fallback;
}

async function writeState(key, value) {
  await (await caches.open(STATE)).put(key, new Response(JSON.stringify(value)));
}

// --- the engine, saved on request --------------------------------------------------------------

function engineURL(name) {
  return new URL(name, ENGINE_BASE).href;
}

// The calculator pages, and the files they load only on demand (the print summary's QR code).
const CALCULATOR_PAGES = [...NET.calculator_pages, ...NET.calculator_files].map(
  (path) => new URL(path, SCOPE).href,
);

// The engine and the calculators' pages, all on the device.
async function engineCached() {
  if (!(await caches.has(ENGINE)) || !(await caches.has(PAGES))) return false; // creates none
  const cache = await caches.open(ENGINE);
  const pages = await caches.open(PAGES);
  const all = async (found) => (await Promise.all(found)).every(Boolean);
  const has = (names) => all(names.map((name) => cache.match(engineURL(name), MATCH)));
  return (await all(CALCULATOR_PAGES.map((url) => pages.match(url, MATCH)))) &&
    (await has(NET.engine.files)) &&
    ((await has(NET.engine.snapshot)) || (await has(NET.engine.fallback)));
}

async function engineStatus() {
  return {
    kept: await readState(KEPT_KEY, false),
    cached: await engineCached(),
    bytes: NET.engine.bytes,
  };
}

async function saveEngineFile(cache, name) {
  const url = engineURL(name);
  if (await cache.match(url, MATCH)) return;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  await cache.put(url, response);
}

// The worker uses the Python snapshot only when it arrives compressed (engine-worker.mjs), and
// otherwise starts Python from the full standard library: save what it will use. True when the
// snapshot is saved.
async function saveSnapshot(cache) {
  const url = engineURL(NET.engine.snapshot[0]);
  if (await cache.match(url, MATCH)) return true;
  const transfer = new AbortController();
  const response = await fetch(url, { signal: transfer.signal });
  const encoding = (response.headers.get("Content-Encoding") || "identity").toLowerCase();
  if (!response.ok || encoding === "identity") {
    transfer.abort();
    return false;
  }
  await cache.put(url, response);
  return true;
}

let saving = null; // one download at a time, shared by every page that asks

function keepEngine(progress) {
  if (!saving) {
    saving = (async () => {
      await writeState(KEPT_KEY, true);
      if (await engineCached()) return engineStatus();
      const cache = await caches.open(ENGINE);
      const sizes = NET.engine.sizes;
      let done = 0;
      const counted = (name) => {
        done += sizes[name] || 0;
        progress(Math.min(done / NET.engine.bytes, 1));
      };
      const save = async (name) => {
        await saveEngineFile(cache, name);
        counted(name);
      };
      const python = (async () => {
        const [snapshot, ...rest] = NET.engine.snapshot;
        if (await saveSnapshot(cache)) {
          counted(snapshot);
          await Promise.all(rest.map(save));
        } else {
          await Promise.all(NET.engine.fallback.map(save));
        }
      })();
      const pages = savePages(CALCULATOR_PAGES).then((failed) => {
        if (failed.length > 0) throw new Error(`${failed.length} calculator page(s) not saved`);
      });
      await Promise.all([...NET.engine.files.map(save), python, pages]);
      return engineStatus();
    })().finally(() => {
      saving = null;
    });
  }
  return saving;
}

// --- pages and builds ----------------------------------------------------------------------------

// Returns the addresses that could not be fetched (offline meanwhile). `cacheMode` "force-cache"
// takes the browser's copy as it is: for the files the page that registered the worker has
// just loaded, which are this build's.
async function savePages(urls, cacheMode = "default") {
  const cache = await caches.open(PAGES);
  const failed = [];
  await Promise.all(
    urls.map(async (address) => {
      const url = new URL(address, SCOPE);
      if (!inScope(url) || url.href.startsWith(ENGINE_BASE) || HOST_EDITED.has(pageKey(url))) return;
      const key = isPage(url) ? pageKey(url) : url.href;
      if ((await caches.match(key, MATCH)) !== undefined) return;
      try {
        const response = await fetch(key, { cache: cacheMode });
        if (cacheable(response) && !response.redirected) await cache.put(key, response);
      } catch (error) {
        failed.push(key);
      }
    }),
  );
  return failed;
}

// The pages this build has saved, with their titles as written in the HTML (the offline page
// lists them).
async function savedPages() {
  const cache = await caches.open(PAGES);
  const pages = [];
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    if (!isPage(url)) continue;
    const html = await (await cache.match(request, MATCH)).text();
    const title = /<title>([^<]*)<\/title>/i.exec(html);
    pages.push({ url: url.href, title: title ? title[1].trim() : url.pathname });
  }
  return pages.sort((a, b) => a.url.localeCompare(b.url));
}

// After a reader switches to this build: the pages they had saved are saved again from this
// build, and the engine too if they kept it.
async function refresh() {
  const pending = await readState(RESAVE_KEY, []);
  if (pending.length > 0) await writeState(RESAVE_KEY, await savePages(pending));
  if ((await readState(KEPT_KEY, false)) && !(await engineCached())) await keepEngine(() => {});
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const current = new Set([PAGES, ENGINE, STATE, PRECACHE]);
      const resave = new Set(await readState(RESAVE_KEY, []));
      for (const name of await caches.keys()) {
        if (!name.startsWith(PREFIX) || !name.endsWith(OWN) || current.has(name)) continue;
        if (name.startsWith(`${PREFIX}pages-`)) {
          for (const request of await (await caches.open(name)).keys()) {
            if (isPage(new URL(request.url))) resave.add(request.url);
          }
        }
        await caches.delete(name);
      }
      await writeState(RESAVE_KEY, [...resave]);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const reply = (answer) => event.ports[0]?.postMessage(answer);
  const work = (async () => {
    if (message.type === "version") {
      reply({ version: NET.version, evidence_date: NET.evidence_date, build: NET.build });
    } else if (message.type === "skip-waiting") {
      await self.skipWaiting();
    } else if (message.type === "save-page") {
      await savePages(Array.isArray(message.urls) ? message.urls.map(String) : [], "force-cache");
      reply({ saved: true });
    } else if (message.type === "saved-pages") {
      reply({ pages: await savedPages() });
    } else if (message.type === "engine-status") {
      reply(await engineStatus());
    } else if (message.type === "keep-engine") {
      reply(await keepEngine((fraction) => reply({ progress: fraction })));
    } else if (message.type === "refresh") {
      await refresh();
    }
  })().catch((error) => reply({ error: String((error && error.message) || error) }));
  event.waitUntil(work);
});
