/* Moderation: one click replaces a piece of personal data with [omissis],
 * and a chosen rejection reason becomes an editable text. */
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
    var reason = document.getElementById("civicreport-reason");
    var reasonText = document.getElementById("civicreport-reason-text");
    if (reason && reasonText) {
      reason.addEventListener("change", function () {
        reasonText.value = reason.value;
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
