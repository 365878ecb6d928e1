// The practice's couple report (couple mode). The report token comes in the address's fragment
// (#token=...), which browsers never send to a server: it is read once, kept in memory, removed from
// the address bar and sent in the Authorization header. The joint view is on this page; each partner's
// own result is on a page of its own, so both safety results are never on one screen.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("report-config").textContent);
  var root = document.getElementById("report");
  var token = null;
  var match = /^#token=([A-Za-z0-9_-]{20,100})$/.exec(window.location.hash);
  if (window.location.hash.indexOf("#token=") === 0) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  if (match) token = match[1];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  var ROLES = ["a", "b"];
  var NAMES = { a: "Partner A", b: "Partner B" };
  var RECOMMENDATIONS = {
    rebuild: "Work on feeling closer",
    professional_help: "Get professional help",
    consider_walking_away: "Think about what is best for them",
  };
  var EVENTS = { invited: "invite sent", replaced: "invite replaced", voided: "answers voided, new invite sent", withdrawn: "answers withdrawn" };

  function label(question, value) {
    if (value === null || value === undefined) return "not answered";
    var q = config.questions[question];
    var key = typeof value === "string" ? value : JSON.stringify(value);
    return (q && q.options[key]) || String(value);
  }

  function items(question, values) {
    if (!values.length) return el("span", { class: "none", text: "none" });
    return el("ul", { class: "plain" }, values.map(function (v) { return el("li", { text: label(question, v) }); }));
  }

  function when(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleString();
  }

  function source(basis) {
    var title = config.sections[basis.section] || basis.section;
    if (basis.basis === "safety-guidance") return "Based on standard safety advice, not on the article (" + title + ")";
    return "Source: " + title;
  }

  function notice() {
    return el("div", { class: "notice-box", role: "note" }, [
      el("h2", { text: "Before you use this report" }),
      el("p", { text: config.notice }),
    ]);
  }

  function table(caption, rows) {
    var head = el("tr", {}, [el("th", { scope: "col", text: "Question" })].concat(ROLES.map(function (r) {
      return el("th", { scope: "col", text: NAMES[r] });
    })));
    return el("table", { class: "compare" }, [
      el("caption", { text: caption }),
      el("thead", {}, [head]),
      el("tbody", {}, rows.map(function (row) {
        return el("tr", {}, [el("th", { scope: "row", text: row[0] })].concat(row.slice(1).map(function (cell) {
          return el("td", {}, [typeof cell === "string" ? document.createTextNode(cell) : cell]);
        })));
      })),
    ]);
  }

  function questionRows(perPartner, questions) {
    return questions.map(function (q) {
      return [config.questions[q].text].concat(ROLES.map(function (r) { return label(q, perPartner[r][q]); }));
    });
  }

  function split(caption, question, parts) {
    return el("div", { class: "split" }, [
      el("h3", { text: caption }),
      el("dl", {}, [
        el("dt", { text: "Both named" }), el("dd", {}, [items(question, parts.shared)]),
        el("dt", { text: "Only partner A" }), el("dd", {}, [items(question, parts.only_a)]),
        el("dt", { text: "Only partner B" }), el("dd", {}, [items(question, parts.only_b)]),
      ]),
    ]);
  }

  function gaps(list) {
    if (!list.length) return el("p", { text: "Each partner's view of the other's willingness matches what the other said." });
    return el("ul", {}, list.map(function (gap) {
      var thinks = config.gapWords[gap.thinks] || gap.thinks;
      return el("li", { text: NAMES[gap.seen_by] + " " + thinks + ". " + NAMES[gap.about] +
        "'s own answer: " + label("self_willing", gap.says) + "." });
    }));
  }

  function comparison(c) {
    var own = ROLES.map(function (r) {
      return el("li", {}, [el("strong", { text: NAMES[r] + ": " }),
        document.createTextNode("“" + c.own[r].title + "” (" + c.own[r].recommendation.replace(/_/g, " ") +
          "), answered " + when(c.own[r].answered_at))]);
    });
    var moodRows = questionRows(c.mood, ["feeling_down", "lost_interest"]);
    var prompts = ROLES.filter(function (r) { return c.mood[r].prompt; }).map(function (r) {
      return el("p", { class: "prompt", text: NAMES[r] + ": " + c.mood[r].prompt });
    });
    return el("section", { class: "comparison", "aria-labelledby": "comparison-heading" }, [
      el("h2", { id: "comparison-heading", text: "Side by side" }),
      el("h3", { text: "Each partner's own result" }),
      el("ul", {}, own),
      table("How available each partner feels", questionRows(c.availability, ["ready_to_share", "walls_when_close", "time_to_listen"])),
      table("Mood over the past two weeks", moodRows),
    ].concat(prompts).concat([
      split("Missing needs", "missing_needs", c.missing_needs),
      split("Signs noticed lately", "signs", c.signs),
      el("h3", { text: "Willingness" }),
      table("Willing to work on feeling closer", [[config.questions.self_willing.text].concat(ROLES.map(function (r) { return label("self_willing", c.willingness[r]); }))]),
      el("h4", { text: "Perception gaps" }),
      gaps(c.perception_gaps),
      table("What each reports of the other, and of old hurts", questionRows(c.reports_of_partner, Object.keys(c.reports_of_partner.a))),
      el("h3", { text: "History of this pair" }),
      el("ul", {}, c.history.map(function (e) { return el("li", { text: when(e.at) + ": " + NAMES[e.partner] + ", " + (EVENTS[e.event] || e.event) }); })),
      el("h3", { text: "What the questions do not cover" }),
      el("ul", {}, c.limits.map(function (text) { return el("li", { text: text }); })),
    ]));
  }

  function steps(list) {
    if (!list.length) return null;
    return el("section", { "aria-labelledby": "steps-heading" }, [
      el("h2", { id: "steps-heading", text: "Joint steps" }),
      el("p", { text: "A step that comes from one partner's answers is theirs to share. Raise it with that partner alone first." }),
      el("ol", {}, list.map(function (s) {
        var from = s.for.length === 2 ? "From both partners' answers" : "From " + NAMES[s.for[0]] + "'s answers";
        return el("li", {}, [el("h3", { text: s.title }), el("p", { text: s.advice }),
          el("p", { class: "source", text: from + ". Source: " + (config.sections[s.section] || s.section) })]);
      })),
    ]);
  }

  function partnerLinks() {
    return el("nav", { class: "partner-links", "aria-label": "Each partner's own result" }, ROLES.map(function (r) {
      return el("a", { href: config.page + "/" + r + "#token=" + token, text: NAMES[r] + "'s own result" });
    }));
  }

  function jointView(report) {
    var parts = [
      el("h1", { id: "report-heading", text: "Couple report" + (report.label ? ": " + report.label : "") }),
      notice(),
      el("p", { class: "status", text: ROLES.map(function (r) {
        return NAMES[r] + ": " + (report.partners[r].answered ? "answers on file" : "no answers on file");
      }).join(". ") + "." }),
    ];
    var joint = report.joint;
    if (!joint) {
      parts.push(el("p", { text: "The joint view appears here when both partners' answers are on file." }));
    } else {
      parts.push(el("section", { class: "joint", "aria-labelledby": "joint-heading" }, [
        el("h2", { id: "joint-heading", text: joint.title }),
        el("p", { class: "summary", text: joint.text }),
        el("p", { class: "source", text: source(joint.basis) }),
      ]));
      if (joint.comparison) parts.push(comparison(joint.comparison));
      if (joint.steps) parts.push(steps(joint.steps));
    }
    parts.push(partnerLinks());
    parts.push(printButton());
    return parts;
  }

  function printButton() {
    var button = el("button", { type: "button", class: "print", text: "Print this page" });
    button.addEventListener("click", function () { window.print(); });
    return button;
  }

  function resultList(heading, list, build) {
    if (!list || !list.length) return null;
    return el("section", {}, [el("h2", { text: heading }), el("ul", {}, list.map(function (x) { return el("li", {}, build(x)); }))]);
  }

  function partnerView(result) {
    var name = NAMES[config.partner];
    var parts = [el("h1", { id: "report-heading", text: name + ": own result" }), notice()];
    var words = config.safety;
    parts.push(el("p", {}, [el("a", { href: config.page + "#token=" + token, text: "Back to the couple report" })]));
    if (!result) {
      parts.push(el("p", { text: name + ": no answers on file." }));
      return parts;
    }
    var safety = result.safety;
    function concerns(ids) { return ids.map(function (id) { return words.concerns[id] || id; }).join("; "); }
    if (safety.urgent.length || safety.noted.length || safety.declined.length) {
      parts.push(el("div", { class: "safety" }, [
        el("h2", { text: "Safety answers to follow up with " + name + " alone" }),
        el("ul", {}, [
          safety.urgent.length ? el("li", { text: "Urgent: " + concerns(safety.urgent) }) : null,
          safety.noted.length ? el("li", { text: "Noted: " + concerns(safety.noted) }) : null,
          safety.declined.length ? el("li", { text: "Chose not to answer: " + safety.declined.map(function (id) {
            return "“" + (words.questions[id] || id) + "”";
          }).join("; ") }) : null,
        ]),
      ]));
    }
    parts.push(el("h2", { text: "What " + name + " was told" }));
    parts.push(el("p", { class: "recommendation", text: RECOMMENDATIONS[result.recommendation] || result.recommendation }));
    parts.push(el("h3", { text: result.title }));
    parts.push(el("p", { class: "summary", text: result.summary }));
    parts.push(resultList("Why", result.reasons, function (r) {
      return [el("strong", { text: r.title }), el("p", { text: r.explanation })];
    }));
    parts.push(resultList("Steps shown to " + name, result.steps, function (s) {
      return [el("strong", { text: s.title }), el("p", { text: s.advice })];
    }));
    parts.push(resultList("Support shown to " + name, result.resources, function (r) {
      return [el("strong", { text: r.name }), el("p", { text: r.description })];
    }));
    parts.push(el("p", { class: "prompt", text: "A printed copy holds " + name + "'s answers: keep it as safely as their file." }));
    parts.push(printButton());
    return parts;
  }

  function show(nodes) {
    root.textContent = "";
    nodes.forEach(function (node) { if (node) root.appendChild(node); });
    var heading = document.getElementById("report-heading");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function fail(text) {
    show([el("h1", { id: "report-heading", text: "Couple report" }), el("p", { class: "form-error", role: "alert", text: text })]);
  }

  if (!token) {
    fail("This page opens from the report link your practice system made. Open that link again.");
    return;
  }
  var url = config.partner ? config.api + "/" + config.partner : config.api;
  fetch(url, { headers: { Authorization: "Bearer " + token }, cache: "no-store", referrerPolicy: "no-referrer", credentials: "omit" })
    .then(function (response) {
      if (response.status === 404) throw new Error("gone");
      if (!response.ok) throw new Error("unavailable");
      return response.json();
    })
    .then(function (body) { show(config.partner ? partnerView(body) : jointView(body)); })
    .catch(function (error) {
      fail(error.message === "gone"
        ? "This report link does not work any more. It may have been replaced, or the pair erased. Make a new link in your practice system."
        : "The report could not be loaded. Please try again in a moment.");
    });
})();
