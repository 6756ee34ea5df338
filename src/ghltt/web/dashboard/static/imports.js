// ghltt dashboard, an import's page: its live part follows the import over server-sent events
// (GET /imports/{id}/progress), and the page is loaded again once the import is over, to show
// what it set aside. A file of its own: no inline script (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function follow(live) {
    var source = new EventSource(live.dataset.progress);
    source.addEventListener("progress", function (event) {
      live.innerHTML = event.data;
      // dashboard.js binds confirmations and local times on this event (as after htmx swaps).
      live.dispatchEvent(new CustomEvent("htmx:afterSettle", { bubbles: true }));
    });
    source.addEventListener("end", function () {
      source.close();
      // Without the query: its note was about the start, and the import is over now.
      window.location.replace(window.location.pathname);
    });
    live.dataset.connected = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress]").forEach(follow);
  });
})();
