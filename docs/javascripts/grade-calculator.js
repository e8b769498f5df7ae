// The WHO grade calculator page: form <-> URL <-> engine <-> result. Logic stays in Python
// (calculator.web.grade_params); this file only collects inputs and shows the answer.
(function () {
  "use strict";
  const { onPageView, paramsFromUrl, urlWriter, copyLink, holdHeight, element } = window.NetCommon;

  const THORACIC = new Set(["lung", "thymus"]);
  const KI67_KEYS = { percent: ["ki67_percent"], counts: ["ki67.positive_cells", "ki67.total_cells"] };
  const MITOSES_KEYS = {
    per_2mm2: ["mitoses.per_2mm2"],
    area: ["mitoses.count", "mitoses.area_mm2"],
    hpf_diameter: ["mitoses.count", "mitoses.hpf", "mitoses.field_diameter_mm"],
    hpf_area: ["mitoses.count", "mitoses.hpf", "mitoses.field_area_mm2"],
  };
  const PLAIN_KEYS = ["site", "differentiation", "necrosis", "ne_component_percent"];
  // What a blank form offers the engine's warm-up: a typical complete request (a pancreatic
  // NET G2), replayed in the background and never shown.
  const WARM_UP_SAMPLE = {
    site: "pancreas",
    differentiation: "well",
    ki67_percent: "12",
    "mitoses.per_2mm2": "3",
  };

  // A form with every field empty: the page asks the engine nothing for it.
  const isBlank = (params) => Object.values(params).every((value) => !value);

  const FLAG_TEXT = {
    discordant_indices_higher_grade_used:
      "Ki-67 and the mitotic count point to different grades; WHO takes the higher one.",
    ki67_missing_grade_provisional:
      "No Ki-67 was given, so this grade rests on the mitotic count alone and is provisional.",
    mitoses_missing: "No mitotic count was given, so this grade rests on Ki-67 alone.",
    near_threshold_recount_advised:
      "Ki-67 sits close to a grade boundary (3 % or 20 %); consider recounting the hot spot.",
    ki67_fewer_than_500_cells:
      "Fewer than 500 tumour cells were counted; WHO asks for at least 500 in the hot spot.",
    counted_area_below_10mm2:
      "Less than about 10 mm² was assessed, so the mitotic rate is imprecise.",
    field_diameter_unusual:
      "The field diameter is outside 0.35–0.75 mm; check the microscope's field size.",
    ki67_gt55_confirm_well_differentiated:
      "Ki-67 is above 55 %: confirm on morphology that the tumour really is well differentiated.",
    nec_with_low_proliferation_review_morphology:
      "Reported as poorly differentiated, yet the indices fall below grade 3: review the morphology.",
    differentiation_required:
      "Grade 3 without a stated differentiation: NET G3 and NEC are treated differently, so the " +
      "pathologist's differentiation is needed.",
    grade_each_component_separately:
      "MiNEN: grade each component on its own; this grade applies to the indices entered.",
    not_minen_component_below_30:
      "One component is under 30 % of the tumour, so WHO does not call it a MiNEN.",
    thoracic_criteria_applied:
      "Lung or thymus: the WHO carcinoid criteria apply instead of the digestive table.",
    ki67_not_used_for_tc_ac:
      "Ki-67 is recorded but does not decide typical versus atypical carcinoid.",
    necrosis_status_required:
      "Below 2 mitoses per 2 mm², necrosis decides typical versus atypical carcinoid: state " +
      "whether it is present.",
    gt10_mitoses_review_for_LCNEC_or_carcinoid_with_elevated_mitoses:
      "More than 10 mitoses per 2 mm² is outside carcinoid criteria: ask for pathology review " +
      "(large-cell NEC versus a carcinoid with a high mitotic rate).",
  };

  const DRIVER_TEXT = {
    concordant: "Ki-67 and the mitotic count agree.",
    ki67: "The grade is set by Ki-67.",
    mitoses: "The grade is set by the mitotic count.",
  };

  function headline(result) {
    const grade = result.grade;
    switch (result.classification) {
      case "NET":
        return `NET ${grade}`;
      case "NEC":
        return "NEC (neuroendocrine carcinoma): high grade, not graded G1–G3";
      case "MiNEN":
        return grade ? `MiNEN, neuroendocrine component grade ${grade}` : "MiNEN";
      case "not_MiNEN":
        return "Not a MiNEN";
      case "NEN_differentiation_not_stated":
        return "Grade G3, differentiation needed (NET G3 or NEC)";
      case "typical_carcinoid":
        return "Typical carcinoid";
      case "atypical_carcinoid":
        return "Atypical carcinoid";
      case "outside_carcinoid_criteria":
        return "Outside carcinoid criteria";
      case "TC_or_AC":
        return "Typical or atypical carcinoid: necrosis status needed";
      default:
        return String(result.classification || "No classification");
    }
  }

  function formatNumber(value) {
    if (typeof value !== "number") return "";
    const rounded = Math.round(value * 100) / 100;
    return rounded === value ? String(value) : `≈ ${rounded.toFixed(2)}`;
  }

  function mount(root) {
    const form = root.querySelector("form");
    const resultNode = root.querySelector('[data-testid="grade-result"]');
    const jsonNode = root.querySelector('[data-testid="result-json"]');
    const statusNode = root.querySelector('[data-testid="engine-status"]');
    const copiedNode = root.querySelector(".net-copied");
    const resultHeight = holdHeight(resultNode);
    const url = urlWriter(root);
    let latest = 0;

    const field = (name) => form.elements.namedItem(name);
    const mode = (group) => form.querySelector(`input[name="${group}-mode"]:checked`).value;

    function showModes() {
      const active = new Set([`ki67:${mode("ki67")}`, `mitoses:${mode("mitoses")}`]);
      for (const node of form.querySelectorAll("[data-mode]")) {
        node.hidden = !node.dataset.mode.split(" ").some((token) => active.has(token));
      }
      const thoracic = THORACIC.has(field("site").value);
      for (const node of form.querySelectorAll('[data-show-for="thoracic"]')) node.hidden = !thoracic;
    }

    function collect() {
      const params = {};
      for (const key of PLAIN_KEYS) params[key] = field(key).value.trim() === "" ? "" : field(key).value;
      if (!THORACIC.has(params.site)) params.necrosis = "";
      for (const key of KI67_KEYS[mode("ki67")]) params[key] = field(key).value;
      for (const key of MITOSES_KEYS[mode("mitoses")]) params[key] = field(key).value;
      return params;
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
      const has = (key) => (params[key] || "") !== "";
      const ki67Mode = has("ki67.positive_cells") || has("ki67.total_cells") ? "counts" : "percent";
      let mitosesMode = "per_2mm2";
      if (has("mitoses.field_area_mm2")) mitosesMode = "hpf_area";
      else if (has("mitoses.field_diameter_mm") || has("mitoses.hpf")) mitosesMode = "hpf_diameter";
      else if (has("mitoses.area_mm2") || has("mitoses.count")) mitosesMode = "area";
      form.querySelector(`input[name="ki67-mode"][value="${ki67Mode}"]`).checked = true;
      form.querySelector(`input[name="mitoses-mode"][value="${mitosesMode}"]`).checked = true;
      for (const node of form.querySelectorAll("input[name], select[name]")) {
        if (node.type === "radio" || !(node.name in params)) continue;
        if (node.tagName === "SELECT") setSelect(node, params[node.name]);
        else node.value = params[node.name];
      }
      form.querySelector("details.net-mixed").open = has("ne_component_percent");
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

    function render(result) {
      clearErrors();
      jsonNode.textContent = JSON.stringify(result, null, 2);
      resultNode.replaceChildren();
      resultNode.dataset.status = result.status;
      if (result.status === "error") {
        showError(result.error);
        resultNode.append(
          element("p", { class: "net-result__headline" }, "Not graded"),
          element("p", {}, `Check the highlighted field: ${result.error.message}`),
        );
        return;
      }
      resultNode.append(element("p", { class: "net-result__headline" }, headline(result)));
      if (result.status === "incomplete") {
        resultNode.append(element("p", { class: "net-result__incomplete" }, "Incomplete: see below."));
      }
      if (result.grade_driver) resultNode.append(element("p", {}, DRIVER_TEXT[result.grade_driver]));
      const used = [];
      if (typeof result.ki67_percent === "number") used.push(`Ki-67 ${formatNumber(result.ki67_percent)} %`);
      if (typeof result.mitoses_per_2mm2 === "number") {
        used.push(`${formatNumber(result.mitoses_per_2mm2)} mitoses per 2 mm²`);
      }
      if (used.length) resultNode.append(element("p", {}, `Values used: ${used.join("; ")}.`));
      if (result.flags.length) {
        const list = element("ul", { class: "net-flags" });
        for (const flag of result.flags) {
          list.append(element("li", { "data-flag": flag }, FLAG_TEXT[flag] || flag));
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
      if (empty) {
        clearErrors();
        resultNode.replaceChildren(
          element("p", { class: "net-result__placeholder" }, "Enter the site and at least one index."),
        );
        jsonNode.textContent = "";
        return;
      }
      try {
        const result = await answer;
        if (ticket === latest) {
          render(result); // drop answers overtaken by newer typing
          markFirstResult();
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
    if (isBlank(blank)) window.NetEngine.warmUpWith("grade", { ...blank, ...WARM_UP_SAMPLE });
  }

  onPageView("#grade-calculator", mount);
})();
