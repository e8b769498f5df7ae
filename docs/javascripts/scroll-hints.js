// Tables wider than the screen: Material puts each table in a sideways-scrolling wrapper
// (.md-typeset__scrollwrap). One that does not fit gets a visible hint above it, a shadow on
// the side that has more (extra.css) and, so that a keyboard can scroll it, a place in the tab
// order with a name. Checked on every page view (instant navigation too) and when the width
// changes (a phone turned sideways). tests/browser/test_phone_layout.py.
(function () {
  "use strict";

  const HINT = "Wider than the screen: scroll sideways to see the whole table.";
  const WRAPPER = ".md-typeset .md-typeset__scrollwrap";

  function hintFor(wrapper) {
    const before = wrapper.previousElementSibling;
    if (before && before.classList.contains("net-scroll-hint")) return before;
    const hint = document.createElement("p");
    hint.className = "net-scroll-hint";
    hint.setAttribute("aria-hidden", "true"); // the region's name says it to a screen reader
    hint.textContent = HINT;
    wrapper.before(hint);
    return hint;
  }

  function mark(wrapper) {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
    wrapper.classList.toggle("net-scrolls", scrolls);
    hintFor(wrapper).classList.toggle("net-scroll-hint--shown", scrolls);
    if (scrolls) {
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", "Table, scrolls sideways");
    } else {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
    }
  }

  function markAll() {
    for (const wrapper of document.querySelectorAll(WRAPPER)) mark(wrapper);
  }

  // Material wraps the tables while it mounts the page: look once it has drawn.
  function onPage() {
    requestAnimationFrame(markAll);
  }

  let width = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    markAll();
  });
  if (window.document$) window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
