// Small helpers shared by the calculator pages: page mounting under instant navigation,
// query-string state, copying to the clipboard, the copy-link button and "Copy for the notes".
// No page-specific logic here.
(function () {
  "use strict";

  // Run `mount(root)` once for each page view that contains `selector`. Material's instant
  // navigation emits document$ for new pages; a same-page link that only changes the query
  // emits none: pages that keep state in the query also listen to popstate.
  function onPageView(selector, mount) {
    const run = () => {
      const root = document.querySelector(selector);
      if (root && !root.dataset.mounted) {
        root.dataset.mounted = "true";
        mount(root);
      }
    };
    // The first page mounts now: these scripts come after the content, so the root is parsed.
    // Waiting for document$ would add this work to Material's DOMContentLoaded task, the
    // longest task of a cold load on a phone (decisions/0010).
    run();
    if (window.document$) window.document$.subscribe(run);
    else document.addEventListener("DOMContentLoaded", run);
  }

  // The page URL's query as a flat {key: value} object (the last value wins for repeated keys).
  function paramsFromUrl() {
    const params = {};
    for (const [key, value] of new URLSearchParams(window.location.search)) params[key] = value;
    return params;
  }

  function queryFor(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== "" && value !== undefined && value !== null) search.set(key, value);
    }
    const text = search.toString();
    return text ? `?${text}` : "";
  }

  // Keep the URL in step with the inputs; `push` adds a history entry (step changes).
  function writeUrl(params, push) {
    const url = `${window.location.pathname}${queryFor(params)}${window.location.hash}`;
    if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(window.history.state, "", url);
  }

  // The calculator's own writer of the URL, made once per page view. It writes only while the
  // calculator is on the page the address is for: with instant navigation the history entry
  // changes first, and the field left behind fires `change` (or a pending write comes due)
  // after it, which would put the calculator's query on the next page's entry.
  //
  // While the reader types, the URL follows once typing pauses (`soon`), not on every
  // keystroke. Each replaceState is a same-document navigation, after which Chromium asks for
  // the favicon again for the new address: a request and a main-thread image decode in the
  // very window where the keystroke's answer waits (decisions/0024). A pending URL is written
  // at once when the field is left (its `change` writes with `now`), before a link is copied
  // and when the page is hidden.
  const TYPING_PAUSE_MS = 400;

  function urlWriter(root) {
    const path = window.location.pathname;
    const here = () => document.body.contains(root) && window.location.pathname === path;
    let pending = null;
    let timer = 0;
    const onHidden = () => {
      if (document.visibilityState === "hidden") flush();
    };
    // Page-wide listeners only while a write is pending: none outlive the page view.
    function cancel() {
      clearTimeout(timer);
      pending = null;
      document.removeEventListener("visibilitychange", onHidden);
      window.removeEventListener("pagehide", flush);
    }
    function now(params, push) {
      cancel();
      if (here()) writeUrl(params, push);
    }
    function flush() {
      if (pending) now(pending, false);
    }
    return {
      // After a pause in typing; a newer call restarts the wait.
      soon(params) {
        if (!pending) {
          document.addEventListener("visibilitychange", onHidden);
          window.addEventListener("pagehide", flush);
        }
        pending = params;
        clearTimeout(timer);
        timer = setTimeout(flush, TYPING_PAUSE_MS);
      },
      // At once, replacing anything pending; `push` adds a history entry.
      now,
      flush,
    };
  }

  // Copy `text`; true when it reached the clipboard. The Clipboard API needs a secure context;
  // plain-HTTP intranets fall back to execCommand.
  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (error) {
      // refused (no permission, no focus): try the older way
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  async function copyLink(statusNode) {
    const url = window.location.href;
    const copied = await copyText(url);
    if (statusNode) {
      statusNode.textContent = copied ? "Link copied." : `Copy this link: ${url}`;
    }
    return copied;
  }

  // The reader's own date, YYYY-MM-DD: the record summary says when it was made.
  function localDate() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  // The engine's record summary of the page's inputs (calculator/record_text.py, request
  // `kind`), asked once per set of inputs and kept: "Copy for the notes" and "Print summary"
  // then use it inside the reader's click, where some browsers alone allow copying and
  // printing. `extra()` adds fields to the request (the page's address).
  function recordKeeper(kind, extra) {
    let kept = null; // { key, promise, value }
    const requestFor = (params) => ({ params: { ...params }, date: localDate(), ...(extra ? extra() : {}) });
    return {
      ask(params) {
        const request = requestFor(params);
        const key = JSON.stringify(request);
        if (kept && kept.key === key) return kept.promise;
        const entry = { key, value: null };
        entry.promise = window.NetEngine.run(kind, request).then((value) => {
          entry.value = value;
          return value;
        });
        entry.promise.catch(() => {
          if (kept === entry) kept = null; // asked again next time
        });
        kept = entry;
        return entry.promise;
      },
      // The summary of these inputs if it is already here, else null.
      ready(params) {
        return kept && kept.key === JSON.stringify(requestFor(params)) ? kept.value : null;
      },
    };
  }

  // "Copy for the notes": put the record's text on the clipboard and say so in `statusNode` (a
  // live region). Where the browser refuses, the text is shown selected in the read-only box
  // `fallback`, for the reader to copy by hand.
  async function copyRecord(record, statusNode, fallback) {
    const area = fallback.querySelector("textarea");
    fallback.hidden = true;
    if (!record || typeof record.text !== "string") {
      const reason = record && record.error ? ` ${record.error.message}` : "";
      statusNode.textContent = `The summary could not be made.${reason}`;
      return false;
    }
    if (await copyText(record.text)) {
      statusNode.textContent = "Summary copied: paste it into the notes.";
      return true;
    }
    area.value = record.text;
    fallback.hidden = false;
    area.focus();
    area.select();
    area.setSelectionRange(0, area.value.length); // iOS selects nothing with select() alone
    statusNode.textContent = "Not copied: the browser did not allow it. The summary is selected below.";
    return false;
  }

  // Let `node` grow but not shrink while the reader edits: a result that gets shorter would
  // move everything below it under the reader's finger, and each such move re-lays out and
  // repaints the page and wakes Material's resize observers, in the frames a keystroke's result
  // waits behind (decisions/0022). The hold is dropped when the node's width changes
  // (rotation, resize) and when `release()` is called (a new form state: clear, back button).
  function holdHeight(node) {
    let held = 0;
    let width = 0;
    const release = () => {
      held = 0;
      node.style.minHeight = "";
    };
    const observer = new ResizeObserver(([entry]) => {
      const { inlineSize, blockSize } = entry.borderBoxSize[0];
      if (inlineSize !== width) {
        width = inlineSize;
        if (held) {
          release(); // observed again at its natural height, in this same frame
          return;
        }
      }
      if (blockSize > held) {
        held = blockSize;
        node.style.minHeight = `${blockSize}px`; // the box's own height: no new layout
      }
    });
    observer.observe(node, { box: "border-box" });
    return { release };
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  window.NetCommon = {
    onPageView, paramsFromUrl, queryFor, urlWriter, copyText, copyLink, holdHeight, element,
    localDate, recordKeeper, copyRecord,
  };
})();
