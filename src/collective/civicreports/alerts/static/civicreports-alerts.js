/* The map of the alerts' form: a click sets the point's coordinates and
 * the circle shows the distance chosen. An addition only: the coordinates
 * are typed fields, and the form is sent as plain HTML. Loaded after
 * civicreports-maps.js, whose loader and base map it reuses. */
(function () {
  "use strict";

  function init() {
    var element = document.getElementById("civicreport-alerts-map");
    var form = document.getElementById("civicreport-alerts-form");
    if (!element || !form || !window.civicreportsMaps) {
      return;
    }
    window.civicreportsMaps.ready(function () {
      setup(form, element);
    });
  }

  function setup(form, element) {
    var lat = document.getElementById("civicreport-alerts-latitude");
    var lon = document.getElementById("civicreport-alerts-longitude");
    var distance = document.getElementById("civicreport-alerts-distance");
    var message = form.querySelector(".civicreport-map-message");
    var tools = form.querySelector(".civicreport-map-tools");
    element.hidden = false;
    tools.hidden = false;
    var map = window.civicreportsMaps.baseMap(element);
    var pin = null;
    var circle = null;

    function radius() {
      return parseInt(distance.value, 10) || 500;
    }

    function show(latlng, zoom) {
      if (pin) {
        pin.setLatLng(latlng);
        circle.setLatLng(latlng);
      } else {
        pin = L.marker(latlng, { draggable: true, keyboard: false }).addTo(map);
        circle = L.circle(latlng, { radius: radius(), weight: 1 }).addTo(map);
        pin.on("dragend", function () {
          place(pin.getLatLng());
        });
      }
      if (zoom) {
        map.fitBounds(circle.getBounds());
      }
    }

    function place(latlng, zoom) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      show(latlng, zoom);
    }

    function clear() {
      if (pin) {
        map.removeLayer(pin);
        map.removeLayer(circle);
        pin = circle = null;
      }
    }

    function fromInputs() {
      var a = parseFloat(lat.value);
      var b = parseFloat(lon.value);
      if (isNaN(a) || isNaN(b) || Math.abs(a) > 90 || Math.abs(b) > 180) {
        clear();
        return;
      }
      show(L.latLng(a, b), true);
    }

    map.on("click", function (event) {
      place(event.latlng);
    });
    lat.addEventListener("change", fromInputs);
    lon.addEventListener("change", fromInputs);
    distance.addEventListener("change", function () {
      if (circle) {
        circle.setRadius(radius());
        map.fitBounds(circle.getBounds());
      }
    });
    form.querySelector(".civicreport-clear-position").addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      clear();
    });
    form.querySelector(".civicreport-my-position").addEventListener("click", function () {
      if (!navigator.geolocation) {
        message.textContent = message.getAttribute("data-position-error");
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          message.textContent = "";
          place(L.latLng(position.coords.latitude, position.coords.longitude), true);
        },
        function () {
          message.textContent = message.getAttribute("data-position-error");
        },
        { timeout: 10000 }
      );
    });
    fromInputs();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
