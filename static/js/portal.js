/* Progressive enhancement only: every page works without this file. No eval, no inline handlers (CSP). */
(function () {
  "use strict";
  var lastFocus = null;
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

  function focusFirstError(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  function openModal(modal) {
    var dialog = modal.querySelector(".app-modal__dialog");
    var first = dialog.querySelector(FOCUSABLE);
    (first || dialog).focus();
    document.body.style.overflow = "hidden";
  }

  function closeModal(modal) {
    modal.remove();
    document.body.style.overflow = "";
    var target = lastFocus;
    // The opener may have been re-rendered (e.g. a queue refreshed after an action): find its twin, else main.
    if (target && !document.contains(target)) {
      var key = target.getAttribute("hx-get");
      target = key ? document.querySelector('[hx-get="' + key.replace(/"/g, "") + '"]') : null;
      target = target || document.getElementById("main");
    }
    if (target) { target.focus(); }
    lastFocus = null;
  }

  // An error-summary link: bring the whole field (label, hint, message) into view, then focus the control.
  function followErrorLink(event) {
    var link = event.target.closest(".app-error-summary a[href^='#']");
    if (!link) { return false; }
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) { return false; }
    event.preventDefault();
    var field = control.closest(".app-field, .app-fieldset") || control;
    field.scrollIntoView({ block: "start" });
    var focusable = control.matches(FOCUSABLE) ? control : control.querySelector(FOCUSABLE);
    if (focusable) { focusable.focus({ preventScroll: true }); }
    if (history.replaceState) { history.replaceState(history.state, "", link.getAttribute("href")); }
    return true;
  }

  document.addEventListener("click", function (event) {
    if (followErrorLink(event)) { return; }
    var opener = event.target.closest("[data-modal-open]");
    if (opener) { lastFocus = opener; }
    var closer = event.target.closest("[data-modal-close]");
    if (closer) {
      var modal = closer.closest("[data-modal]");
      if (modal) { event.preventDefault(); closeModal(modal); }
    }
    var printer = event.target.closest("[data-print]");
    if (printer) { event.preventDefault(); window.print(); }
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var boxes = document.querySelectorAll('input[type="checkbox"][name="' + all.getAttribute("data-select-all") + '"]');
      boxes.forEach(function (b) { b.checked = all.checked; });
    }
  });

  // 打印 buttons print the page; they stay hidden without this file (the PDF download is the other way to print).
  document.querySelectorAll("[data-print][hidden]").forEach(function (b) { b.hidden = false; });

  document.addEventListener("keydown", function (event) {
    var modal = document.querySelector("[data-modal]");
    if (!modal) { return; }
    if (event.key === "Escape") { event.preventDefault(); closeModal(modal); return; }
    if (event.key !== "Tab") { return; }
    var items = Array.prototype.filter.call(modal.querySelectorAll(FOCUSABLE), function (el) { return el.offsetParent !== null; });
    if (!items.length) { return; }
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // Any other swap that replaces what the user was on (a pager link, a delete button) focuses the new region
  // (its result line if it has one) instead of <body>. Polling swaps never held focus, so they never move it.
  // A control the new markup has again (same id, e.g. the select of a cascade just changed) keeps the focus.
  var focusedRegion = null, focusedControl = null, focusAsked = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!lastFocus && event.detail.elt) { lastFocus = event.detail.elt; }
    var target = event.detail.target, active = document.activeElement;
    // A form outside its results (the hall's search) asks for the same with data-focus-results.
    var asked = event.detail.elt && event.detail.elt.hasAttribute && event.detail.elt.hasAttribute("data-focus-results");
    focusedRegion = target && target.id && (asked || (active && active !== document.body && target.contains(active)))
      ? target.id : null;
    focusedControl = focusedRegion && !asked && active && active.id ? active.id : null;
    focusAsked = Boolean(asked);
  });

  document.addEventListener("htmx:afterSettle", function () {
    var id = focusedRegion, controlId = focusedControl, asked = focusAsked;
    focusedRegion = null;
    focusedControl = null;
    focusAsked = false;
    if (!id || (!asked && document.activeElement && document.activeElement !== document.body)) { return; }
    var control = controlId ? document.getElementById(controlId) : null;
    if (control) { control.focus(); return; }
    var region = document.getElementById(id);
    if (!region) { return; }
    var status = region.querySelector("[data-grid-status]");
    if (!status && !region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
    (status || region).focus();
  });

  // A grid swapped by its own query, reset, sort or pager link: the old focus is gone with the old markup, so
  // focus the new error summary or the result line rather than leaving it on <body>.
  function focusGridResult(target) {
    if (!target || !target.id) { return; }
    var grid = document.getElementById(target.id);
    if (!grid || !grid.classList.contains("app-grid")) { return; }
    var focus = grid.querySelector(".app-error-summary") || grid.querySelector("[data-grid-status]");
    if (focus) { focus.focus(); }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    // A history-restore swap (back button) fires afterSwap without a target.
    var target = event.detail.target || event.detail.elt || document.body;
    var modal = target.querySelector ? target.querySelector("[data-modal]") : null;
    if (modal) { openModal(modal); }
    focusFirstError(target);
    focusGridResult(event.detail.target);
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!document.querySelector("[data-modal]")) { lastFocus = null; }
  });

  // A table that scrolls sideways must be reachable and named for keyboard users (WCAG 2.1.1): templates mark
  // the known ones; this names any other wrapper that overflows on this screen, after the caption or heading.
  function nameScrollBoxes() {
    document.querySelectorAll(".app-table-wrap:not([tabindex])").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth) { return; }
      var caption = box.querySelector("caption");
      var heading = null;
      for (var el = box.previousElementSibling; el && !heading; el = el.previousElementSibling) {
        if (/^H[1-6]$/.test(el.tagName)) { heading = el; }
      }
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", ((caption || heading || {}).textContent || "表格").trim());
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(nameScrollBoxes, 200);
  });
  document.addEventListener("htmx:afterSettle", nameScrollBoxes);

  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); nameScrollBoxes(); });
})();
