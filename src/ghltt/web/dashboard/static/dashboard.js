// ghltt dashboard: local times, confirmations and the live tail. No inline script anywhere
// (the Content-Security-Policy forbids it); htmx does the partial updates.
(function () {
  "use strict";

  function localize(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.dataset.localized) return;
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      el.title = el.getAttribute("datetime");
      el.textContent = at.toLocaleString();
      el.dataset.localized = "1";
    });
  }

  function confirmations(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function tail(table) {
    var body = table.querySelector("tbody");
    var source = new EventSource(table.dataset.tail);
    source.addEventListener("run", function (event) {
      var holder = document.createElement("tbody");
      holder.innerHTML = event.data;
      var row = holder.firstElementChild;
      if (!row) return;
      row.id = "tail-" + row.id;  // the same run may also be listed below
      var old = document.getElementById(row.id);
      if (old) old.remove();
      body.insertBefore(row, body.firstChild);
      while (body.children.length > 100) body.lastElementChild.remove();
      localize(row);
    });
    table.dataset.connected = "1";
  }

  function setup(root) {
    localize(root);
    confirmations(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setup(document);
    document.querySelectorAll("table[data-tail]").forEach(tail);
  });
  document.addEventListener("htmx:afterSettle", function (event) { setup(event.target); });
})();
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-tz]").forEach(function (el) {
    el.value = String(new Date().getTimezoneOffset());
  });
});
