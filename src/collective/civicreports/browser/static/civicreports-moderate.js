/* Moderation: one click replaces a piece of personal data with [omissis],
 * a chosen rejection reason becomes an editable text, and the queue's
 * "all" box ticks every report of the page. */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll(".civicreport-omissis").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById("civicreport-moderate-" + button.getAttribute("data-field"));
        var text = button.getAttribute("data-text");
        if (field) {
          field.value = field.value.split(text).join("[omissis]");
          button.disabled = true;
        }
      });
    });
    document.querySelectorAll("select[data-fills]").forEach(function (reason) {
      var reasonText = document.getElementById(reason.getAttribute("data-fills"));
      if (reasonText) {
        reason.addEventListener("change", function () {
          reasonText.value = reason.value;
        });
      }
    });
    document.querySelectorAll("input[data-ticks]").forEach(function (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        document.querySelectorAll("input[name='" + all.getAttribute("data-ticks") + "']").forEach(function (box) {
          box.checked = all.checked;
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
