// Autosave for the writing forms (issue 12): every 30 seconds, if the text changed, the form's
// own "Bewaar als concept" action is posted in the background (CSRF token and expected
// revision included, so a newer version is never overwritten). Without this script the forms
// work as before. Self-hosted, no inline code: the CSP stays "script-src 'self'". The messages
// come in the interface language from the form's data-autosave-* attributes (kb/templates/
// _work.html, autosave_texts); the Dutch ones below are only a fallback.
(function () {
  "use strict";
  var INTERVAL = 30000;
  var forms = document.querySelectorAll("form[data-autosave]");
  if (!forms.length || !window.fetch || !window.FormData) {
    return;
  }
  Array.prototype.forEach.call(forms, function (form) {
    var changed = false;
    var busy = false;
    var stopped = false;
    function text(name, fallback) {
      return form.getAttribute("data-autosave-" + name) || fallback;
    }
    var status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var actions = form.querySelector(".form-actions");
    (actions || form).insertAdjacentElement(actions ? "afterend" : "beforeend", status);

    function say(text) {
      status.textContent = text;
    }

    function stop(text) {
      stopped = true;
      say(text);
    }

    // The new draft of /schrijven gets an address on its first save: go on there.
    function moved(data) {
      if (data.url && form.getAttribute("action") !== data.url) {
        form.setAttribute("action", data.url);
        var once = form.querySelector("input[name=form_id]");
        if (once) {
          once.parentNode.removeChild(once);
        }
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", data.url);
        }
      }
      var revision = form.querySelector("input[name=revision]");
      if (!revision) {
        revision = document.createElement("input");
        revision.type = "hidden";
        revision.name = "revision";
        form.insertBefore(revision, form.firstChild);
      }
      revision.value = String(data.revision);
    }

    function save() {
      if (!changed || busy || stopped) {
        return;
      }
      busy = true;
      changed = false;
      var body = new FormData(form);
      body.set("action", "save");
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-KB-Autosave": "1", "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("login");
        }
        return response.json();
      }).then(function (data) {
        if (data.saved) {
          moved(data);
          say(text("saved", "Concept bewaard om {time}").replace("{time}", data.time));
        } else if (data.reason === "conflict" || data.reason === "status") {
          stop(text("changed", "Niet automatisch bewaard: het advies is intussen veranderd. " +
                    "Druk op de knop om te bewaren; dan zie je de verschillen."));
        } else if (data.reason === "published") {
          stop(text("published",
                    "Een gepubliceerd advies wordt niet automatisch bewaard. Druk zelf op Bewaar."));
        } else {
          changed = true;
          say(text("failed", "Niet automatisch bewaard. Je tekst staat nog hier; " +
                   "druk zelf op de knop om te bewaren."));
        }
      }).catch(function () {
        changed = true;
        say(text("offline", "Niet automatisch bewaard. Misschien ben je uitgelogd of is er " +
                 "geen verbinding. Je tekst staat nog hier."));
      }).then(function () {
        busy = false;
      });
    }

    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { stopped = true; });
    window.setInterval(save, INTERVAL);
  });
})();
