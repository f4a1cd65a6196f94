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
    // (A Close link outside a dialog — the same content on a page of its own — is followed.)
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { event.preventDefault(); open.close(); }
    }
  });

  // Selects in forms marked data-autosubmit (or marked themselves) submit on change — when
  // picked with the pointer. From the keyboard, where each arrow key already changes the
  // value, the form waits for Enter (or its button, shown then) instead.
  function autosubmits(field) {
    var form = field.form;
    return form && (form.hasAttribute("data-autosubmit") || field.hasAttribute("data-autosubmit-field"));
  }
  var stepping = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];
  var keyed = null;
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (field.tagName !== "SELECT" || !autosubmits(field)) { return; }
    if (event.key === "Enter") {
      event.preventDefault();
      keyed = null;
      field.form.requestSubmit();
    } else if (stepping.indexOf(event.key) >= 0 || (event.key.length === 1 && event.key !== " ")) {
      keyed = field;
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.tagName !== "SELECT" && field.type !== "checkbox") { return; }
    if (!autosubmits(field)) { return; }
    if (field === keyed) {
      field.form.querySelectorAll(".js-hidden").forEach(function (hidden) {
        hidden.classList.remove("js-hidden");
      });
      return;
    }
    field.form.requestSubmit();
  });
  document.addEventListener("pointerdown", function () { keyed = null; });

  // A tap or click outside an open menu (<details>: Menu, the user menu) closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[open]").forEach(function (menu) {
      if (!menu.contains(event.target) && menu.querySelector("summary")) { menu.open = false; }
    });
  });

  // Esc closes an open menu (<details>) and puts the focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = event.target.closest ? event.target.closest("details[open]") : null;
    if (!menu) { return; }
    menu.open = false;
    var summary = menu.querySelector("summary");
    if (summary) { summary.focus(); }
  });

  // Copy buttons (links to a page showing the text, without JavaScript).
  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (!copy) { return; }
    var text = copy.getAttribute("data-copy");
    // The clipboard API needs a secure context (https or this machine); elsewhere the older
    // copy command still works from a click.
    var copied = navigator.clipboard ? navigator.clipboard.writeText(text) : new Promise(function (done, fail) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) { done(); } else { fail(); }
    });
    event.preventDefault();
    copied.then(function () {
      var status = document.getElementById("copy-status");
      if (!status) { return; }
      status.textContent = "Copied to clipboard!";
      status.classList.add("visible");
      clearTimeout(status.hideTimer);
      status.hideTimer = setTimeout(function () { status.classList.remove("visible"); }, 2500);
    }, function () {});
  });

  // A submit button named by data-enable-when-filled is active only while the field has text.
  function syncFilled(field) {
    var button = document.getElementById(field.getAttribute("data-enable-when-filled"));
    if (button) { button.disabled = field.value.trim() === ""; }
  }
  document.querySelectorAll("[data-enable-when-filled]").forEach(syncFilled);
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-enable-when-filled")) { syncFilled(event.target); }
  });

  // Links with data-fragment-dialog load their page's main content into that dialog.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-fragment-dialog]");
    if (!link) { return; }
    var dialog = document.getElementById(link.getAttribute("data-fragment-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    dialog.opener = link;
    loadFragment(dialog, link.getAttribute("href"));
  });
  // The new content keeps the focus where it was (the control of the same id), or on the
  // dialog's first control: never on the page behind.
  function showFragment(dialog, response) {
    var focusedId = dialog.contains(document.activeElement) ? document.activeElement.id : "";
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var body = page.querySelector("[data-fragment]");
      var target = dialog.querySelector(".fragment-target");
      target.replaceChildren();
      if (body) { target.appendChild(document.importNode(body, true)); }
      dialog.setAttribute("data-url", response.url);
      if (!dialog.open) { dialog.showModal(); }
      var again = focusedId && document.getElementById(focusedId);
      var first = dialog.querySelector("input:not([type=hidden]), select, textarea, button, a[href]");
      if (again && dialog.contains(again)) { again.focus(); } else if (first) { first.focus(); }
    });
  }
  function loadFragment(dialog, url) {
    fetch(url, { credentials: "same-origin" }).then(function (response) { return showFragment(dialog, response); });
  }
  // Forms and links inside a fragment dialog stay in the dialog.
  document.addEventListener("submit", function (event) {
    var dialog = event.target.closest("dialog[data-url]");
    if (!dialog) { return; }
    event.preventDefault();
    var form = event.target;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    var data = new FormData(form);
    if (method === "get") {
      var url = form.getAttribute("action") + "?" + new URLSearchParams(data).toString();
      loadFragment(dialog, url);
      return;
    }
    // The answer is the page the form redirects to, with its message: show it in place.
    fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
      .then(function (response) { return showFragment(dialog, response); });
  });
  // Closing shows the page again with what changed; the focus goes back to the link that
  // opened the dialog.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog.hasAttribute || !dialog.hasAttribute("data-url")) { return; }
    if (dialog.opener && dialog.opener.getAttribute("href")) {
      sessionStorage.setItem("licensedesk-focus", dialog.opener.getAttribute("href"));
    }
    window.location.reload();
  }, true);
  var returnTo = sessionStorage.getItem("licensedesk-focus");
  if (returnTo) {
    sessionStorage.removeItem("licensedesk-focus");
    document.querySelectorAll("[data-fragment-dialog]").forEach(function (link) {
      if (link.getAttribute("href") === returnTo) { link.focus(); }
    });
  }

  // [data-tabs]: its .tab-panel sections become tabs, each labelled by its <h2>. Without
  // this script they are simply shown one under the other.
  document.querySelectorAll("[data-tabs]").forEach(function (tabs) {
    var panels = Array.prototype.filter.call(tabs.children, function (child) {
      return child.classList.contains("tab-panel");
    });
    if (panels.length < 2) { return; }
    var list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    var buttons = panels.map(function (panel) {
      var heading = panel.querySelector("h2");
      var button = document.createElement("button");
      button.type = "button";
      button.id = panel.id + "-tab";
      button.textContent = heading.textContent;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      heading.classList.add("visually-hidden");
      list.appendChild(button);
      return button;
    });
    function select(index, focus) {
      buttons.forEach(function (button, i) {
        var on = i === index;
        button.setAttribute("aria-selected", on ? "true" : "false");
        button.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) { buttons[index].focus(); }
    }
    list.addEventListener("click", function (event) {
      var index = buttons.indexOf(event.target.closest("[role=tab]"));
      if (index >= 0) { select(index, false); }
    });
    list.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      var last = buttons.length - 1;
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[event.key];
      if (index < 0 || next === undefined) { return; }
      event.preventDefault();
      select(next > last ? 0 : next < 0 ? last : next, true);
    });
    // A field the browser refuses to submit is shown: open its tab first.
    tabs.addEventListener("invalid", function (event) {
      var index = panels.indexOf(event.target.closest(".tab-panel"));
      if (index >= 0 && panels[index].hidden) { select(index, false); }
    }, true);
    tabs.insertBefore(list, panels[0]);
    select(0, false);
  });

  // A form (or one of its buttons) marked data-confirm asks in a dialog first; a yes sends it
  // with ?confirmed=yes. Without this script the server asks on a page of its own.
  var confirmDialog = null;
  function confirmationDialog() {
    if (confirmDialog) { return confirmDialog; }
    confirmDialog = document.createElement("dialog");
    confirmDialog.className = "modal confirm-dialog";
    confirmDialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    confirmDialog.innerHTML =
      '<div class="modal-head"><h2 id="confirm-dialog-title"></h2></div>' +
      '<form method="dialog"><p class="confirm-consequence"></p>' +
      '<div class="form-actions"><button type="submit" value="cancel" class="button">Cancel</button>' +
      '<button type="submit" value="yes" class="button danger-solid confirm-yes"></button></div></form>';
    document.body.appendChild(confirmDialog);
    return confirmDialog;
  }
  function askFirst(message, yesLabel, onYes) {
    var dialog = confirmationDialog();
    // The question ends at its last "? " (a name in it may hold one too).
    var split = message.lastIndexOf("? ");
    dialog.querySelector("h2").textContent = split < 0 ? message : message.slice(0, split + 1);
    dialog.querySelector(".confirm-consequence").textContent = split < 0 ? "" : message.slice(split + 2);
    dialog.querySelector(".confirm-yes").textContent = yesLabel;
    dialog.returnValue = "";
    dialog.onclose = function () { if (dialog.returnValue === "yes") { onYes(); } };
    dialog.showModal();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var asker = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
    var message = asker.getAttribute("data-confirm");
    if (!message || form.hasAttribute("data-confirmed")) { return; }
    // A question about the checked rows (data-confirm-count="ids"): nothing checked, nothing
    // to ask (the server says to select first); otherwise "{count}" says how many.
    var counted = asker.getAttribute("data-confirm-count");
    if (counted) {
      var checked = form.querySelectorAll('input[name="' + counted + '"]:checked').length;
      if (checked === 0) { return; }
      message = message.replace("{count}", String(checked));
    }
    event.preventDefault();
    event.stopPropagation();
    askFirst(message, asker.getAttribute("data-confirm-button") || "Delete", function () {
      var action = form.getAttribute("action");
      // (Not form.action: a field named "action" would stand in for it.)
      var url = new URL(action || window.location.pathname, window.location.href);
      url.searchParams.set("confirmed", "yes");
      form.setAttribute("action", url.pathname + url.search);
      form.setAttribute("data-confirmed", "");
      if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      form.removeAttribute("data-confirmed");
      form.setAttribute("action", action);
    });
  }, true);

  // A card whose table is wider than the screen scrolls sideways: let the keyboard reach it
  // (focus it, then the arrow keys scroll) even when it holds no link or button.
  function focusableScrollers() {
    document.querySelectorAll(".card, .card table").forEach(function (card) {
      if (card.scrollWidth > card.clientWidth + 1) {
        card.tabIndex = 0;
      } else if (card.getAttribute("tabindex") === "0") {
        card.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);

  // A form in a modal dialog (Add user, New organization, …) stays in its dialog when the
  // server refuses it: the form of the answer — the reason, and what was typed — takes its
  // place. Accepted, the page reloads with the server's message. Anything else (an error
  // page) is shown as a normal submission would.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = form.closest("dialog.modal");
    if (event.defaultPrevented || !dialog || dialog.hasAttribute("data-url") ||
        (form.getAttribute("method") || "").toLowerCase() !== "post" ||
        form.getAttribute("enctype") === "multipart/form-data") { return; }
    event.preventDefault();
    var action = form.getAttribute("action");
    fetch(action, {
      method: "POST", body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin", redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect") { window.location.reload(); return; }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var again = page.querySelector('form[action="' + action + '"]');
        if (response.status !== 422 || !again) { form.submit(); return; }
        // The reason may stand above the form on its page: bring it along.
        var reason = page.querySelector("main [role=alert]");
        if (reason && !again.contains(reason)) { again.insertBefore(reason, again.firstChild); }
        var shown = document.importNode(again, true);
        form.replaceWith(shown);
        var field = shown.querySelector("[aria-invalid=true], input:not([type=hidden]), textarea, select");
        if (field) { field.focus(); }
      });
    }).catch(function () { form.submit(); });
  });

  // Clicking outside a dialog's box closes it.
  document.addEventListener("click", function (event) {
    if (event.target.tagName === "DIALOG") { event.target.close(); }
  });

  // A fieldset marked data-enabled-by="NAME=VALUE" can be used only while that radio button
  // is chosen (the features of a device under "Use company settings" do nothing).
  function syncEnabledBy() {
    document.querySelectorAll("[data-enabled-by]").forEach(function (fieldset) {
      var rule = fieldset.getAttribute("data-enabled-by").split("=");
      var chosen = fieldset.form && fieldset.form.querySelector('input[name="' + rule[0] + '"]:checked');
      fieldset.disabled = !chosen || chosen.value !== rule[1];
    });
  }
  syncEnabledBy();
  document.addEventListener("change", function (event) {
    if (event.target.type === "radio") { syncEnabledBy(); }
  });

  // A header checkbox selects or clears every row of its form's table.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    var name = all.getAttribute("data-select-all");
    all.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
