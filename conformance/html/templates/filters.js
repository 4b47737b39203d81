// Filters and search for the report and comparison pages. Without JavaScript the form stays
// hidden and every row is shown; with it, rows (.req) are hidden by outcome, level and text.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll(".req"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var search = document.getElementById("search");
  var count = document.getElementById("shown-count");
  var nothing = document.getElementById("nothing-shown");
  var differs = document.getElementById("only-differences");

  function checked(name) {
    var values = {};
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      if (box.checked) { values[box.value] = true; }
    });
    return values;
  }

  function apply() {
    var outcomes = checked("outcome");
    var levels = checked("level");
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var own = (row.getAttribute("data-outcome") || "").split(" ");
      var visible = own.some(function (o) { return outcomes[o]; }) &&
        levels[row.getAttribute("data-level")] === true &&
        words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        (!differs || !differs.checked || row.getAttribute("data-differs") === "yes");
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelector(".req:not([hidden])") === null;
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " requirements.";
    if (nothing) { nothing.hidden = shown !== 0; }
  }

  function setEvidence(open) {
    document.querySelectorAll("details.evidence-box").forEach(function (box) { box.open = open; });
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("show-all").addEventListener("click", function () {
    form.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      box.checked = box.id !== "only-differences";
    });
    search.value = "";
    apply();
  });
  var opener = document.getElementById("open-evidence");
  var closer = document.getElementById("close-evidence");
  if (opener) { opener.addEventListener("click", function () { setEvidence(true); }); }
  if (closer) { closer.addEventListener("click", function () { setEvidence(false); }); }
  apply();
}());
