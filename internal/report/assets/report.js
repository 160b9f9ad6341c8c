// Filters findings by severity and category. Reads an initial filter from
// the URL fragment (#severity=high,critical&category=dns) so a link can
// share a view. Touches no network.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-filter-severity]");
  var cat = document.getElementById("filter-category");
  var showSup = document.getElementById("filter-suppressed");
  var items = document.querySelectorAll("details.finding");
  var shown = document.getElementById("shown-count");
  function apply() {
    var sev = {};
    boxes.forEach(function (b) { sev[b.value] = b.checked; });
    var n = 0;
    items.forEach(function (el) {
      var ok = sev[el.dataset.severity] &&
        (cat.value === "" || cat.value === el.dataset.category) &&
        (showSup.checked || el.dataset.suppressed !== "true");
      el.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  var frag = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (frag.get("severity")) {
    var want = frag.get("severity").split(",");
    boxes.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
  }
  if (frag.get("category")) { cat.value = frag.get("category"); }
  if (frag.get("open") === "all") { items.forEach(function (el) { el.open = true; }); }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  cat.addEventListener("change", apply);
  showSup.addEventListener("change", apply);
  apply();
  document.documentElement.setAttribute("data-ready", "true");
})();
