// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Links with data-dialog open the <dialog> in place instead of following the link.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { open.close(); }
    }
  });

  // Selects in forms marked data-autosubmit (or marked themselves) submit on change.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.tagName !== "SELECT") { return; }
    var form = field.form;
    if (form && (form.hasAttribute("data-autosubmit") || field.hasAttribute("data-autosubmit-field"))) {
      form.requestSubmit();
    }
  });

  // Clicking outside a dialog's box closes it.
  document.addEventListener("click", function (event) {
    if (event.target.tagName === "DIALOG") { event.target.close(); }
  });
})();
