// Material patch (build_scripts/material_patches.py): tooltips for the titles in page content,
// drawn with Material's own tooltip classes. Material's `content.tooltips` mounts a component per
// titled element while the page starts; one delegated listener waits for a reader instead.
(function () {
  "use strict";

  const HOSTS = ".md-content [title], .md-content [data-net-title]";
  const GAP_PX = 8; // between the host and the tooltip, as Material draws it
  let open = null; // { host, node }

  function hostOf(target) {
    return target instanceof Element ? target.closest(HOSTS) : null;
  }

  function hide() {
    if (!open) return;
    const { host, node } = open;
    open = null;
    host.setAttribute("title", host.dataset.netTitle);
    delete host.dataset.netTitle;
    host.removeAttribute("aria-describedby");
    node.removeAttribute("id"); // the next tooltip takes the id while this one fades
    node.classList.remove("md-tooltip2--active");
    window.setTimeout(() => node.remove(), 250); // Material's fade-out
  }

  function show(host) {
    if (open && open.host === host) return;
    hide();
    const text = host.getAttribute("title");
    if (!text) return;
    // The title moves aside while the tooltip shows, so the browser's own does not add a second.
    host.dataset.netTitle = text;
    host.removeAttribute("title");
    const node = document.createElement("div");
    node.className = "md-tooltip2 md-tooltip2--bottom";
    node.id = "net-tooltip";
    node.setAttribute("role", "tooltip");
    const inner = document.createElement("div");
    inner.className = "md-tooltip2__inner md-typeset";
    inner.textContent = text;
    node.append(inner);
    document.body.append(node);
    host.setAttribute("aria-describedby", node.id);
    // Material's stylesheet places the tooltip from these, centred below the host and kept
    // inside the viewport; the document scrolls it with the host.
    const box = host.getBoundingClientRect();
    node.style.setProperty("--md-tooltip-host-x", `${box.left + window.scrollX}px`);
    node.style.setProperty("--md-tooltip-host-y", `${box.top + window.scrollY}px`);
    node.style.setProperty("--md-tooltip-x", `${box.width / 2}px`);
    node.style.setProperty("--md-tooltip-y", `${box.height + GAP_PX}px`);
    node.style.setProperty("--md-tooltip-width", `${inner.getBoundingClientRect().width}px`);
    node.style.setProperty("--md-tooltip-tail", "0px");
    open = { host, node };
    // Next frame, so the fade-in transition runs.
    window.requestAnimationFrame(() => {
      if (open && open.node === node) node.classList.add("md-tooltip2--active");
    });
  }

  // Mouse: show while over a titled element.
  document.addEventListener("pointerover", (event) => {
    if (event.pointerType !== "mouse") return;
    const host = hostOf(event.target);
    if (host) show(host);
  });
  document.addEventListener("pointerout", (event) => {
    if (event.pointerType !== "mouse" || !open) return;
    if (hostOf(event.target) === open.host && hostOf(event.relatedTarget) !== open.host) hide();
  });
  // Touch and pen: a tap on an abbreviation toggles it (links keep their tap); a tap or click
  // elsewhere closes it. A mouse click on the abbreviation it points at leaves it open.
  document.addEventListener("click", (event) => {
    const host = hostOf(event.target);
    if (host && host.matches("abbr")) {
      if (!open || open.host !== host) show(host);
      else if (event.pointerType !== "mouse") hide();
    } else {
      hide();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
  window.addEventListener("resize", hide);
  // Instant navigation swaps the content but keeps <body>, where the tooltip lives.
  if (window.document$) window.document$.subscribe(hide);
})();
