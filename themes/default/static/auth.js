// The discovery page (/auth/login): filters the list of institutions as one types, in Chinese or English,
// the way ?q= filters on the server (every word of the query in the provider's names, member, slug, scopes).
(function () {
  "use strict";
  var input = document.getElementById("idp-search");
  var list = document.getElementById("idp-list");
  var none = document.getElementById("idp-none");
  if (!input || !list) { return; }
  function filter() {
    var words = input.value.toLocaleLowerCase().split(/\s+/).filter(function (w) { return w; });
    var shown = 0;
    list.querySelectorAll("[data-group]").forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll("li[data-search]").forEach(function (item) {
        var text = item.getAttribute("data-search");
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !ok;
        if (ok) { inGroup += 1; }
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    if (none) {
      none.hidden = shown > 0;
      if (shown === 0) { none.textContent = list.getAttribute("data-empty"); }
    }
  }
  input.addEventListener("input", filter);
})();
