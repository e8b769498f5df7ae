// The treatment-sequencing page: one question at a time, answers in the query string, the
// engine's result shown with links into the algorithm pages. The tree logic stays in Python
// (calculator.web.sequence_params); this file asks, remembers and displays. DOM is built with
// textContent and setAttribute only: nothing from the URL is ever parsed as HTML.
(function () {
  "use strict";
  const {
    onPageView, paramsFromUrl, urlWriter, copyLink, element, recordKeeper, copyRecord,
  } = window.NetCommon;
  const SVG = "http://www.w3.org/2000/svg";

  // Grading keys of shared/spec/grading.md that the page can take instead of a G1-G3 answer;
  // their labels and keyboards come from the engine's field texts (steps.json).
  const GRADING_FIELDS = ["ki67_percent", "mitoses.per_2mm2"];
  const GRADING_MORE = ["ki67.positive_cells", "ki67.total_cells", "mitoses.count", "mitoses.area_mm2"];
  const GRADING_PREFIXES = ["ki67", "mitoses", "necrosis", "ne_component_percent"];
  const isGradingKey = (key) =>
    GRADING_PREFIXES.some((prefix) => key === prefix || key.startsWith(`${prefix}.`) || key === `${prefix}_percent`);

  function mount(root) {
    const siteRoot = new URL(root.dataset.siteRoot || "../../", window.location.href);
    const questionNode = root.querySelector('[data-testid="next-question"]');
    const answersList = root.querySelector(".net-seq-answers__list");
    const answersEmpty = root.querySelector(".net-seq-answers__empty");
    const answersBox = root.querySelector(".net-seq-answers__box");
    const answersCount = root.querySelector(".net-seq-answers__count");
    const answersLine = root.querySelector(".net-seq-answers__line");
    const resultSection = root.querySelector(".net-result");
    const resultHeading = root.querySelector("#sequence-result-heading");
    const resultNode = root.querySelector('[data-testid="sequence-result"]');
    const jsonNode = root.querySelector('[data-testid="result-json"]');
    const statusNode = root.querySelector('[data-testid="engine-status"]');
    const copiedNode = root.querySelector(".net-copied");
    const priorDetails = root.querySelector(".net-seq-prior");
    const priorChoices = root.querySelector(".net-seq-prior__choices");
    const priorName = root.querySelector(".net-seq-prior__name").textContent;
    const generalError = root.querySelector('[data-testid="error-input"]');
    const fallback = root.querySelector('[data-testid="copy-fallback"]');
    const printButton = root.querySelector('[data-action="print-summary"]');
    // The record's link reopens the result: this page's own address with the answers.
    const records = recordKeeper("sequence_record", () => ({
      page_url: `${window.location.origin}${window.location.pathname}`,
    }));
    const url = urlWriter(root);
    let params = paramsFromUrl();
    let map = {
      steps: {}, options: {}, trials: {}, pointers: {}, sources: {}, grading_fields: {},
      labels: { preferences: {}, aims: {}, pathways: {}, result: {} }, evidence_page: "evidence/",
    };
    let latest = 0;
    let focusAfterRender = false;
    // The answer taken back with "Change": still marked when its question shows again.
    let changed = null;
    // Whether the last result shown ended the walk (its options or a pointer elsewhere).
    let shownFinal = false;
    let firstRender = true;
    // A link with answers opens at the result, unless the reader moved meanwhile or the link
    // names a place on the page.
    const openedWithAnswers = Object.keys(params).length > 0 && !window.location.hash;
    const openedAtY = window.scrollY;

    const href = (path) => new URL(path, siteRoot).href;
    const stepInfo = (id) => map.steps[id] || { page: "algorithm/", title: id, key: null, choices: [] };
    const stepHref = (id) => href(`${stepInfo(id).page}#${id}`);
    const optionName = (id, fallback) => (map.options[id] ? map.options[id].name : fallback || id);
    const gradeStep = () => Object.keys(map.steps).find((id) => map.steps[id].key === "grade");
    const label = (set, key) => (map.labels[set] || {})[key] || key;
    const fieldInfo = (key) => ({ key, ...(map.grading_fields[key] || { label: key, inputmode: "decimal" }) });
    const stepForKey = (key) => Object.keys(map.steps).find((id) => map.steps[id].key === key);

    function priorList() {
      return (params.prior || "").split(",").map((value) => value.trim()).filter(Boolean);
    }

    function commit() {
      update(); // posts to the engine at once; pushState below forces a style pass
      url.now(params, true); // one history entry per answered step: back/forward walk them
    }

    function answer(key, value) {
      changed = null;
      const next = { ...params };
      delete next[key];
      if (key === "grade") for (const name of Object.keys(next)) if (isGradingKey(name)) delete next[name];
      next[key] = value;
      params = next;
      focusAfterRender = true;
      commit();
    }

    function removeAnswer(key) {
      changed = { key, value: params[key], indices: {} };
      if (key === "grade") for (const name of Object.keys(params)) if (isGradingKey(name)) changed.indices[name] = params[name];
      const next = { ...params };
      delete next[key];
      if (key === "grade") for (const name of Object.keys(next)) if (isGradingKey(name)) delete next[name];
      params = next;
      focusAfterRender = true;
      commit();
    }

    // ------------------------------------------------------------------ earlier treatments
    // Only the options of this patient's pathway (once known), plus any already ticked.
    let priorPathway = null;
    function renderPrior(pathway) {
      if (pathway !== undefined) priorPathway = pathway;
      priorChoices.replaceChildren();
      const chosen = new Set(priorList());
      const ids = Object.keys(map.options).filter((id) => {
        const pathways = map.options[id].pathways || [];
        return chosen.has(id) || !priorPathway || pathways.includes(priorPathway);
      });
      for (const value of chosen) if (!ids.includes(value)) ids.push(value); // keep unknown ids
      for (const id of ids) {
        const inputId = `seq-prior-${id}`.replace(/[^A-Za-z0-9_-]/g, "_");
        const box = element("input", { type: "checkbox", id: inputId, name: "prior", value: id });
        box.checked = chosen.has(id);
        box.setAttribute("aria-describedby", "error-prior");
        const label = element("label", { for: inputId });
        label.append(box, document.createTextNode(` ${map.options[id] ? map.options[id].short_name : id}`));
        priorChoices.append(label);
      }
      if (chosen.size) priorDetails.open = true;
    }

    priorChoices.addEventListener("change", () => {
      const chosen = [...priorChoices.querySelectorAll("input:checked")].map((box) => box.value);
      const next = { ...params };
      delete next.prior;
      if (chosen.length) next.prior = chosen.join(",");
      params = next;
      commit();
    });

    // ------------------------------------------------------------------ question
    function questionHeading(text) {
      const heading = element("h3", { class: "net-seq-question__text", tabindex: "-1", id: "seq-question-text" }, text);
      return heading;
    }

    function renderQuestion(question, errorMessage) {
      questionNode.replaceChildren();
      if (!question) return;
      const fieldset = element("fieldset", {
        "data-key": question.key,
        "data-step": question.step,
        "aria-labelledby": "seq-question-text",
      });
      const legend = element("legend", {}, `Question: ${stepInfo(question.step).title}`);
      fieldset.append(legend, questionHeading(question.text));
      const choices = element("div", { class: "net-seq-choices", role: "group", "aria-labelledby": "seq-question-text" });
      const chosen = params[question.key] !== undefined
        ? params[question.key]
        : changed && changed.key === question.key ? changed.value : undefined;
      for (const choice of question.choices || []) {
        const value = typeof choice === "string" ? choice : choice.value;
        const label = typeof choice === "string" ? choice : choice.label || choice.value;
        const button = element("button", { type: "button", "data-value": value, name: question.key }, label);
        button.setAttribute("aria-pressed", String(chosen === value));
        button.addEventListener("click", () => answer(question.key, value));
        choices.append(button);
      }
      fieldset.append(choices);
      const errorSlot = element("p", {
        class: "net-error",
        id: `error-${question.key}`,
        "data-testid": `error-${question.key}`,
      });
      errorSlot.hidden = !errorMessage;
      if (errorMessage) errorSlot.textContent = errorMessage;
      fieldset.append(errorSlot);
      if (question.key === "grade") fieldset.append(gradingForm());
      const stepLink = element("a", { href: stepHref(question.step) }, "How this step is decided");
      const more = element("p", { class: "net-seq-question__more" });
      more.append(stepLink);
      fieldset.append(more);
      questionNode.append(fieldset);
    }

    function gradingField(key) {
      const field = fieldInfo(key);
      const id = `seq-${field.key.replace(/\./g, "-")}`;
      const wrap = element("div", { class: "net-field" });
      const input = element("input", {
        id,
        name: field.key,
        inputmode: field.inputmode,
        autocomplete: "off",
        "aria-describedby": `error-${field.key}`,
      });
      // After "Change", the indices the grade was worked out from are offered again.
      const earlier = changed && changed.key === "grade" ? changed.indices[field.key] : undefined;
      input.value = params[field.key] || earlier || "";
      wrap.append(
        element("label", { for: id }, field.label),
        input,
        element("p", { class: "net-error", id: `error-${field.key}`, "data-testid": `error-${field.key}`, hidden: "" }),
      );
      return wrap;
    }

    // Instead of G1-G3, the indices themselves (the engine grades them as on the grade page).
    function gradingForm() {
      const form = element("form", { class: "net-seq-grade", novalidate: "" });
      form.append(element("p", {}, "Or enter the indices and let the calculator grade the tumour:"));
      for (const field of GRADING_FIELDS) form.append(gradingField(field));
      const more = element("details", { class: "net-seq-grade__more" });
      more.append(element("summary", {}, "Counts instead of a percentage or rate"));
      for (const field of GRADING_MORE) more.append(gradingField(field));
      if (GRADING_MORE.some((key) => params[key] || (changed && changed.indices[key]))) more.open = true;
      form.append(more);
      for (const key of ["ki67", "mitoses"]) {
        form.append(element("p", { class: "net-error", id: `error-${key}`, "data-testid": `error-${key}`, hidden: "" }));
      }
      form.append(element("button", { type: "submit", "data-action": "use-indices" }, "Grade from these values"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const next = { ...params };
        delete next.grade;
        for (const name of Object.keys(next)) if (isGradingKey(name)) delete next[name];
        for (const input of form.querySelectorAll("input[name]")) {
          if (input.value.trim() !== "") next[input.name] = input.value.trim();
        }
        params = next;
        focusAfterRender = true;
        commit();
      });
      return form;
    }

    // ------------------------------------------------------------------ path and answers
    // `grading`: what the engine found from the indices, when the reader gave them.
    function answerText(stepId, grading) {
      const info = stepInfo(stepId);
      if (!info.key) return "";
      if (info.key === "grade" && !params.grade) {
        const given = Object.keys(params)
          .filter(isGradingKey)
          .map((key) => `${fieldInfo(key).label} ${params[key]}`);
        if (!given.length) return "";
        const found = grading && grading.headline ? `${grading.headline}, ` : "";
        return `${found}worked out from ${given.join(", ")}`;
      }
      const value = params[info.key];
      if (value === undefined) return "";
      const choice = (info.choices || []).find((c) => c.value === value);
      return choice ? choice.label : value;
    }

    function changeButton(name, key, onClick) {
      const button = element("button", {
        type: "button",
        "data-action": "change-answer",
        "data-key": key,
        "aria-label": `Change answer: ${name}`,
      }, "Change");
      button.addEventListener("click", onClick);
      return button;
    }

    // The earlier treatments ticked, as a line of the path; "Change" opens their list.
    function priorItem() {
      const names = priorList().map((id) => (map.options[id] ? map.options[id].short_name : id));
      if (!names.length) return null;
      const item = element("li", { "data-prior": "" });
      item.append(element("span", { class: "net-seq-answers__step" }, priorName), document.createTextNode(`: ${names.join(", ")}`));
      item.append(changeButton(priorName, "prior", () => {
        priorDetails.open = true;
        const first = priorChoices.querySelector("input:checked") || priorChoices.querySelector("input");
        if (first) first.focus();
        priorDetails.scrollIntoView({ block: "nearest" });
      }));
      return { item, text: `${priorName}: ${names.join(", ")}` };
    }

    function renderPath(path, grading) {
      answersList.replaceChildren();
      const seen = new Set();
      const summary = [];
      for (const stepId of path) {
        const info = stepInfo(stepId);
        const item = element("li", { "data-step": stepId });
        item.append(element("a", { href: stepHref(stepId) }, info.title));
        const text = answerText(stepId, grading);
        if (text) {
          item.append(document.createTextNode(`: ${text}`));
          if (!seen.has(info.key)) {
            item.append(changeButton(info.title, info.key, () => removeAnswer(info.key)));
            summary.push(text);
          }
          seen.add(info.key);
        }
        answersList.append(item);
      }
      const prior = priorItem();
      if (prior) {
        answersList.append(prior.item);
        summary.push(prior.text);
      }
      answersEmpty.hidden = answersList.children.length > 0;
      answersBox.hidden = !answersEmpty.hidden;
      answersCount.textContent = `${summary.length} ${summary.length === 1 ? "answer" : "answers"}`;
      answersLine.textContent = summary.length ? `: ${summary.join(" · ")}` : "";
    }

    // Once the walk has ended, its result goes first and the path folds to one line; while it
    // asks, the question goes first and the result waits below the path.
    function placeResult(final) {
      if (final) {
        if (resultSection.previousElementSibling !== statusNode) statusNode.after(resultSection);
      } else if (root.lastElementChild !== resultSection) {
        root.append(resultSection);
      }
      if (final !== shownFinal || firstRender) answersBox.open = !final;
    }

    // ------------------------------------------------------------------ result
    function optionItem(option) {
      const item = element("li", {
        class: "net-seq-option",
        "data-option-id": option.id,
        "data-preference": option.preference,
      });
      const title = element("p", { class: "net-seq-option__title" });
      const page = map.options[option.id] ? map.options[option.id].page : "options/";
      // The option page's row for the step that produced it says when it applies there.
      const anchor = option.step ? `${option.id}-at-${option.step}` : option.id;
      title.append(element("a", { href: href(`${page}#${anchor}`) }, option.name || optionName(option.id)));
      title.append(document.createTextNode(" "));
      title.append(element("span", { class: `net-pref net-pref--${option.preference}` }, label("preferences", option.preference)));
      const aims = option.aims || [];
      if (aims.length && !(aims.length === 1 && aims[0] === "tumour_control")) {
        title.append(document.createTextNode(" "));
        title.append(element("span", { class: "net-aim", "data-aims": aims.join(" ") }, aims.map((a) => label("aims", a)).join(", ")));
      }
      for (const other of option.also || []) {
        // Offered for another aim at a weaker level: say both, never borrow the stronger one.
        title.append(document.createTextNode(" "));
        title.append(element("span", { class: "net-aim", "data-also": other.aim }, `${label("preferences", other.preference)} ${label("aims", other.aim)}`));
      }
      if (option.strength) {
        title.append(document.createTextNode(" "));
        const strength = element("span", { class: "net-strength", "data-strength": option.strength }, `grade ${option.strength}`);
        if (option.strength_scope) strength.title = option.strength_scope;
        title.append(strength);
      }
      if (option.newer) {
        title.append(document.createTextNode(" "));
        title.append(element("span", { class: "net-badge net-badge--newer" }, "Newer evidence"));
      }
      item.append(title);
      if (option.rationale) item.append(element("p", { class: "net-seq-option__rationale" }, option.rationale));
      if (option.strength && option.strength_scope) {
        item.append(element("p", { class: "net-seq-option__scope" }, `${label("result", "strength_scope")} ${option.strength_scope}.`));
      }
      const meta = element("p", { class: "net-seq-option__meta" });
      if (option.evidence && option.evidence.length) {
        meta.append(document.createTextNode("Trials: "));
        option.evidence.forEach((trialId, index) => {
          if (index) meta.append(document.createTextNode(", "));
          const trial = map.trials[trialId];
          let label = trial ? trial.name : trialId;
          if (trial && trial.newer) label += " (newer)";
          meta.append(element("a", { href: href(`${map.evidence_page || "evidence/"}#${trialId}`) }, label));
        });
        meta.append(document.createTextNode(". "));
      } else {
        meta.append(document.createTextNode(`${label("result", "expert_opinion")} `));
      }
      if (option.source) meta.append(sourceLine(option.source), document.createTextNode(" "));
      if (option.step) {
        meta.append(document.createTextNode("From step: "));
        meta.append(element("a", { href: stepHref(option.step) }, stepInfo(option.step).title));
        meta.append(document.createTextNode("."));
      }
      item.append(meta);
      return item;
    }

    function renderOptions(options) {
      const box = element("div", { class: "net-seq-options", "data-testid": "options" });
      // The engine lists options best first; grouping keeps that order.
      const groups = [];
      for (const option of options) {
        let group = groups.find((g) => g.preference === option.preference);
        if (!group) {
          group = { preference: option.preference, items: [] };
          groups.push(group);
        }
        group.items.push(option);
      }
      for (const group of groups) {
        box.append(element("h4", {}, label("preferences", group.preference)));
        const list = element("ul", { "data-preference-group": group.preference });
        for (const option of group.items) list.append(optionItem(option));
        box.append(list);
      }
      return box;
    }

    function sourceLink(source) {
      return element("a", { href: href(`${map.evidence_page || "evidence/"}#source-${source.id}`) }, source.title);
    }

    function sourceLine(source) {
      const line = element("span", { class: "net-source" });
      line.append(document.createTextNode(`${label("result", "source")} `), sourceLink(source));
      line.append(document.createTextNode(` (${source.kind}, ${source.date})${source.section ? `, ${source.section}` : ""}.`));
      return line;
    }

    function renderAdvice(advice) {
      const box = element("div", { class: "net-seq-advice" });
      box.append(element("h4", {}, label("result", "advice")));
      const list = element("ul", { "data-testid": "advice" });
      for (const entry of advice) {
        const item = element("li", { "data-advice-id": entry.id }, entry.text);
        for (const source of entry.sources || []) item.append(document.createTextNode(" "), sourceLine(source));
        list.append(item);
      }
      box.append(list);
      return box;
    }

    // What the grading engine found from the indices: the grade, and each flag in plain words;
    // warnings (such as Ki-67 above 55 %) stand out above the options.
    function renderGrading(grading) {
      const box = element("div", { class: "net-seq-grading", "data-testid": "grading" });
      box.append(element("h4", {}, label("result", "grading")));
      box.append(element("p", { class: "net-seq-grading__headline", "data-grade": grading.grade || "" }, grading.headline || grading.grade || ""));
      const details = grading.flag_details || [];
      if (details.length) {
        const list = element("ul", {});
        for (const flag of details) {
          list.append(element("li", { "data-flag": flag.id, "data-severity": flag.severity, class: `net-flag net-flag--${flag.severity}` }, flag.text));
        }
        box.append(list);
      }
      if (details.some((flag) => flag.severity === "warning")) box.classList.add("net-seq-grading--warning");
      return box;
    }

    function renderPointer(pointer) {
      const box = element("div", { class: "net-seq-pointer", "data-testid": "pointer" });
      const info = map.pointers[pointer.page] || { title: pointer.page, page: `${pointer.page}/` };
      box.append(element("p", { class: "net-result__headline" }, "Outside this decision tree"));
      if (pointer.reason) box.append(element("p", {}, pointer.reason));
      const line = element("p", {});
      line.append(document.createTextNode("See "));
      line.append(element("a", { href: href(info.page), "data-pointer": pointer.page }, info.title));
      line.append(document.createTextNode("."));
      box.append(line);
      return box;
    }

    function clearErrors() {
      for (const node of root.querySelectorAll(".net-error")) {
        node.hidden = true;
        node.textContent = "";
      }
      for (const node of root.querySelectorAll("[data-testid^='error-'][data-extra]")) node.remove();
      for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    }

    // An error goes next to the field it concerns: the question that asks it, the grading
    // inputs, the earlier-treatment list, or (for a key the page has no field for) the top.
    function showError(error) {
      const field = error.field || "input";
      let question = null;
      if (field === "grade" || isGradingKey(field)) question = gradeStep();
      else if (field !== "prior") question = stepForKey(field);
      if (question) {
        const info = stepInfo(question);
        renderQuestion({ key: info.key, step: question, text: info.question || info.title, choices: info.choices }, field === info.key ? error.message : "");
      } else {
        questionNode.replaceChildren();
      }
      if (field === "prior") priorDetails.open = true;
      let slot = root.querySelector(`[data-testid="error-${CSS.escape(field)}"]`);
      if (!slot) {
        slot = element("p", { class: "net-error", "data-testid": `error-${field}`, "data-extra": "" });
        generalError.after(slot);
      }
      slot.textContent = error.message;
      slot.hidden = false;
      const input = root.querySelector(`[aria-describedby="error-${CSS.escape(field)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
      const fix = element("p", { "data-extra": "", "data-testid": `error-${field}-fix` });
      const remove = element("button", { type: "button", "data-action": "remove-answer" }, "Remove this answer");
      remove.addEventListener("click", () => {
        const next = { ...params };
        for (const key of Object.keys(next)) if (key === field || key.startsWith(`${field}.`)) delete next[key];
        params = next;
        commit();
      });
      fix.append(remove);
      slot.after(fix);
    }

    // A link to a place below the calculator (#how-to-read) stays there while the first result
    // fills the calculator above it.
    function hashTarget() {
      if (!firstRender || !window.location.hash) return null;
      let target = null;
      try {
        target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      } catch (error) {
        return null;
      }
      return target && !root.contains(target) ? target : null;
    }

    function render(result) {
      const kept = hashTarget();
      const keptTop = kept ? kept.getBoundingClientRect().top : 0;
      renderResult(result);
      if (kept) window.scrollBy(0, kept.getBoundingClientRect().top - keptTop);
    }

    function renderResult(result) {
      clearErrors();
      jsonNode.textContent = JSON.stringify(result, null, 2);
      resultNode.replaceChildren();
      resultNode.dataset.status = result.status;
      if (result.pathway && result.pathway !== priorPathway) renderPrior(result.pathway);
      renderPath(result.path || [], result.grading);
      const final = result.status === "complete" || result.status === "out_of_scope";
      placeResult(final);
      if (result.status === "error") {
        showError(result.error || { field: "input", message: "The engine could not read these answers." });
        resultNode.append(
          element("p", { class: "net-result__headline" }, "Cannot continue"),
          element("p", {}, `Check the highlighted answer: ${(result.error || {}).message || ""}`),
        );
        settle(final);
        return;
      }
      if (result.status === "needs_input") {
        renderQuestion(result.next_question);
        resultNode.append(element("p", { class: "net-result__placeholder" }, "Answer the question above to continue."));
      } else {
        questionNode.replaceChildren();
      }
      if (result.status === "out_of_scope" && result.pointer) resultNode.append(renderPointer(result.pointer));
      if (result.grading) resultNode.append(renderGrading(result.grading));
      if (result.status === "complete") {
        const pathway = result.pathway ? label("pathways", result.pathway) : "";
        resultNode.append(element("p", { class: "net-result__headline" }, pathway ? `${label("result", "options")}: ${pathway}` : label("result", "options")));
      }
      if ((result.options || []).length) resultNode.append(renderOptions(result.options));
      else if (result.status === "complete") resultNode.append(element("p", {}, label("result", "no_options")));
      if ((result.advice || []).length) resultNode.append(renderAdvice(result.advice));
      resultNode.append(element("p", { class: "net-result__engine" }, `${label("result", "version")} ${result.engine_version || ""}.`));
      settle(final);
    }

    // After a render: the reader's next place. An answer moves focus to the next question, or
    // to the result, brought to the top of the screen, once the walk ends; a link with answers
    // opens at its result the same way.
    function settle(final) {
      const reached = final && (!shownFinal || firstRender);
      const opened = firstRender && openedWithAnswers && window.scrollY === openedAtY;
      shownFinal = final;
      firstRender = false;
      const question = questionNode.querySelector("h3");
      if (focusAfterRender) {
        focusAfterRender = false;
        const target = question || resultHeading;
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: target === resultHeading });
      }
      if (reached && (opened || document.activeElement === resultHeading)) {
        resultHeading.scrollIntoView({ block: "start" });
      } else if (opened && question) {
        question.scrollIntoView({ block: "start" });
      }
    }

    // Performance mark for make bench: the first engine result this page view shows.
    let firstResultMarked = false;
    function markFirstResult() {
      if (firstResultMarked) return;
      firstResultMarked = true;
      performance.mark("net-first-result", { detail: "sequence" });
    }

    async function update() {
      const ticket = ++latest;
      fallback.hidden = true; // a summary shown for copying by hand belongs to older answers
      copiedNode.textContent = "";
      try {
        const result = await window.NetEngine.run("sequence", params);
        if (ticket === latest) {
          render(result); // a newer answer overtook this one
          markFirstResult();
          records.ask(params).catch(() => {}); // ready for "Copy for the notes" and the print
        }
      } catch (error) {
        // Engine failure is shown by the status panel.
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
        text.textContent = `The calculator could not start. ${failure} The algorithm pages still show every step.`;
      } else {
        statusNode.hidden = false;
        bar.value = progress.fraction || 0;
        text.textContent = `Loading the calculator engine (${progress.stage || "starting"})…`;
      }
    }

    // ------------------------------------------------------------------ record summary
    // Kept already: used within the click itself (some browsers allow the clipboard and the
    // print dialog only there); otherwise asked for first.
    function withRecord(use) {
      const kept = records.ready(params);
      if (kept) return use(kept);
      return records.ask(params).then(use, () => use(null));
    }

    root.querySelector('[data-action="copy-record"]').addEventListener("click", () => {
      withRecord((record) => copyRecord(record, copiedNode, fallback));
    });

    // The QR code library (qrcode-generator, vendored at build time), loaded when first
    // wanted: when the reader points at or focuses "Print summary".
    let qrLoading = null;
    function loadQr() {
      if (window.qrcode) return Promise.resolve(window.qrcode);
      if (!qrLoading) {
        qrLoading = new Promise((resolve, reject) => {
          const script = element("script", { src: new URL(root.dataset.qrScript, window.location.href).href });
          script.addEventListener("load", () => resolve(window.qrcode));
          script.addEventListener("error", () => {
            qrLoading = null;
            script.remove();
            reject(new Error("the QR code library could not be loaded"));
          });
          document.head.append(script);
        });
      }
      return qrLoading;
    }
    for (const event of ["pointerenter", "focus", "touchstart"]) {
      printButton.addEventListener(event, () => loadQr().catch(() => {}), { passive: true });
    }

    // The link as a QR code: an SVG path drawn module by module (no markup from strings).
    function qrCode(text) {
      const qr = window.qrcode(0, "M");
      qr.addData(text);
      qr.make();
      const count = qr.getModuleCount();
      const quiet = 4; // the blank margin a reader needs around the code
      const size = count + 2 * quiet;
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
      svg.setAttribute("class", "net-print-summary__qr");
      svg.setAttribute("data-testid", "print-qr");
      svg.setAttribute("shape-rendering", "crispEdges");
      svg.setAttribute("aria-hidden", "true");
      const background = document.createElementNS(SVG, "rect");
      for (const [key, value] of Object.entries({ width: size, height: size, fill: "#fff" })) background.setAttribute(key, value);
      let d = "";
      for (let row = 0; row < count; row += 1) {
        for (let col = 0; col < count; col += 1) {
          if (qr.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
        }
      }
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      path.setAttribute("fill", "#000");
      svg.append(background, path);
      return svg;
    }

    // The one-page summary: the record's sections as they are, the link as text and as a QR
    // code, and nothing of the site around it (extra.css hides the rest while it prints).
    function summaryNode(record) {
      const box = element("div", { class: "net-print-summary", "data-testid": "print-summary" });
      const head = element("div", { class: "net-print-summary__head" });
      const titles = element("div", {});
      titles.append(element("p", { class: "net-print-summary__title" }, record.title));
      if (record.notice) titles.append(element("p", { class: "net-print-summary__notice" }, record.notice));
      head.append(titles);
      if (record.link && /^https?:/.test(record.link) && window.qrcode) {
        try {
          head.append(qrCode(record.link));
        } catch (error) {
          // A link too long for a QR code: it is printed as text below all the same.
        }
      }
      box.append(head);
      for (const section of record.sections || []) {
        const part = element("section", { class: "net-print-summary__section" });
        if (section.heading) part.append(element("h2", {}, section.heading));
        const list = element(section.bullets ? "ul" : "div", { class: "net-print-summary__items" });
        for (const item of section.items) {
          const line = element(section.bullets ? "li" : "p", {});
          if (item.label) line.append(element("strong", {}, `${item.label}:`), document.createTextNode(" "));
          line.append(document.createTextNode(item.text));
          list.append(line);
        }
        part.append(list);
        box.append(part);
      }
      const foot = element("div", { class: "net-print-summary__foot" });
      if (record.link) {
        const link = element("p", { class: "net-print-summary__link" });
        link.append(element("strong", {}, `${record.link_label}:`), document.createTextNode(` ${record.link}`));
        foot.append(link);
      }
      foot.append(element("p", {}, (record.footer || []).join(" ")));
      foot.append(element("p", { class: "net-print-summary__judgement" }, record.judgement));
      box.append(foot);
      return box;
    }

    function printRecord(record) {
      if (!record || typeof record.text !== "string") {
        copyRecord(record, copiedNode, fallback); // says why there is no summary
        return;
      }
      for (const old of document.querySelectorAll(".net-print-summary")) old.remove();
      document.body.append(summaryNode(record));
      document.documentElement.classList.add("net-printing-summary");
      const done = () => {
        document.documentElement.classList.remove("net-printing-summary");
        for (const old of document.querySelectorAll(".net-print-summary")) old.remove();
      };
      window.addEventListener("afterprint", done, { once: true });
      window.print();
    }

    printButton.addEventListener("click", () => {
      if (window.qrcode) {
        withRecord(printRecord);
      } else {
        // Without the library the summary still prints, its link as text only.
        loadQr().catch(() => null).then(() => withRecord(printRecord));
      }
    });

    root.querySelector('[data-action="copy-link"]').addEventListener("click", () => copyLink(copiedNode));
    root.querySelector('[data-action="reset"]').addEventListener("click", () => {
      params = {};
      renderPrior();
      focusAfterRender = true;
      commit();
    });
    const onPop = () => {
      if (!document.body.contains(root)) {
        window.removeEventListener("popstate", onPop);
        return;
      }
      params = paramsFromUrl();
      renderPrior();
      update();
    };
    window.addEventListener("popstate", onPop);
    const unsubscribe = window.NetEngine.subscribe((status) => {
      if (!document.body.contains(root)) return unsubscribe();
      showEngine(status);
    });

    fetch(href("algorithm/steps.json"))
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))))
      .catch(() => null)
      .then((loaded) => {
        if (loaded) map = { ...map, ...loaded };
        renderPrior();
        update();
      });
  }

  onPageView("#sequence-calculator", mount);
})();
