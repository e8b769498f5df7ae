// Algorithm pages: each step heading has a "Link to this step" button (build_scripts/templates/
// _step.md.j2) that copies the step's exact address, and the address bar names a step only
// while the reader is at it. Material's navigation.tracking is off: it rewrote the #step as the
// reader scrolled and could name the step above or below the one on screen (issue 23).
// Listeners are delegated from the document, so they serve every page view of instant
// navigation without mounting; nothing runs until the reader clicks or scrolls.
(function () {
  "use strict";
  const { copyText, element } = window.NetCommon;

  // A step heading is the h2 the template puts a "Link to this step" box right after.
  const isStep = (node) =>
    node instanceof Element && node.tagName === "H2" && !!node.closest(".md-content") &&
    !!node.nextElementSibling && node.nextElementSibling.classList.contains("net-steplink");
  let lastStatus = null;

  // The step's address: this page and the step's anchor (these pages take no query).
  const stepUrl = (id) => `${window.location.origin}${window.location.pathname}#${id}`;

  async function copyStepLink(button) {
    const box = button.closest(".net-steplink");
    const status = box.querySelector(".net-steplink__status");
    const url = stepUrl(button.dataset.stepLink);
    const copied = await copyText(url);
    if (lastStatus && lastStatus !== status) lastStatus.textContent = "";
    lastStatus = status;
    const shown = box.querySelector(".net-steplink__url");
    if (copied) {
      if (shown) shown.remove();
      status.textContent = "Link copied.";
      return;
    }
    // The clipboard was refused: show the address, selected, for the reader to copy.
    const field = shown || element("input", {
      type: "text",
      readonly: "",
      class: "net-steplink__url",
      "aria-label": "Address of this step",
    });
    field.value = url;
    if (!shown) box.append(field);
    status.textContent = "Copy this link:";
    field.focus();
    field.select();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-step-link]") : null;
    if (button) copyStepLink(button);
  });

  // The top of the page as the reader sees it: just under Material's fixed header, where an
  // anchor jump leaves a heading (about 1 rem below the header).
  function readingLine() {
    const header = document.querySelector(".md-header");
    const rem = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return (header ? header.getBoundingClientRect().bottom : 0) + 1.5 * rem;
  }

  // The step whose section holds that line: the last heading at or above it.
  function stepAtTop() {
    const line = readingLine();
    let current = null;
    for (const heading of document.querySelectorAll(".md-content h2[id]")) {
      if (heading.getBoundingClientRect().top > line) break;
      current = heading;
    }
    return isStep(current) ? current : null;
  }

  function namedStep() {
    const hash = window.location.hash.slice(1);
    if (!hash) return null;
    let id = hash;
    try {
      id = decodeURIComponent(hash);
    } catch (error) {
      return null;
    }
    const node = document.getElementById(id);
    return isStep(node) ? node : null;
  }

  // Once scrolling stops: drop a #step the reader has scrolled away from. A step near the end
  // of the page cannot scroll up to the top; while the page is at its end and the step's
  // heading is on screen, the reader is still there.
  function forgetStepLeft() {
    const named = namedStep();
    if (!named || stepAtTop() === named) return;
    const root = document.documentElement;
    const atEnd = window.innerHeight + window.scrollY >= root.scrollHeight - 2;
    if (atEnd && named.getBoundingClientRect().top < window.innerHeight) return;
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }

  if ("onscrollend" in window) {
    window.addEventListener("scrollend", forgetStepLeft, { passive: true });
  } else {
    let timer = 0;
    window.addEventListener("scroll", () => {
      clearTimeout(timer);
      timer = setTimeout(forgetStepLeft, 150);
    }, { passive: true });
  }
})();
