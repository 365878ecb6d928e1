// The Closeness form: renders questionnaire v1 from /v1/questionnaire, posts the answers as JSON and
// shows the result. Controls are named by question id with the API's values, so the form's data maps
// one-to-one onto the JSON answers. No inline script: the page's CSP forbids it.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("closeness-config").textContent);
  var L = config.labels;
  var root = document.getElementById("closeness");
  var questions = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function toParent(message) {
    if (config.parentOrigin && window.parent !== window) {
      window.parent.postMessage(message, config.parentOrigin); // never "*": only the allowed embedder
    }
  }

  function reportHeight() {
    // The content's own height: scrollHeight never drops below the frame's current height.
    toParent({ type: "closeness:resize", height: Math.ceil(document.documentElement.getBoundingClientRect().height) });
  }

  function question(q) {
    var errorId = "error-" + q.id;
    var box = el("fieldset", { class: "question", id: "q-" + q.id, "aria-describedby": errorId });
    var mark = q.required ? L.required_mark : L.optional_mark;
    box.appendChild(el("legend", {}, [el("span", { text: q.text }), el("span", { class: "mark", text: " (" + mark + ")" })]));
    var options = el("div", { class: "options" + (q.type === "integer" ? " scale" : "") });
    q.options.forEach(function (option, index) {
      var id = q.id + "-" + index;
      var input = el("input", {
        type: q.type === "multi_choice" ? "checkbox" : "radio",
        name: q.id, id: id, value: String(option.value),
      });
      options.appendChild(el("label", { for: id, class: "option" }, [input, el("span", { text: option.label })]));
    });
    box.appendChild(options);
    box.appendChild(el("p", { class: "error", id: errorId, role: "alert" }));
    return box;
  }

  function render(document_) {
    var form = el("form", { method: "post", action: config.assessments, novalidate: "novalidate" });
    document_.sections.forEach(function (section) {
      var group = el("fieldset", { class: "section", id: "section-" + section.id });
      group.appendChild(el("legend", { text: section.title }));
      if (section.intro) group.appendChild(el("p", { class: "section-intro", text: section.intro }));
      section.questions.forEach(function (q) { questions.push(q); group.appendChild(question(q)); });
      form.appendChild(group);
    });
    form.appendChild(el("p", { class: "form-error", id: "form-error", role: "alert" }));
    form.appendChild(el("button", { type: "submit", text: L.submit }));
    form.addEventListener("submit", submit);
    root.appendChild(form);
    reportHeight();
  }

  function collect() {
    var answers = {}, missing = [];
    questions.forEach(function (q) {
      var checked = Array.prototype.slice.call(document.querySelectorAll("input[name='" + q.id + "']:checked"));
      var values = checked.map(function (input) {
        if (q.type === "integer") return Number(input.value);
        if (q.type === "boolean") return input.value === "true";
        return input.value;
      });
      if (q.type === "multi_choice") answers[q.id] = values;
      else if (values.length) answers[q.id] = values[0];
      else if (q.required) missing.push(q.id);
    });
    return { answers: answers, missing: missing };
  }

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll(".error"), function (p) { p.textContent = ""; });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid]"), function (f) { f.removeAttribute("aria-invalid"); });
    document.getElementById("form-error").textContent = "";
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors).forEach(function (id) {
      var slot = document.getElementById("error-" + id);
      if (!slot) return;
      slot.textContent = errors[id].join(" ");
      document.getElementById("q-" + id).setAttribute("aria-invalid", "true");
      first = first || document.querySelector("input[name='" + id + "']");
    });
    document.getElementById("form-error").textContent = L.check_answers;
    if (first) first.focus();
    reportHeight();
  }

  function submit(event) {
    event.preventDefault();
    clearErrors();
    var collected = collect();
    if (collected.missing.length) {
      var errors = {};
      collected.missing.forEach(function (id) { errors[id] = [L.needs_answer]; });
      showErrors(errors);
      return;
    }
    var button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = L.submitting;
    fetch(config.assessments, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(collected.answers),
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      button.disabled = false;
      button.textContent = L.submit;
      if (reply.status === 200) finish(reply.body);
      else if (reply.status === 422) showErrors(reply.body.errors || {});
      else document.getElementById("form-error").textContent = reply.body.message || L.network_error;
    }).catch(function () {
      button.disabled = false;
      button.textContent = L.submit;
      document.getElementById("form-error").textContent = L.network_error;
    });
  }

  function citation(sectionId) {
    var title = config.sections[sectionId] || sectionId;
    if (!config.articleBase) return el("span", { class: "source", text: L.source + ": " + title });
    return el("a", { class: "source", href: config.articleBase + "#" + sectionId, target: "_blank", rel: "noopener", text: L.source + ": " + title });
  }

  function list(items, build) {
    return el("ul", {}, items.map(function (item) { return el("li", {}, build(item)); }));
  }

  function finish(result) {
    toParent({ type: "closeness:result", result: result });
    root.textContent = "";
    if (config.hideResult) {
      root.appendChild(el("h1", { text: L.thanks_heading }));
      root.appendChild(el("p", { text: L.thanks_text }));
      reportHeight();
      return;
    }
    var view = el("section", { class: "result", id: "result", tabindex: "-1", "data-recommendation": result.recommendation });
    if (result.urgent) {
      view.appendChild(el("div", { class: "safety", id: "safety", role: "alert" }, [
        el("h2", { text: L.urgent_heading }),
        el("p", { text: result.summary }),
        el("h3", { text: L.resources_heading }),
        list(result.resources, function (r) {
          return [el("strong", { text: r.name }), el("span", { text: ": " + r.description + (r.contact ? " " + r.contact : "") })];
        }),
      ]));
    }
    view.appendChild(el("h1", { text: L.result_heading }));
    view.appendChild(el("p", { class: "recommendation", text: L.recommendation[result.recommendation] }));
    if (!result.urgent) view.appendChild(el("p", { class: "summary", text: result.summary }));
    if (result.steps.length) {
      view.appendChild(el("h2", { text: L.steps_heading }));
      view.appendChild(list(result.steps, function (s) {
        return [el("strong", { text: s.title }), el("p", { text: s.advice }), citation(s.section)];
      }));
    }
    view.appendChild(el("h2", { text: L.why_heading }));
    view.appendChild(list(result.reasons, function (r) {
      return [el("strong", { text: r.title }), el("p", { text: r.explanation }), citation(r.section)];
    }));
    if (result.also_consider.length) {
      view.appendChild(el("h2", { text: L.also_consider_heading }));
      view.appendChild(list(result.also_consider, function (a) { return [el("span", { text: L.recommendation[a] })]; }));
    }
    view.appendChild(el("p", { class: "notice", text: result.notice }));
    var again = el("button", { type: "button", text: L.start_over });
    again.addEventListener("click", function () { window.location.reload(); });
    view.appendChild(again);
    root.appendChild(view);
    view.focus();
    reportHeight();
  }

  fetch(config.questionnaire).then(function (r) { return r.json(); }).then(render).catch(function () {
    root.appendChild(el("p", { class: "form-error", text: L.network_error }));
  });
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
})();
