/* Partnerplan's page behaviours, moved out of the templates so that the
   Content-Security-Policy can refuse every inline script. Each part is a
   progressive enhancement that looks for its own elements and does nothing on
   pages without them. */
(function () {
  "use strict";

  /* "Go back" links (error pages). */
  document.querySelectorAll("[data-history-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });

  /* Lifecycle: show the warning of the stage chosen in the move form. */
  document.querySelectorAll(".stage-move-form").forEach(function (form) {
    var select = form.querySelector("select[name=to_stage]");
    if (!select) { return; }
    function show() {
      form.querySelectorAll(".move-warning").forEach(function (warning) {
        warning.hidden = warning.dataset.stage !== select.value;
      });
    }
    select.addEventListener("change", show);
    show();
  });

  /* Lifecycle evidence: links do not apply to an item skipped by agreement. */
  (function () {
    var links = document.getElementById("evidence-links");
    var radios = document.querySelectorAll("input[name=status]");
    if (!links || !radios.length) { return; }
    function update() {
      var checked = document.querySelector("input[name=status]:checked");
      var skipped = checked && checked.value === "skipped";
      links.disabled = skipped;
      links.classList.toggle("opacity-50", skipped);
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  })();

  /* Assessment form: say when there are unsaved changes, and ask before leaving. */
  (function () {
    var form = document.getElementById("assessment-form");
    var note = document.getElementById("unsaved-note");
    if (!form || !note) { return; }
    var dirty = form.hasAttribute("data-unsaved");
    if (dirty) { note.hidden = false; }
    function changed() { dirty = true; note.hidden = false; }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  })();

  /* Reports and audit packs: elements with data-report-status-url poll their JSON status every
     2 s while queued or running, and update in place. Without JavaScript,
     reloading the page shows the same. */
  (function () {
    var BADGES = {queued: "text-bg-secondary", running: "text-bg-primary", done: "text-bg-success", failed: "text-bg-danger"};
    var live = document.getElementById("report-status-live");
    function show(container, status) {
      container.querySelectorAll("[data-report-show]").forEach(function (element) {
        var states = element.getAttribute("data-report-show").split(" ");
        element.hidden = states.indexOf(status) === -1;
      });
    }
    function update(container, data) {
      container.setAttribute("data-report-status", data.status);
      container.querySelectorAll("[data-report-field]").forEach(function (element) {
        var name = element.getAttribute("data-report-field");
        if (name === "badge") {
          Object.keys(BADGES).forEach(function (status) { element.classList.remove(BADGES[status]); });
          element.classList.add(BADGES[data.status] || "text-bg-secondary");
          element.textContent = data.status_label;
        } else if (name === "download") {
          if (data.download_url) { element.setAttribute("href", data.download_url); }
        } else if (name === "workbook") {
          if (data.workbook_url) { element.setAttribute("href", data.workbook_url); }
        } else if (data[name] !== undefined && data[name] !== null) {
          element.textContent = data[name];
        }
      });
      show(container, data.status);
    }
    function poll(container) {
      var url = container.getAttribute("data-report-status-url");
      var before = container.getAttribute("data-report-status");
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          update(container, data);
          if (data.status !== before && live) {
            live.textContent = "Report " + (container.getAttribute("data-report-name") || "") + ": " + data.status_label.toLowerCase() + ".";
          }
          if (!data.finished) { window.setTimeout(function () { poll(container); }, 2000); }
        })
        .catch(function () { window.setTimeout(function () { poll(container); }, 2000); });
    }
    document.querySelectorAll("[data-report-status-url]").forEach(function (container) {
      var status = container.getAttribute("data-report-status");
      if (status === "queued" || status === "running") {
        window.setTimeout(function () { poll(container); }, 2000);
      }
    });
  })();
})();
