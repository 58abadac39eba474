// Small behaviours without inline script (the CSP forbids it).
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  // htmx: no history cache (pages hold personal data), no injected styles, CSRF on every request.
  if (window.htmx) {
    htmx.config.historyCacheSize = 0;
    htmx.config.includeIndicatorStyles = false;
    document.body.addEventListener("htmx:configRequest", function (event) {
      event.detail.headers["X-CSRFToken"] = csrf;
    });
  }

  // Forms that ask before they act: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One submit per click: a double click must not create two records.
    if (!event.defaultPrevented && !form.hasAttribute("data-allow-resubmit")) {
      if (form.dataset.submitted === "1") { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
    }
  }, true);

  // Open the tab a link points at (/projects/1#tab-care), and keep the address in step.
  function showTab(hash) {
    if (!hash || !window.bootstrap) { return; }
    var trigger = document.querySelector('[data-bs-toggle="tab"][data-bs-target="' + hash + '"]');
    if (trigger) { bootstrap.Tab.getOrCreateInstance(trigger).show(); }
  }
  showTab(window.location.hash);
  document.addEventListener("shown.bs.tab", function (event) {
    var target = event.target.getAttribute("data-bs-target");
    if (target && window.history.replaceState) { window.history.replaceState(null, "", target); }
  });

  // Auto-submit filter selects: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) { el.form.requestSubmit(); }
  });

  // Select all rows of a bulk form: <input type="checkbox" data-check-all="name-of-row-boxes">.
  document.addEventListener("change", function (event) {
    var el = event.target;
    var name = el.getAttribute && el.getAttribute("data-check-all");
    if (!name || !el.form) { return; }
    el.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = el.checked;
    });
  });
})();
