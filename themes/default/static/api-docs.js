// The "try it" forms of the API reference (/api/v1/docs): send the request with fetch to the API
// on the same origin and show the status, the URL and the JSON answer (as text, never as HTML).
(function () {
  "use strict";

  function requestUrl(form) {
    var path = form.getAttribute("data-path");
    var query = new URLSearchParams();
    var fields = form.querySelectorAll("[data-in]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var value = field.value.trim();
      if (field.getAttribute("data-in") === "path") {
        path = path.replace("{" + field.name + "}", encodeURIComponent(value));
      } else if (value !== "") {
        query.append(field.name, value);
      }
    }
    var text = query.toString();
    return form.getAttribute("data-base") + path + (text ? "?" + text : "");
  }

  function show(form, status, url, body) {
    var result = form.querySelector(".try-result");
    var link = form.querySelector(".try-url");
    form.querySelector(".try-status").textContent = status;
    link.textContent = url;
    link.href = url;
    form.querySelector(".try-body").textContent = body;
    result.hidden = false;
  }

  function send(event) {
    var form = event.currentTarget;
    event.preventDefault();
    if (!form.reportValidity()) {
      return;
    }
    var url = requestUrl(form);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = text;
          try {
            body = JSON.stringify(JSON.parse(text), null, 2);
          } catch (ignored) {
            // not JSON: shown as it came
          }
          show(form, response.status + " " + response.statusText, url, body);
        });
      })
      .catch(function (error) {
        show(form, String(error), url, "");
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.try-it");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", send);
    }
  });
})();
