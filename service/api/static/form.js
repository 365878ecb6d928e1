// The Closeness form: renders questionnaire v2 from /v1/questionnaire (safety first), posts the
// answers as JSON and shows the result. Controls are named by question id with the API's values, so
// the form's data maps one-to-one onto the JSON answers. No inline script: the page's CSP forbids it.
// Answers never go into the URL or into storage; the quick exit leaves at once from every screen.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("closeness-config").textContent);
  var L = config.labels;
  var root = document.getElementById("closeness");
  var questions = [];
  var byId = {};
  var exited = false; // after the quick exit, nothing that arrives late is shown or sent on

  // Couple mode: a partner's invite comes in the address's fragment (#invite=...), which browsers
  // never send to a server. It is read once, taken out of the address bar (and so out of the
  // history) and kept in memory only: never in storage, where a reopened tab on a shared device
  // could hand it to someone else. It goes to the service in a header. The withdrawal token the
  // result brings is kept in memory too, for "Withdraw my answers". This tab only remembers that it
  // was opened with an invite (no code), so that a reload says to open the link again instead of
  // quietly showing the form for one person.
  var COUPLE_FLAG = "closeness-couple-mode";
  var invite = null, withdrawToken = null, lostInvite = false, opened = false;
  function flag(on) {
    try {
      if (on) window.sessionStorage.setItem(COUPLE_FLAG, "1");
      else window.sessionStorage.removeItem(COUPLE_FLAG);
    } catch (error) { /* storage off: a reload then shows the form for one person */ }
  }
  if (window.location.hash.indexOf("#invite=") === 0) {
    var found = /^#invite=([A-Za-z0-9_-]{20,100})$/.exec(window.location.hash);
    invite = found ? found[1] : "";
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    flag(true);
  } else {
    try { lostInvite = window.sessionStorage.getItem(COUPLE_FLAG) === "1"; } catch (error) { lostInvite = false; }
  }

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

  // Quick exit: clear what was answered, tell the embedding page, and replace the page (top window
  // too when embedded; a click is user activation) so that Back does not come back here.
  function quickExit() {
    exited = true;
    invite = withdrawToken = null;
    flag(false);
    root.textContent = "";
    toParent({ type: "closeness:exit" });
    try {
      if (window.top !== window) window.top.location.replace(config.exitUrl);
    } catch (error) { /* the embedding page may refuse; this page still leaves */ }
    window.location.replace(config.exitUrl);
  }
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.shiftKey) quickExit();
  });

  // Phone and text lines as links a phone can dial: each number in the text (three digits or more)
  // becomes a tel: or sms: link; the words around it stay as they are.
  // The same reading as schemas/resources.py: brackets and separators inside a number, an extension
  // ("ext. 204") not dialled, an international number without its trunk "(0)".
  var NUMBER = /\+?\(?\d[\d ().-]*\d/g;
  function dialable(lead, line, scheme, tag) {
    var parts = lead ? [document.createTextNode(lead + ": ")] : [];
    var last = 0;
    line.replace(NUMBER, function (number, at) {
      if (number.replace(/\D/g, "").length < 3) return number;
      if (/\b(ext\.?|x)\s*$/i.test(line.slice(Math.max(0, at - 5), at))) return number;
      parts.push(document.createTextNode(line.slice(last, at)));
      var digits = number.charAt(0) === "+" ? "+" + number.replace("(0)", "").replace(/\D/g, "") : number.replace(/\D/g, "");
      var uri = scheme + ":" + digits;
      parts.push(el("a", { href: uri, class: "dial", text: number }));
      last = at + number.length;
      return number;
    });
    parts.push(document.createTextNode(line.slice(last)));
    return el(tag || "span", { class: tag ? "" : "contact" }, parts);
  }

  function contactLines(resource) {
    var parts = [];
    if (resource.phone) parts.push(dialable(L.call, resource.phone, "tel"));
    if (resource.text) parts.push(dialable(L.text, resource.text, "sms"));
    if (resource.chat) parts.push(el("a", { class: "contact", href: resource.chat, rel: "noopener noreferrer", target: "_blank", text: L.chat }));
    if (resource.url) parts.push(el("a", { class: "contact", href: resource.url, rel: "noopener noreferrer", target: "_blank", text: L.website + ": " + resource.url.replace(/^https?:\/\//, "") }));
    if (resource.hours) parts.push(el("span", { class: "contact", text: L.hours + ": " + resource.hours }));
    return parts;
  }

  function resourceList(resources) {
    return el("ul", { class: "resources" }, resources.map(function (r) {
      return el("li", {}, [el("strong", { text: r.name }), el("p", { text: r.description })].concat(contactLines(r)));
    }));
  }

  // A yes to a safety question shows support for that topic at once, before anything is sent.
  // The panel is a live region from the start and filled on a yes, so screen readers announce it.
  function supportPanel(q) {
    return el("div", { class: "support", id: "support-" + q.id, role: "status" });
  }

  function showSupport(q, shown) {
    var panel = document.getElementById("support-" + q.id);
    if (!panel || shown === (panel.childNodes.length > 0)) return;
    panel.textContent = "";
    if (!shown) return;
    var topic = config.support.topics[q.id];
    var declined = value(q) === "declined";
    panel.appendChild(el("p", { class: "support-lead", text: declined ? L.support_declined : L["support_" + topic] }));
    var listed = ((declined ? config.support.declined : config.support.resources)[topic] || []).slice();
    (config.support.extra[q.id] || []).forEach(function (r) {
      if (!listed.some(function (l) { return l.name === r.name; })) listed.push(r);
    });
    panel.appendChild(resourceList(listed));
    panel.appendChild(el("p", { class: "support-note", text: L.support_after_note }));
  }

  function question(q) {
    var errorId = "error-" + q.id;
    var box = el("fieldset", { class: "question" + (q.type === "safety" ? " safety-question" : ""), id: "q-" + q.id, "aria-describedby": errorId });
    var mark = q.required ? L.required_mark : L.optional_mark;
    box.appendChild(el("legend", {}, [el("span", { text: q.text }), el("span", { class: "mark", text: " (" + mark + ")" })]));
    var options = el("div", { class: "options" + (q.type === "integer" ? " scale" : "") });
    q.options.forEach(function (option, index) {
      var id = q.id + "-" + index;
      var input = el("input", {
        type: q.type === "multi_choice" ? "checkbox" : "radio",
        name: q.id, id: id, value: String(option.value), autocomplete: "off",
      });
      input.addEventListener("change", function () { answered(q); });
      options.appendChild(el("label", { for: id, class: "option" }, [input, el("span", { text: option.label })]));
    });
    box.appendChild(options);
    box.appendChild(el("p", { class: "error", id: errorId, role: "alert" }));
    if (q.type === "safety" && config.support.topics[q.id]) box.appendChild(supportPanel(q));
    if (q.follow_up_of) box.hidden = true; // asked only after a trigger's yes
    return box;
  }

  function value(q) {
    var checked = Array.prototype.slice.call(document.querySelectorAll("input[name='" + q.id + "']:checked"));
    var values = checked.map(function (input) {
      if (q.type === "integer") return Number(input.value);
      if (q.type === "boolean") return input.value === "true";
      if (q.type === "safety") return input.value === "declined" ? "declined" : input.value === "true";
      return input.value;
    });
    if (q.type === "multi_choice") return values;
    return values.length ? values[0] : undefined;
  }

  function answered(q) {
    if (q.type !== "safety") return;
    var now = value(q);
    var panel = document.getElementById("support-" + q.id);
    // A changed answer (yes <-> rather not say) redraws the panel with the words that fit it.
    if (panel && panel.getAttribute("data-for") !== String(now)) { panel.textContent = ""; panel.setAttribute("data-for", String(now)); }
    showSupport(q, now === true || (now === "declined" && !q.follow_up_of));
    // Follow-ups appear after one of their triggers is answered yes or "I'd rather not say" (as the
    // ASQ asks its acuity question after a refusal); hidden ones are cleared.
    questions.forEach(function (f) {
      if (!f.follow_up_of || f.follow_up_of.indexOf(q.id) < 0) return;
      var shown = f.follow_up_of.some(function (t) { var v = value(byId[t]); return v === true || v === "declined"; });
      var box = document.getElementById("q-" + f.id);
      box.hidden = !shown;
      if (!shown) {
        Array.prototype.forEach.call(box.querySelectorAll("input"), function (i) { i.checked = false; });
        answered(f);
      }
    });
    reportHeight();
  }

  function practiceWords() {
    var text = L.practice_sees.replace("{practice}", config.practice.name || L.your_practice);
    if (config.practice.responseTime) text += " " + L.practice_when.replace("{when}", config.practice.responseTime);
    return text;
  }

  // Before any question, a partner reads who sees what (couple mode).
  function privacyNote() {
    var practice = config.practice.name || L.your_practice;
    return el("section", { class: "privacy-note", id: "privacy-note", "aria-labelledby": "privacy-heading" }, [
      el("h2", { id: "privacy-heading", text: L.invite_heading }),
      el("ul", {}, [
        el("li", { text: L.invite_partner }),
        el("li", { text: L.invite_practice.replace("{practice}", practice) + " " + config.couples.sharingNote }),
        el("li", { text: L.invite_screen }),
        el("li", { text: L.invite_once.split("{practice}").join(practice) }),
      ]),
    ]);
  }

  function intro(document_) {
    var box = el("div", { class: "intro", id: "intro" });
    if (invite !== null) box.appendChild(privacyNote());
    document_.intro.forEach(function (p) {
      if (p.id === "who_sees" && invite !== null) return; // the privacy note above says it
      if (p.id === "who_sees" && (config.practice.name || config.hideResult)) {
        box.appendChild(el("p", { text: practiceWords() + " " + L.practice_intro_help }));
      } else {
        box.appendChild(el("p", { text: p.text }));
      }
    });
    box.appendChild(el("p", { class: "exit-note", text: L.quick_exit_note }));
    return box;
  }

  function render(document_) {
    root.appendChild(intro(document_));
    var form = el("form", { method: "post", action: config.assessments, novalidate: "novalidate", autocomplete: "off" });
    document_.sections.forEach(function (section, index) {
      var group = el("fieldset", { class: "section", id: "section-" + section.id });
      group.appendChild(el("legend", { text: section.title }));
      if (section.intro) group.appendChild(el("p", { class: "section-intro", text: section.intro }));
      section.questions.forEach(function (q) { questions.push(q); byId[q.id] = q; group.appendChild(question(q)); });
      form.appendChild(group);
      // Support that a refused submission still owes the person: a live region near the top, where
      // the safety questions are, filled when the service sends it.
      if (index === 0) form.appendChild(el("div", { class: "support", id: "form-support", role: "status" }));
    });
    form.appendChild(el("p", { class: "form-error", id: "form-error", role: "alert" }));
    var intake = config.hideResult || config.practice.name || invite !== null;
    form.appendChild(el("button", { type: "submit", text: intake ? L.submit_intake : L.submit }));
    form.addEventListener("submit", submit);
    root.appendChild(form);
    reportHeight();
  }

  function collect() {
    var answers = {}, missing = [], safetyYes = false;
    questions.forEach(function (q) {
      if (document.getElementById("q-" + q.id).hidden) return;
      var v = value(q);
      if (q.type === "safety" && v === true) safetyYes = true;
      if (q.type === "multi_choice") answers[q.id] = v;
      else if (v !== undefined) answers[q.id] = v;
      else if (q.required) missing.push(q.id);
    });
    return { answers: answers, missing: missing, safetyYes: safetyYes };
  }

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll(".error"), function (p) { p.textContent = ""; });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid]"), function (f) { f.removeAttribute("aria-invalid"); });
    document.getElementById("form-error").textContent = "";
    document.getElementById("form-support").textContent = "";
  }

  function showErrors(errors, safetyResources) {
    var first = null;
    Object.keys(errors).forEach(function (id) {
      var slot = document.getElementById("error-" + id);
      if (!slot) return;
      slot.textContent = errors[id].join(" ");
      document.getElementById("q-" + id).setAttribute("aria-invalid", "true");
      first = first || document.querySelector("input[name='" + id + "']");
    });
    var formError = document.getElementById("form-error");
    formError.textContent = L.check_answers;
    if (safetyResources && safetyResources.length) {
      // Support goes out even when other answers need another look.
      var support = document.getElementById("form-support");
      support.appendChild(el("p", { class: "support-lead", text: L.safety_error }));
      support.appendChild(resourceList(safetyResources));
    }
    if (first) first.focus();
    reportHeight();
  }

  function submit(event) {
    event.preventDefault();
    clearErrors();
    var collected = collect();
    // With a safety yes the answers go as they are: the service decides, and support comes first.
    if (collected.missing.length && !collected.safetyYes) {
      var errors = {};
      collected.missing.forEach(function (id) { errors[id] = [L.needs_answer]; });
      showErrors(errors);
      return;
    }
    var button = event.target.querySelector("button[type=submit]");
    var label = button.textContent;
    button.disabled = true;
    button.textContent = L.submitting;
    // What the suggestion depends on is asked for only when the person sees the result (not in intake
    // mode, nor for a partner in couple mode).
    var url = config.hideResult ? config.assessments : config.assessments + "?explain=changes";
    var headers = { "Content-Type": "application/json" };
    if (invite !== null) {
      url = config.couples.answers;
      headers.Authorization = "Bearer " + invite;
    }
    fetch(url, {
      method: "POST", headers: headers, body: JSON.stringify(collected.answers),
      referrerPolicy: "no-referrer", credentials: "same-origin", cache: "no-store",
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      if (exited) return;
      button.disabled = false;
      button.textContent = label;
      if (reply.status === 200) finish(reply.body);
      else if (reply.status === 422) showErrors(reply.body.errors || {}, reply.body.safety_resources);
      else if (reply.status === 404 && invite !== null) document.getElementById("form-error").textContent = L.invite_gone + " " + L.invite_help;
      else document.getElementById("form-error").textContent = reply.body.message || L.network_error;
    }).catch(function () {
      button.disabled = false;
      button.textContent = label;
      document.getElementById("form-error").textContent = L.network_error;
    });
  }

  function citation(reason) {
    if (reason.basis === "safety-guidance") return el("span", { class: "source", text: L.source_safety });
    var title = config.sections[reason.section] || reason.section;
    if (!config.articleBase) return el("span", { class: "source", text: L.source + ": " + title });
    return el("a", { class: "source", href: config.articleBase + "#" + reason.section, target: "_blank", rel: "noopener noreferrer", text: L.source + ": " + title });
  }

  function list(items, build) {
    return el("ul", {}, items.map(function (item) { return el("li", {}, build(item)); }));
  }

  // Intake mode: say who reads the answers and when, and where to turn before then.
  // Only the relationship result is held back: the support for noted concerns and declined topics
  // is shown at once, first, as it is in the result.
  function thanks(result) {
    var safety = result.safety;
    var view = el("section", { class: "result", id: "result", "aria-labelledby": "result-heading" });
    view.appendChild(el("h1", { id: "result-heading", text: L.thanks_heading }));
    if (safety.noted.length || safety.declined.length) {
      view.appendChild(el("div", { class: "support", id: "safety" }, [
        el("h2", { text: safety.noted.length ? L.noted_heading : L.declined_heading }),
        resourceList(result.resources),
      ]));
    }
    view.appendChild(el("p", { text: practiceWords() }));
    view.appendChild(el("p", { text: L.practice_before }));
    if (!(safety.noted.length || safety.declined.length)) {
      view.appendChild(el("h2", { text: L.resources_heading }));
      view.appendChild(resourceList(result.resources));
    }
    return view;
  }

  function finish(result) {
    if (exited) return;
    if (invite !== null) {
      withdrawToken = result.withdraw_token;
      invite = "";  // spent
      flag(false);
      result = Object.assign({}, result);
      delete result.withdraw_token; // never to an embedding page
    }
    toParent({ type: "closeness:result", result: result });
    root.textContent = "";
    // Hide mode hides only results without an urgent concern: urgent support is always shown.
    var view = config.hideResult && !result.urgent ? thanks(result) : resultView(result);
    root.appendChild(view);
    if (withdrawToken) {
      var before = config.practice.responseTime ? L.practice_before : L.practice_before_reading;
      view.appendChild(el("p", { class: "sent-note", text: practiceWords() + " " + before }));
      view.appendChild(withdrawPanel(result.resources));
    } else {
      var again = el("button", { type: "button", class: "again", text: L.start_over });
      again.addEventListener("click", startOver);
      view.appendChild(again);
    }
    var heading = document.getElementById("result-heading");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    reportHeight();
  }

  function resultView(result) {
    var safety = result.safety;
    var concerns = safety.urgent.length || safety.noted.length || safety.declined.length;
    var view = el("section", {
      class: "result" + (concerns ? " has-safety" : ""), id: "result", "aria-labelledby": "result-heading",
      "data-recommendation": result.recommendation, "data-urgent": String(result.urgent),
    });
    view.appendChild(el("h1", { id: "result-heading", text: result.title }));
    if (result.urgent) {
      // Urgent: the support comes first, before any other words.
      view.appendChild(el("div", { class: "safety", id: "safety", role: "alert" }, [
        el("p", { class: "summary", text: result.summary }),
        el("h2", { text: L.resources_heading }),
        resourceList(result.resources),
      ]));
    } else {
      if (safety.noted.length || safety.declined.length) {
        view.appendChild(el("div", { class: "support", id: "safety" }, [
          el("h2", { text: safety.noted.length ? L.noted_heading : L.declined_heading }),
          resourceList(result.resources),
        ]));
      }
      var named = L.recommendation[result.recommendation];
      if (named !== result.title) view.appendChild(el("p", { class: "recommendation", text: named }));
      view.appendChild(el("p", { class: "summary", text: result.summary }));
    }
    if (result.steps.length) {
      view.appendChild(el("h2", { text: L.steps_heading }));
      view.appendChild(list(result.steps, function (s) {
        return [el("h3", { text: s.title }), el("p", { text: s.advice }), citation({ section: s.section, basis: "article" })];
      }));
    }
    view.appendChild(el("h2", { text: L.why_heading }));
    var said = {}; // each "You said" line once, under the first reason it supports
    view.appendChild(list(result.reasons, function (r) {
      var parts = [el("h3", { text: r.title }), el("p", { text: r.explanation })];
      var fresh = r.because.filter(function (b) { var seen = said[b.text]; said[b.text] = true; return !seen; });
      if (fresh.length) {
        parts.push(el("ul", { class: "because", "aria-label": L.what_you_said }, fresh.map(function (b) {
          return el("li", { text: b.text });
        })));
      }
      parts.push(citation(r));
      return parts;
    }));
    if (result.also_consider.length) {
      view.appendChild(el("h2", { text: L.also_consider_heading }));
      view.appendChild(list(result.also_consider, function (a) {
        return [el("h3", { text: a.title }), el("p", { text: a.text })];
      }));
    }
    if (result.would_change && result.would_change.length) view.appendChild(dependsOn(result.would_change));
    if (!result.urgent && !(safety.noted.length || safety.declined.length)) {
      view.appendChild(el("h2", { text: L.resources_heading }));
      view.appendChild(resourceList(result.resources));
    }
    view.appendChild(el("p", { class: "notice", text: result.notice }));
    return view;
  }

  // Collapsed: the answers the suggestion depends on, said plainly as such (not advice to answer
  // differently). The service leaves it out beside any safety or hold-back signal.
  function dependsOn(entries) {
    var items = entries.map(function (entry) {
      var words = entry.changes.map(function (c) { return c.text; }).join(L.depends_and);
      words = words.charAt(0).toUpperCase() + words.slice(1);
      return el("li", { text: words + L.depends_then.replace("{title}", entry.title) });
    });
    return el("details", { class: "depends", id: "depends" }, [
      el("summary", { text: L.depends_heading }),
      el("p", { text: L.depends_intro }),
      el("ul", {}, items),
    ]);
  }

  // Couple mode: a partner can take their answers back; they, their result and the practice's joint
  // view are erased. Folded away (a partner looking over a shoulder should not see it first), asked
  // twice, and the support list stays on the screen afterwards.
  function withdrawPanel(resources) {
    var status = el("p", { class: "withdraw-status", role: "status" });
    var button = el("button", { type: "button", class: "withdraw", text: L.withdraw });
    var keep = el("button", { type: "button", class: "keep", text: L.withdraw_keep, hidden: "hidden" });
    var confirming = false;
    keep.addEventListener("click", function () {
      confirming = false;
      keep.hidden = true;
      button.textContent = L.withdraw;
      status.textContent = "";
    });
    button.addEventListener("click", function () {
      if (!confirming) {
        confirming = true;
        button.textContent = L.withdraw_confirm;
        keep.hidden = false;
        status.textContent = L.withdraw_explain;
        return;
      }
      button.disabled = true;
      fetch(config.couples.answers, {
        method: "DELETE", headers: { Authorization: "Bearer " + withdrawToken },
        referrerPolicy: "no-referrer", credentials: "same-origin", cache: "no-store",
      }).then(function (response) {
        if (exited) return;
        if (response.status !== 204 && response.status !== 404) throw new Error("unavailable");
        withdrawToken = null;
        root.textContent = "";
        var done = el("section", { class: "result", id: "result", "aria-labelledby": "result-heading" }, [
          el("h1", { id: "result-heading", tabindex: "-1", text: L.withdrawn_heading }),
          el("p", { text: L.withdrawn }),
          el("h2", { text: L.resources_heading }),
          resourceList(resources),
        ]);
        root.appendChild(done);
        document.getElementById("result-heading").focus();
      }).catch(function () {
        button.disabled = false;
        status.textContent = L.network_error;
      });
    });
    return el("details", { class: "withdraw-panel" }, [
      el("summary", { text: L.withdraw_heading }),
      el("p", { text: L.withdraw_intro.split("{practice}").join(config.practice.name || L.your_practice) }),
      button, keep, status,
    ]);
  }

  function startOver() {
    root.textContent = "";
    root.appendChild(el("h1", { id: "form-heading", text: L.title }));
    questions = [];
    byId = {};
    load(function () {
      var first = document.querySelector("form input");
      if (first) first.focus();
    });
  }

  function stop(text) {
    root.appendChild(el("p", { class: "form-error", role: "alert", text: text }));
  }

  // Couple mode: before any question, trade the link's invite for a fresh one kept in memory only, so
  // the link itself (which browser history keeps) works once; a link that does not work is said at
  // once, before anyone answers.
  function openInvite(then) {
    fetch(config.couples.open, {
      method: "POST", headers: { Authorization: "Bearer " + invite },
      referrerPolicy: "no-referrer", credentials: "same-origin", cache: "no-store",
    }).then(function (response) {
      if (exited) return;
      if (response.status === 404) { invite = ""; flag(false); stop(L.invite_gone + " " + L.invite_help); return; }
      if (!response.ok) { stop(L.network_error); return; }
      return response.json().then(function (body) { invite = body.code; opened = true; then(); });
    }).catch(function () { stop(L.network_error); });
  }

  function load(then) {
    if (lostInvite) {  // reloaded after opening an invite: the invite is gone from memory
      stop(L.invite_reloaded);
      return;
    }
    if (invite !== null && !opened) {
      openInvite(function () { load(then); });
      return;
    }
    fetch(config.questionnaire, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (doc) {
      if (exited) return;
      render(doc);
      if (then) then();
    }).catch(function () {
      root.appendChild(el("p", { class: "form-error", text: L.network_error }));
    });
  }

  load();
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
})();
