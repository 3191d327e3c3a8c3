// Sizerun portal: the little behaviour that HTML alone cannot give.
// Loaded with `defer` from /static (the CSP allows no inline script).
(function () {
  "use strict";

  // Close open menus (<details class="usermenu">) on a click outside or Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest ? e.target.closest("details.usermenu") : null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") closeMenus(null);
  });

  // <form data-confirm="Are you sure?"> asks before submitting.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  // <select data-autosubmit> submits its form when changed (filters).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });

  // The buttons of a submitted form are disabled for a few seconds, so that a
  // double click sends once; they come back when the page is shown again from
  // the history cache, or when the answer was a download.
  function enableSent() {
    document.querySelectorAll("button[data-sent]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-sent");
    });
  }
  document.addEventListener("submit", function (e) {
    if (e.defaultPrevented) return;
    var form = e.target;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]:not([disabled])").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("data-sent", "");
      });
      window.setTimeout(enableSent, 8000);
    }, 0);
  });
  window.addEventListener("pageshow", enableSent);
})();
