// The WHO grade calculator page: form <-> URL <-> engine <-> result. Logic and wording stay in
// Python (calculator.web.grade_params): the form is generated from the engine's vocabulary
// (build_scripts/render_grade_form.py) and the result carries its own headline, explanation
// and flag texts. This file only collects inputs and shows the answer.
(function () {
  "use strict";
  const {
    onPageView, paramsFromUrl, urlWriter, copyLink, holdHeight, element, recordKeeper, copyRecord,
  } = window.NetCommon;

  // A form with every field empty: the page asks the engine nothing for it.
  const isBlank = (params) => Object.values(params).every((value) => !value);
  // The record summary ("Copy for the notes") is asked for once typing pauses, not per key.
  const RECORD_PAUSE_MS = 400;

  function mount(root) {
    const form = root.querySelector("form");
    const resultNode = root.querySelector('[data-testid="grade-result"]');
    const jsonNode = root.querySelector('[data-testid="result-json"]');
    const statusNode = root.querySelector('[data-testid="engine-status"]');
    const copiedNode = root.querySelector(".net-copied");
    const bar = root.querySelector('[data-testid="grade-bar"]');
    const barHeadline = bar.querySelector(".net-grade-bar__headline");
    const barFlags = bar.querySelector(".net-grade-bar__flags");
    const resultHeading = root.querySelector("#grade-result-heading");
    const resultHeight = holdHeight(resultNode);
    const url = urlWriter(root);
    const copyRecordButton = root.querySelector('[data-action="copy-record"]');
    const fallback = root.querySelector('[data-testid="copy-fallback"]');
    const records = recordKeeper("grade_record");
    let recordTimer = 0;
    let latest = 0;

    const field = (name) => form.elements.namedItem(name);
    const placeholder = resultNode.querySelector(".net-result__placeholder").cloneNode(true);
    const warmUpSample = JSON.parse(form.dataset.warmUp || "{}");
    // The form's ways of giving an index, read once from the generated markup: for each group
    // ("ki67", "mitoses") its modes in form order, each with its fields (data-mode="group:mode").
    const modeKeys = {};
    for (const radio of form.querySelectorAll('input[type="radio"][name$="-mode"]')) {
      const group = radio.name.slice(0, -"-mode".length);
      const fields = form.querySelectorAll(`[data-mode~="${group}:${radio.value}"] [name]`);
      modeKeys[group] = modeKeys[group] || {};
      modeKeys[group][radio.value] = [...fields].map((node) => node.name);
    }
    const modeGroups = Object.keys(modeKeys);
    const mode = (group) => form.querySelector(`input[name="${group}-mode"]:checked`).value;
    // Fields outside any mode (site, differentiation, necrosis, mixed component), in form order.
    const plainKeys = [...form.querySelectorAll("input[name], select[name]")]
      .filter((node) => node.type !== "radio" && !node.closest("[data-mode]"))
      .map((node) => node.name);
    // The chosen site's group ("gep", "thoracic"), from its option; none for a value from a URL.
    const siteGroup = () => {
      const option = field("site").selectedOptions[0];
      return (option && option.dataset.group) || "";
    };
    const shownFor = (node) => {
      const holder = node.closest("[data-show-for]");
      return !holder || holder.dataset.showFor === siteGroup();
    };

    function showModes() {
      const active = new Set(modeGroups.map((group) => `${group}:${mode(group)}`));
      for (const node of form.querySelectorAll("[data-mode]")) {
        node.hidden = !node.dataset.mode.split(" ").some((token) => active.has(token));
      }
      for (const node of form.querySelectorAll("[data-show-for]")) node.hidden = !shownFor(node);
    }

    function collect() {
      const params = {};
      for (const key of plainKeys) {
        const node = field(key);
        params[key] = !shownFor(node) || node.value.trim() === "" ? "" : node.value;
      }
      for (const group of modeGroups) {
        for (const key of modeKeys[group][mode(group)]) params[key] = field(key).value;
      }
      return params;
    }

    // The mode a URL's keys ask for: the last mode, in form order, that brings in a key the URL
    // fills (a count with a field diameter is "count, fields and field diameter").
    function modeFor(group, params) {
      const seen = new Set();
      const values = Object.keys(modeKeys[group]);
      let chosen = values[0];
      for (const value of values) {
        const fresh = modeKeys[group][value].filter((key) => !seen.has(key));
        for (const key of fresh) seen.add(key);
        if (fresh.some((key) => (params[key] || "") !== "")) chosen = value;
      }
      return chosen;
    }

    // A value from a URL that the select lacks (e.g. site=liver) is kept, so the engine can
    // say what is wrong with it at the field instead of silently dropping it.
    function setSelect(select, value) {
      if (value && ![...select.options].some((option) => option.value === value)) {
        select.appendChild(element("option", { value, "data-from-url": "" }, value.slice(0, 60)));
      }
      select.value = value || "";
    }

    function fill(params) {
      resultHeight.release(); // a new form state: the result may take its own height again
      form.reset();
      for (const stale of form.querySelectorAll("option[data-from-url]")) stale.remove();
      for (const group of modeGroups) {
        const value = modeFor(group, params);
        form.querySelector(`input[name="${group}-mode"][value="${value}"]`).checked = true;
      }
      for (const node of form.querySelectorAll("input[name], select[name]")) {
        if (node.type === "radio" || !(node.name in params)) continue;
        if (node.tagName === "SELECT") setSelect(node, params[node.name]);
        else node.value = params[node.name];
      }
      const mixed = form.querySelector("details.net-mixed");
      mixed.open = [...mixed.querySelectorAll("[name]")].some((node) => node.value !== "");
      showModes();
    }

    function clearErrors() {
      for (const node of root.querySelectorAll(".net-error")) {
        node.hidden = true;
        node.textContent = "";
      }
      for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    }

    function showError(error) {
      const slot =
        root.querySelector(`[data-testid="error-${CSS.escape(error.field)}"]`) ||
        root.querySelector('[data-testid="error-input"]');
      slot.textContent = error.message;
      slot.hidden = false;
      const input = field(error.field);
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    }

    // The bar that keeps the grade in sight on a narrow screen: the headline, and how many
    // warnings wait in the full result.
    function showInBar(headline, status, warnings) {
      bar.dataset.status = status;
      barHeadline.textContent = headline;
      if (status === "error") barFlags.textContent = " · ⚠ check the highlighted field";
      else if (warnings) barFlags.textContent = ` · ⚠ ${warnings} ${warnings === 1 ? "warning" : "warnings"}`;
      else barFlags.textContent = "";
    }

    function render(result) {
      clearErrors();
      jsonNode.textContent = JSON.stringify(result, null, 2);
      resultNode.replaceChildren();
      resultNode.dataset.status = result.status;
      resultNode.append(element("p", { class: "net-result__headline" }, result.headline));
      const warnings = (result.flag_details || []).filter((flag) => flag.severity === "warning").length;
      showInBar(result.headline, result.status, warnings);
      if (result.status === "error") {
        showError(result.error);
        resultNode.append(element("p", {}, `Check the highlighted field: ${result.error.message}`));
        return;
      }
      if (result.status === "incomplete") {
        resultNode.append(element("p", { class: "net-result__incomplete" }, "Incomplete: see below."));
      }
      for (const line of result.explanation) resultNode.append(element("p", {}, line));
      // The areas behind a count given as an area or in fields (field, total, fields for 10 mm²).
      const areas = result.area_explanation || [];
      if (areas.length) {
        const list = element("ul", { class: "net-result__areas", "data-testid": "grade-areas" });
        for (const line of areas) list.append(element("li", {}, line));
        resultNode.append(list);
      }
      if (result.flag_details.length) {
        const list = element("ul", { class: "net-flags" });
        for (const flag of result.flag_details) {
          list.append(
            element("li", { "data-flag": flag.id, "data-severity": flag.severity }, flag.text),
          );
        }
        resultNode.append(list);
      }
      resultNode.append(
        element("p", { class: "net-result__engine" }, `Engine ${result.engine_version}.`),
      );
    }

    // Performance mark for make bench: the first engine result this page view shows.
    let firstResultMarked = false;
    function markFirstResult() {
      if (firstResultMarked) return;
      firstResultMarked = true;
      performance.mark("net-first-result", { detail: "grade" });
    }

    // `typing`: a keystroke in a text field, whose URL waits for a pause (urlWriter).
    async function update(typing = false) {
      const params = collect();
      const ticket = ++latest;
      const empty = isBlank(params);
      // Ask first, then write the URL: replaceState forces a style pass, and the worker can
      // compute meanwhile instead of after it.
      const answer = empty ? null : window.NetEngine.run("grade", params);
      if (typing) url.soon(params);
      else url.now(params, false);
      // A summary shown for copying by hand belongs to the inputs it was made from.
      fallback.hidden = true;
      copiedNode.textContent = "";
      copyRecordButton.disabled = empty;
      clearTimeout(recordTimer);
      if (empty) {
        clearErrors();
        resultNode.replaceChildren(placeholder.cloneNode(true));
        showInBar(placeholder.textContent, "empty", 0);
        jsonNode.textContent = "";
        return;
      }
      try {
        const result = await answer;
        if (ticket === latest) {
          render(result); // drop answers overtaken by newer typing
          markFirstResult();
          recordTimer = setTimeout(() => records.ask(params).catch(() => {}), RECORD_PAUSE_MS);
        }
      } catch (error) {
        // Engine failure is shown by the status panel; keep the inputs as they are.
      }
    }

    function showEngine({ state, failure, progress }) {
      const text = statusNode.querySelector(".net-engine-status__text");
      const bar = statusNode.querySelector("progress");
      statusNode.dataset.state = state;
      if (state === "ready") {
        statusNode.hidden = true;
      } else if (state === "failed") {
        statusNode.hidden = false;
        bar.hidden = true;
        text.textContent =
          `The calculator could not start. ${failure} The WHO table below still applies.`;
      } else {
        statusNode.hidden = false;
        bar.value = progress.fraction || 0;
        text.textContent = `Loading the calculator engine (${progress.stage || "starting"})… ` +
          "You can type already; the result appears when it is ready.";
      }
    }

    form.addEventListener("input", (event) => {
      update(event.target.type === "text"); // selects and radios write the URL at once
      showModes();
    });
    form.addEventListener("change", () => {
      update();
      showModes();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    bar.addEventListener("click", () => {
      resultHeading.setAttribute("tabindex", "-1");
      resultHeading.focus({ preventScroll: true });
      resultHeading.scrollIntoView({ block: "start" });
    });
    copyRecordButton.addEventListener("click", () => {
      url.flush();
      const params = collect();
      if (isBlank(params)) return;
      // Kept already: copied within the click itself (Safari allows the clipboard only there).
      const kept = records.ready(params);
      if (kept) {
        copyRecord(kept, copiedNode, fallback);
        return;
      }
      records.ask(params).then(
        (record) => copyRecord(record, copiedNode, fallback),
        () => copyRecord(null, copiedNode, fallback),
      );
    });
    root.querySelector('[data-action="copy-link"]').addEventListener("click", () => {
      url.flush(); // the link carries what was just typed
      copyLink(copiedNode);
    });
    root.querySelector('[data-action="reset"]').addEventListener("click", () => {
      fill({});
      update();
    });
    const onPop = () => {
      if (!document.body.contains(root)) {
        window.removeEventListener("popstate", onPop);
        return;
      }
      fill(paramsFromUrl());
      update();
    };
    window.addEventListener("popstate", onPop);

    const unsubscribe = window.NetEngine.subscribe((status) => {
      if (!document.body.contains(root)) return unsubscribe();
      showEngine(status);
    });
    fill(paramsFromUrl());
    update();
    // A blank form asks the engine nothing yet: offer a typical complete request for its
    // warm-up (engine.js), never shown, so the reader's first keystrokes answer quickly.
    const blank = collect();
    if (isBlank(blank)) window.NetEngine.warmUpWith("grade", { ...blank, ...warmUpSample });
  }

  onPageView("#grade-calculator", mount);
})();
