// Live progress of a harvest: polls the JSON endpoint named by #progress[data-url] every two seconds
// while the run is queued or running, and reloads the page once when it ends. A page rendered before a
// run that has already ended (a quick harvest) says so in data-shown ("<run id>:<state>") and is
// reloaded too, so its table of runs shows the run.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !box.dataset.url) { return; }
  var line = document.getElementById("progress-line");
  var wasLive = false;
  // The page's words in the visitor's language (data-words, JSON); English when a page has none.
  var words = {};
  try { words = JSON.parse(box.dataset.words || "{}"); } catch (e) { words = {}; }
  function word(key, english) { return words[key] || english; }
  function describe(run) {
    if (!run) { return word("none", "No harvest yet."); }
    var parts = ["#" + run.id, word("state-" + run.state, run.state), run.pages + " " + word("pages", "pages"),
      run.seen + " " + word("seen", "seen"), run.new + " " + word("new", "new"),
      run.updated + " " + word("updated", "updated"), run.deleted + " " + word("deleted", "deleted"),
      run.failed + " " + word("failed", "failed"), run.errors + " " + word("errors", "errors")];
    if (run.duration !== null) { parts.push(run.duration.toFixed(1) + " s"); }
    if (run.message) { parts.push(run.message); }
    return parts.join(" · ");
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var run = data.run === undefined ? data : data.run;
        line.textContent = describe(run);
        box.dataset.state = run ? run.state : "none";
        var live = run && (run.state === "running" || run.state === "queued");
        var shown = box.dataset.shown;
        if (live) { wasLive = true; setTimeout(poll, 2000); }
        else if (wasLive || (shown !== undefined && run && shown !== run.id + ":" + run.state)) {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();

// A repository check runs as a task: while #check-report[data-state=running], poll its JSON
// endpoint every two seconds and reload the page once the check has ended (its report is then there).
(function () {
  "use strict";
  var box = document.getElementById("check-report");
  if (!box || !box.dataset.url || box.dataset.state !== "running") { return; }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        box.dataset.state = data.state;
        if (data.state === "running") { setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

// Wide tables scroll sideways inside their own box on a phone (admin.css): a box that scrolls is made
// reachable from the keyboard (tabindex), so the arrow keys scroll it as a pointer would.
(function () {
  "use strict";
  function focusable() {
    var boxes = document.querySelectorAll("table.grid, .table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    }
  }
  focusable();
  window.addEventListener("resize", focusable);
})();
