/* The steps of the report form in the browser: each step is checked before
 * it is sent (the server checks it again), and citizens without an account
 * keep a draft in their own browser (citizens with one keep it on the site).
 * Without this script the form works the same, a step per page. */
(function () {
  "use strict";

  // Not kept in the browser: the token changes, the photos are too large
  // for the browser's storage, the honeypot must stay empty.
  var NOT_KEPT = ["_authenticator", "step", "website", "kept_photos:list", "kept_attachments:list"];

  function feedback(input, text) {
    var id = input.id + "-browser-error";
    var message = document.getElementById(id);
    if (!text) {
      if (message) {
        message.remove();
      }
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "invalid-feedback d-block";
      var anchor = input.closest(".form-check") || input;
      anchor.insertAdjacentElement("afterend", message);
    }
    message.textContent = text;
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf(id) < 0) {
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" ").trim());
    }
  }

  function missing(input) {
    if (input.disabled || input.closest("[hidden], fieldset[disabled]")) {
      return false;
    }
    if (input.type === "checkbox") {
      return input.required && !input.checked;
    }
    var required = input.required || input.getAttribute("aria-required") === "true";
    return required && !String(input.value || "").trim();
  }

  function checkStep(form) {
    var step = form.querySelector(".civicreport-step");
    if (!step) {
      return true;
    }
    var first = null;
    step.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input.type === "hidden" || input.type === "file") {
        return;
      }
      var bad = missing(input);
      if (!bad && input.type === "email" && input.value && input.validity && input.validity.typeMismatch) {
        bad = true;
      }
      feedback(input, bad ? form.getAttribute("data-required") : "");
      if (bad && !first) {
        first = input;
      }
    });
    if (first) {
      first.focus();
      return false;
    }
    return true;
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // private mode, or storage refused: no draft
    }
  }

  function readDraft(key) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(key) || "null") : null;
    } catch (error) {
      return null;
    }
  }

  function saveDraft(form, key) {
    var store = storage();
    if (!store) {
      return false;
    }
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NOT_KEPT.indexOf(el.name) >= 0 || el.type === "file" || el.type === "submit" || el.disabled) {
        return;
      }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) {
        return;
      }
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (option) {
          values.push([el.name, option.value]);
        });
        return;
      }
      values.push([el.name, el.value]);
    });
    try {
      store.setItem(key, JSON.stringify({ saved: Date.now(), values: values }));
      return true;
    } catch (error) {
      return false; // storage full
    }
  }

  function say(form, text) {
    var box = document.getElementById("civicreport-browser-draft");
    if (!box) {
      box = document.createElement("div");
      box.id = "civicreport-browser-draft";
      box.className = "civicreport-draft border rounded p-3 mb-3";
      box.setAttribute("role", "status");
      form.insertAdjacentElement("beforebegin", box);
    }
    box.textContent = text;
    return box;
  }

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function resume(form, draft) {
    draft.values.forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    var next = document.createElement("input");
    next.type = "hidden";
    next.name = "form.buttons.next";
    next.value = "next";
    form.appendChild(next);
    form.submit();
  }

  function setupDrafts(form) {
    var key = form.getAttribute("data-draft-key");
    var step = form.getAttribute("data-step");
    // Citizens with an account have the site's draft button.
    if (!key || form.querySelector("[name='form.buttons.save']")) {
      return;
    }
    if (step === "authorizations") {
      var draft = readDraft(key);
      if (!draft || !draft.values || document.getElementById("civicreport-errors")) {
        return;
      }
      var box = say(form, form.getAttribute("data-draft-found") + " ");
      box.appendChild(button(form.getAttribute("data-draft-resume"), "btn btn-primary btn-sm me-2", function () {
        resume(form, draft);
      }));
      box.appendChild(button(form.getAttribute("data-draft-delete"), "btn btn-outline-secondary btn-sm", function () {
        var store = storage();
        if (store) {
          store.removeItem(key);
        }
        box.remove();
      }));
      return;
    }
    var nav = form.querySelector(".civicreport-step-nav");
    var next = nav && nav.querySelector("[name='form.buttons.next'], [name='form.buttons.send']");
    if (!next) {
      return;
    }
    next.insertAdjacentElement("beforebegin", button(form.getAttribute("data-draft-save"), "btn btn-outline-primary", function () {
      if (saveDraft(form, key)) {
        say(form, form.getAttribute("data-draft-saved"));
      }
    }));
    // Kept as the citizen types, so that a closed tab loses nothing.
    form.addEventListener("change", function () {
      saveDraft(form, key);
    });
  }

  function init() {
    var sent = document.querySelector("[data-civicreport-sent]");
    if (sent) {
      var store = storage();
      if (store) {
        store.removeItem(sent.getAttribute("data-civicreport-sent"));
      }
    }
    var form = document.getElementById("civicreport-form");
    if (!form) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var pressed = event.submitter && event.submitter.name;
      if ((pressed === "form.buttons.next" || pressed === "form.buttons.send") && !checkStep(form)) {
        event.preventDefault();
      }
    });
    setupDrafts(form);
    var first = document.getElementById("civicreport-errors") || document.getElementById("civicreport-notice");
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
