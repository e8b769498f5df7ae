// The hosting hospital's local notes (site/local-notes.json, edited with
// hosting/local_notes.py; decisions/0031), each in a box marked as theirs and as not part of
// the guideline: at steps and options on the pages and in the sequencing result. Text only
// (textContent; http(s) addresses become links). A file that fails its checksum or cannot be
// read is reported where notes would be, and none of it is shown.
(function () {
  "use strict";
  const { element } = window.NetCommon;
  const FORMAT = 1;
  // This script is javascripts/local-notes.js: the notes file sits at the site's root, on any
  // host and under any sub-path.
  const FILE = new URL("../local-notes.json", document.currentScript.src);
  const TOOL = "python3 hosting/local_notes.py check";
  // Where the sequencing calculator shows what a note can attach to (its test hooks).
  const CALCULATOR_TARGETS = [
    '[data-testid="options"] [data-option-id]',
    '[data-testid="path"] [data-step]',
    '[data-testid="next-question"] [data-step]',
  ].join(", ");

  // ------------------------------------------------------------------ checksum
  // SHA-256 here, not crypto.subtle: that exists only in secure contexts, and intranets often
  // serve plain HTTP. The input is a few kilobytes at most.
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));

  function sha256Hex(text) {
    const bytes = new TextEncoder().encode(text);
    const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000));
    view.setUint32(padded.length - 4, (bytes.length * 8) >>> 0);
    const hash = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    const w = new Uint32Array(64);
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1; // a Uint32Array stores modulo 2^32
      }
      let [a, b, c, d, e, f, g, h] = hash;
      for (let i = 0; i < 64; i++) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) >>> 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) >>> 0;
      }
      [a, b, c, d, e, f, g, h].forEach((value, i) => { hash[i] += value; });
    }
    return Array.from(hash, (word) => word.toString(16).padStart(8, "0")).join("");
  }

  // ------------------------------------------------------------------ reading the file
  // Resolves to {state: "none"}, {state: "broken", reason} or {state: "ok", hospital,
  // reviewed, notes: Map(id -> text)}. A missing file means no notes (the tool treats it so).
  function readNotes(data) {
    const broken = (reason) => ({ state: "broken", reason });
    const isObject = (value) => !!value && typeof value === "object" && !Array.isArray(value);
    if (!isObject(data) || data.format !== FORMAT || typeof data.hospital !== "string" ||
        typeof data.reviewed !== "string" || !isObject(data.notes)) {
      return broken("does not have the expected format");
    }
    const ids = Object.keys(data.notes).sort();
    if (ids.some((id) => typeof data.notes[id] !== "string")) return broken("does not have the expected format");
    // The same canonical text as build_scripts/local_notes.py checksum().
    const canonical = JSON.stringify([data.format, data.hospital, data.reviewed, ids.map((id) => [id, data.notes[id]])]);
    if (data.checksum !== `sha256:${sha256Hex(canonical)}`) {
      return broken("was changed outside hosting/local_notes.py (its checksum does not match)");
    }
    if (!ids.length) return { state: "none" };
    if (!data.hospital || !data.reviewed) return broken("does not name the hospital and review date");
    // A Map: an id such as "constructor" must not find Object's own properties.
    const notes = new Map(ids.map((id) => [id, data.notes[id]]));
    return { state: "ok", hospital: data.hospital, reviewed: data.reviewed, notes };
  }

  // Asked for on each page view (instant navigation included) and revalidated whatever the
  // server's caching says: an edit shows on the next page a reader opens.
  function load() {
    return fetch(FILE, { cache: "no-cache", credentials: "same-origin" })
      .then(async (response) => {
        if (response.status === 404) return { state: "none" };
        if (!response.ok) return { state: "broken", reason: `could not be read (HTTP ${response.status})` };
        let data;
        try {
          data = JSON.parse(await response.text());
        } catch (error) {
          return { state: "broken", reason: "is not valid JSON" };
        }
        return readNotes(data);
      })
      .catch(() => ({ state: "none" })); // offline and not cached: nothing to show
  }

  // ------------------------------------------------------------------ display
  // http(s) addresses become links; the sentence's closing punctuation stays text.
  const ADDRESS = /https?:\/\/[^\s]+/g;

  function appendText(node, text) {
    let last = 0;
    for (const match of text.matchAll(ADDRESS)) {
      const address = match[0].replace(/[.,;:!?)\]'"]+$/, "");
      let href = null;
      try {
        const url = new URL(address);
        if (url.protocol === "http:" || url.protocol === "https:") href = url.href;
      } catch (error) {
        href = null;
      }
      if (!href) continue;
      node.append(document.createTextNode(text.slice(last, match.index)));
      node.append(element("a", { href, class: "net-local-note__link" }, address));
      last = match.index + address.length;
    }
    node.append(document.createTextNode(text.slice(last)));
  }

  function noteBox(id, notes) {
    const box = element("div", {
      class: "net-local-note",
      role: "note",
      "aria-label": `Local note from ${notes.hospital}`,
      "data-local-note": id,
    });
    const from = element("p", { class: "net-local-note__from" });
    from.append(element("strong", {}, "Local note"), document.createTextNode(` from ${notes.hospital}, reviewed ${notes.reviewed}`));
    const text = element("p", { class: "net-local-note__text" });
    appendText(text, notes.notes.get(id));
    const line = element("p", { class: "net-local-note__disclaimer" }, "Added by this hospital; not part of the NET Guide's guideline.");
    box.append(from, text, line);
    return box;
  }

  function notice(reason) {
    const box = element("div", { class: "net-local-note net-local-note--broken", role: "note", "data-local-notes-broken": "" });
    box.append(
      element("p", { class: "net-local-note__from" }, `This hospital's local notes are not shown: the notes file ${reason}.`),
      element("p", { class: "net-local-note__disclaimer" }, `Site administrators: run ${TOOL}`),
    );
    return box;
  }

  // Notes in the sequencing calculator: its result is redrawn on every answer, so each redraw
  // is watched and the notes put back (sequence-calculator.js knows nothing of them).
  function watchCalculator(calculator, notes) {
    const decorate = () => {
      for (const target of calculator.querySelectorAll(CALCULATOR_TARGETS)) {
        const id = target.getAttribute("data-option-id") || target.getAttribute("data-step");
        if (!notes.notes.has(id)) continue;
        if ([...target.children].some((child) => child.classList.contains("net-local-note"))) continue;
        target.append(noteBox(id, notes));
      }
    };
    decorate();
    new MutationObserver(decorate).observe(calculator, { childList: true, subtree: true });
  }

  function show(root, notes) {
    const slots = root.querySelectorAll("[data-local-notes-for]");
    const sequence = root.querySelector("#sequence-calculator");
    const grade = root.querySelector("#grade-calculator");
    if (notes.state === "broken") {
      const heading = root.querySelector("h1");
      if (heading) heading.after(notice(notes.reason));
      return;
    }
    if (notes.state !== "ok") return;
    for (const slot of slots) {
      const id = slot.getAttribute("data-local-notes-for");
      if (notes.notes.has(id)) slot.replaceChildren(noteBox(id, notes));
    }
    if (grade && notes.notes.has("grade")) grade.after(noteBox("grade", notes));
    if (sequence) watchCalculator(sequence, notes);
  }

  // Once per page view (Material's instant navigation swaps .md-content), and only on pages
  // with a place for a note. Its own mark: `data-mounted` is the calculators'.
  function pageView() {
    const root = document.querySelector(".md-content");
    if (!root || root.hasAttribute("data-local-notes-seen")) return;
    root.setAttribute("data-local-notes-seen", "");
    if (!root.querySelector("[data-local-notes-for], #sequence-calculator, #grade-calculator")) return;
    load().then((notes) => show(root, notes));
  }
  pageView();
  if (window.document$) window.document$.subscribe(pageView);
  else document.addEventListener("DOMContentLoaded", pageView);

  // For other scripts (a print or copy view may add the notes): the file's state, and a box.
  window.NetLocalNotes = { load, noteBox };
})();
