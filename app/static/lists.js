// The list component's print button (app/templates/_list.html): prints the page with the print style.
(function () {
  "use strict";
  if (window.__listPrint) { return; }
  window.__listPrint = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
