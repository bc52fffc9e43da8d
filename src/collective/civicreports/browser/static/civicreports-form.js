/* The report form: steps one at a time, the map, the address search, "use
 * my position", and keeping what was typed across a login. Without this
 * script the form is a plain page that works the same. */
(function () {
  "use strict";

  var STORAGE_KEY = "civicreports-form";

  function $(form, selector) {
    return form.querySelector(selector);
  }

  function setupSteps(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".civicreport-step"));
    var progress = $(form, ".civicreport-progress");
    var hasErrors = !!document.getElementById("civicreport-errors");
    var hasQuestions = !!form.querySelector("#civicreport-nearby, #civicreport-photo-position");
    if (hasErrors || hasQuestions || steps.length < 2) {
      // After the server's answer every step stays open, errors in sight.
      var summary = document.getElementById("civicreport-errors");
      if (summary) {
        summary.focus();
      }
      fillReview(form);
      return;
    }
    var current = 0;
    steps.forEach(function (step, index) {
      var nav = document.createElement("div");
      nav.className = "civicreport-step-nav mt-3";
      if (index > 0) {
        nav.appendChild(button(form.getAttribute("data-back") || "Back", "btn btn-outline-secondary me-2", function () {
          show(index - 1);
        }));
      }
      if (index < steps.length - 1) {
        nav.appendChild(button(form.getAttribute("data-next") || "Next", "btn btn-primary", function () {
          show(index + 1);
        }));
      }
      step.appendChild(nav);
    });

    function show(index) {
      current = index;
      steps.forEach(function (step, i) {
        step.hidden = i !== index;
      });
      if (progress) {
        progress.textContent = progress.getAttribute("data-template")
          .replace("{step}", index + 1)
          .replace("{total}", steps.length);
      }
      if (steps[index].id === "civicreport-step-review") {
        fillReview(form);
      }
      var legend = steps[index].querySelector("legend");
      if (legend) {
        legend.setAttribute("tabindex", "-1");
        legend.focus();
      }
      form.dispatchEvent(new CustomEvent("civicreport:step", { detail: steps[index].id }));
    }
    show(current);
  }

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function addRow(review, label, value) {
    var dt = document.createElement("dt");
    dt.className = "col-sm-3";
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.className = "col-sm-9";
    dd.textContent = value || "\u2014";
    review.appendChild(dt);
    review.appendChild(dd);
  }

  function fillReview(form) {
    var review = $(form, ".civicreport-review");
    if (!review) {
      return;
    }
    review.innerHTML = "";
    var fields = [
      "civicreport-category",
      "civicreport-address",
      "civicreport-latitude",
      "civicreport-longitude",
      "civicreport-title",
      "civicreport-description",
      "civicreport-reporter-fullname",
      "civicreport-reporter-email"
    ];
    fields.forEach(function (id) {
      var input = document.getElementById(id);
      var label = form.querySelector('label[for="' + id + '"]');
      if (!input || !label) {
        return;
      }
      var value = input.tagName === "SELECT"
        ? (input.selectedOptions[0] ? input.selectedOptions[0].textContent : "")
        : input.value;
      addRow(review, label.textContent, value);
    });
    // The answers to the chosen category's extra questions.
    form.querySelectorAll(".civicreport-questions:not([disabled]):not([hidden]) .civicreport-question").forEach(function (question) {
      var shown = [];
      question.querySelectorAll("input, textarea, select").forEach(function (input) {
        if (input.type === "checkbox") {
          if (input.checked) {
            shown.push(input.labels[0] ? input.labels[0].textContent : input.value);
          }
        } else if (input.tagName === "SELECT") {
          if (input.value && input.selectedOptions[0]) {
            shown.push(input.selectedOptions[0].textContent);
          }
        } else if (input.value) {
          shown.push(input.value);
        }
      });
      addRow(review, question.getAttribute("data-label"), shown.join(", "));
    });
    review.hidden = false;
  }

  // Only the chosen category's extra questions are shown, and sent: a
  // disabled fieldset sends nothing.
  function setupQuestions(form) {
    var select = $(form, "#civicreport-category");
    var groups = form.querySelectorAll(".civicreport-questions");
    if (!select || !groups.length) {
      return;
    }
    function update() {
      groups.forEach(function (group) {
        var chosen = group.getAttribute("data-category") === select.value;
        group.hidden = !chosen;
        group.disabled = !chosen;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function setupLogin(form) {
    var select = $(form, "#civicreport-category");
    var notice = $(form, ".civicreport-login-needed");
    function update() {
      var option = select.selectedOptions[0];
      if (notice) {
        notice.hidden = !(option && option.getAttribute("data-login"));
      }
    }
    if (select) {
      select.addEventListener("change", update);
      update();
    }
    // Keep what was typed while the citizen logs in, and put it back.
    form.querySelectorAll(".civicreport-login-link").forEach(function (link) {
      link.addEventListener("click", function () {
        var data = {};
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name && el.type !== "file" && el.type !== "hidden" && el.name !== "website") {
            data[el.name] = el.type === "checkbox" ? el.checked : el.value;
          }
        });
        try {
          window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(data));
        } catch (error) {
          /* private mode: nothing kept */
        }
      });
    });
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (error) {
      saved = null;
    }
    if (saved) {
      Object.keys(saved).forEach(function (name) {
        var el = form.elements[name];
        if (!el || el.length > 1 && !el.tagName) {
          return;
        }
        if (el.type === "checkbox") {
          el.checked = !!saved[name];
        } else if (!el.value) {
          el.value = saved[name];
        }
      });
      update();
    }
  }

  function setupMap(form) {
    // Leaflet comes after the page (civicreports-maps.js): the map joins
    // the form when it is there, at whatever step the citizen is.
    if (document.getElementById("civicreport-form-map") && window.civicreportsMaps) {
      window.civicreportsMaps.ready(function () {
        makeMap(form);
      });
    }
  }

  function makeMap(form) {
    var element = document.getElementById("civicreport-form-map");
    var tools = $(form, ".civicreport-map-tools");
    var message = $(form, ".civicreport-map-message");
    var lat = $(form, "#civicreport-latitude");
    var lon = $(form, "#civicreport-longitude");
    var address = $(form, "#civicreport-address");
    var results = $(form, ".civicreport-geocoder-results");
    var geocoder = form.getAttribute("data-geocoder");
    element.hidden = false;
    tools.hidden = false;
    element.setAttribute("data-map", form.getAttribute("data-map"));
    var map = window.civicreportsMaps.baseMap(element);
    var pin = null;

    function say(text) {
      message.textContent = text || "";
    }

    function place(latlng, zoom) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = L.marker(latlng, { draggable: true }).addTo(map);
        pin.on("dragend", function () {
          place(pin.getLatLng());
        });
      }
      if (zoom) {
        map.setView(latlng, zoom);
      }
    }

    function fromInputs() {
      var a = parseFloat(lat.value);
      var b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b)) {
        place(L.latLng(a, b), 17);
      }
    }

    map.on("click", function (event) {
      place(event.latlng);
    });
    lat.addEventListener("change", fromInputs);
    lon.addEventListener("change", fromInputs);
    fromInputs();
    form.addEventListener("civicreport:step", function (event) {
      if (event.detail === "civicreport-step-place") {
        map.invalidateSize();
      }
    });

    $(form, ".civicreport-clear-position").addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      if (pin) {
        map.removeLayer(pin);
        pin = null;
      }
    });

    $(form, ".civicreport-my-position").addEventListener("click", function () {
      if (!navigator.geolocation) {
        say(message.getAttribute("data-position-error"));
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          say("");
          place(L.latLng(position.coords.latitude, position.coords.longitude), 17);
        },
        function () {
          say(message.getAttribute("data-position-error"));
        },
        { timeout: 10000 }
      );
    });

    var search = $(form, ".civicreport-search-address");
    if (!geocoder) {
      search.hidden = true;
      return;
    }
    search.addEventListener("click", function () {
      var query = address.value.trim();
      results.innerHTML = "";
      if (!query) {
        address.focus();
        return;
      }
      var controller = new AbortController();
      var timer = window.setTimeout(function () {
        controller.abort();
      }, 8000);
      var separator = geocoder.indexOf("?") === -1 ? "?" : "&";
      fetch(geocoder + separator + "format=json&limit=5&q=" + encodeURIComponent(query), {
        signal: controller.signal,
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (found) {
          window.clearTimeout(timer);
          if (!found.length) {
            say(message.getAttribute("data-no-results"));
            return;
          }
          say("");
          found.forEach(function (item) {
            var li = document.createElement("li");
            li.appendChild(button(item.display_name, "btn btn-link p-0 text-start", function () {
              place(L.latLng(parseFloat(item.lat), parseFloat(item.lon)), 17);
              results.innerHTML = "";
            }));
            results.appendChild(li);
          });
        })
        .catch(function () {
          window.clearTimeout(timer);
          say(message.getAttribute("data-geocoder-error"));
        });
    });
  }

  function init() {
    var form = document.getElementById("civicreport-form");
    if (!form) {
      return;
    }
    setupLogin(form);
    setupQuestions(form);
    setupMap(form);
    setupSteps(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
