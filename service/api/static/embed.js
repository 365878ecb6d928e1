// Embed the Closeness form: <script src="https://YOUR-CLOSENESS/form/embed.js" async></script>
// Inserts an iframe after this script, keeps it as tall as its content, and dispatches a
// "closeness:result" event (detail: the result) on the document when the person has answered, and
// "closeness:exit" when they press the form's quick exit (the form has already left the page).
// Options on the script element: data-result="hide" (only pass the result on), data-lang="en".
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/\/embed\.js(\?.*)?$/, "");
  var origin = new URL(base).origin;
  var url = new URL(base);
  url.searchParams.set("parent", window.location.origin);
  if (script.dataset.result) url.searchParams.set("result", script.dataset.result);
  if (script.dataset.lang) url.searchParams.set("lang", script.dataset.lang);
  var frame = document.createElement("iframe");
  frame.src = url.toString();
  frame.title = script.dataset.title || "Closeness questionnaire";
  frame.style.cssText = "width:100%;border:0;min-height:30rem;";
  frame.setAttribute("loading", "lazy");
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) return;
    if (event.data.type === "closeness:resize") frame.style.height = Math.ceil(event.data.height) + "px";
    if (event.data.type === "closeness:result") {
      document.dispatchEvent(new CustomEvent("closeness:result", { detail: event.data.result }));
    }
    if (event.data.type === "closeness:exit") document.dispatchEvent(new CustomEvent("closeness:exit"));
  });
})();
