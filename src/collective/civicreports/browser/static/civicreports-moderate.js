/* Moderation: one click replaces a piece of personal data with [omissis],
 * a chosen rejection reason or response template becomes an editable
 * text (the page does it without JavaScript too), and the queue's
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
          var option = reason.options[reason.selectedIndex];
          reasonText.value = option.getAttribute("data-text") || reason.value;
        });
      }
    });
    // The queue's area: the box the map shows, into the text field that
    // works without it.
    var queueMap = document.getElementById("queue-map");
    var useMap = document.querySelector("button[data-fills-bbox]");
    if (queueMap && useMap && window.civicreportsMaps) {
      window.civicreportsMaps.ready(function () {
        var map = window.civicreportsMaps.baseMap(queueMap, { scrollWheelZoom: false });
        useMap.hidden = false;
        useMap.addEventListener("click", function () {
          var b = map.getBounds();
          document.getElementById(useMap.getAttribute("data-fills-bbox")).value = [
            b.getWest().toFixed(6), b.getSouth().toFixed(6),
            b.getEast().toFixed(6), b.getNorth().toFixed(6)
          ].join(",");
        });
      });
    }
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
