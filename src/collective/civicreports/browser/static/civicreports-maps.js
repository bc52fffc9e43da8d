/* Maps of collective.civicreports: the place of a report, and the map of
 * the public reports. Every map is an addition: the same facts are written
 * in the page, so nothing depends on JavaScript, tiles or a mouse.
 *
 * Loaded with "defer"; Leaflet (and its clustering plugin, for the map of
 * the reports) is fetched only on a page that has a map, after the page is
 * parsed: the text of the page is painted without waiting for 190 kB of
 * map code. The maps' boxes have their size in civicreports.css, so the
 * map's arrival moves nothing. */
(function () {
  "use strict";

  var BASE = (document.currentScript && document.currentScript.src || "").replace(/[^/]*$/, "");
  var LEAFLET = [
    { css: "vendor/leaflet/leaflet.css" },
    { js: "vendor/leaflet/leaflet.js" }
  ];
  var CLUSTER = [
    { css: "vendor/markercluster/MarkerCluster.css" },
    { css: "vendor/markercluster/MarkerCluster.Default.css" },
    { js: "vendor/markercluster/leaflet.markercluster.js" }
  ];
  var loaded = {};

  function fetchPart(part) {
    var url = BASE + (part.js || part.css);
    if (!loaded[url]) {
      loaded[url] = new Promise(function (resolve) {
        var node;
        if (part.js) {
          node = document.createElement("script");
          node.src = url;
          // In order: the plugin runs after Leaflet.
          node.async = false;
        } else {
          node = document.createElement("link");
          node.rel = "stylesheet";
          node.href = url;
        }
        // A part that fails leaves the page as it is: the map is optional.
        node.onload = node.onerror = function () {
          resolve();
        };
        document.head.appendChild(node);
      });
    }
    return loaded[url];
  }

  function whenLoaded(parts, callback) {
    Promise.all(parts.map(fetchPart)).then(function () {
      if (typeof L !== "undefined") {
        callback();
      }
    });
  }

  // Leaflet, then callback(); with cluster, the clustering plugin too.
  function ready(callback, cluster) {
    whenLoaded(LEAFLET, function () {
      if (cluster) {
        whenLoaded(CLUSTER, callback);
      } else {
        callback();
      }
    });
  }

  var STATE_COLOURS = {
    approved: "#b35900",
    assigned: "#0b5cad",
    closed: "#2b7a3a"
  };

  function settings(element) {
    try {
      return JSON.parse(element.getAttribute("data-map"));
    } catch (error) {
      return { center: [41.9, 12.5], zoom: 6, tiles: "", attribution: "" };
    }
  }

  function outOfTabOrder(element) {
    // The maps are hidden from assistive technology, which gets the same
    // facts as text: nothing inside them may take the keyboard focus.
    function update() {
      element.setAttribute("tabindex", "-1");
      element.querySelectorAll("a, button, input, [tabindex]").forEach(function (node) {
        if (node.getAttribute("tabindex") !== "-1") {
          node.setAttribute("tabindex", "-1");
        }
      });
    }
    update();
    new MutationObserver(update).observe(element, { childList: true, subtree: true });
  }

  function baseMap(element, options) {
    var config = settings(element);
    options = options || {};
    if (element.getAttribute("aria-hidden") === "true") {
      options.keyboard = false;
    }
    var map = L.map(element, options).setView(config.center, config.zoom);
    if (element.getAttribute("aria-hidden") === "true") {
      outOfTabOrder(element);
    }
    if (config.tiles) {
      // Offline or blocked tiles leave a grey map: markers still work.
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function marker(latlng, state) {
    return L.circleMarker(latlng, {
      radius: 8,
      color: "#ffffff",
      weight: 2,
      fillColor: STATE_COLOURS[state] || "#555555",
      fillOpacity: 1
    });
  }

  function smallMap(element) {
    var latlng = [
      parseFloat(element.getAttribute("data-latitude")),
      parseFloat(element.getAttribute("data-longitude"))
    ];
    var map = baseMap(element, { scrollWheelZoom: false, keyboard: false });
    map.setView(latlng, 16);
    marker(latlng, element.getAttribute("data-state")).addTo(map);
  }

  // Several reports on one small map (the moderators' possible
  // duplicates); the page lists them too, the map only shows where.
  function pointsMap(element) {
    var points = JSON.parse(element.getAttribute("data-points"));
    var map = baseMap(element, { scrollWheelZoom: false, keyboard: false });
    var bounds = [];
    points.forEach(function (point) {
      var latlng = [point.latitude, point.longitude];
      bounds.push(latlng);
      marker(latlng, "submitted").bindTooltip(point.label).addTo(map);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 18 });
    }
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function reportsMap(element) {
    var map = baseMap(element);
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    map.addLayer(cluster);
    var url = element.getAttribute("data-geojson");
    var status = document.getElementById(element.getAttribute("data-status"));
    var pending = null;
    var timer = null;

    function load() {
      var bounds = map.getBounds();
      var bbox = [
        bounds.getWest().toFixed(6),
        bounds.getSouth().toFixed(6),
        bounds.getEast().toFixed(6),
        bounds.getNorth().toFixed(6)
      ].join(",");
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(url + separator + "bbox=" + bbox, {
        headers: { Accept: "application/json" },
        signal: pending.signal
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          var markers = data.features.map(function (feature) {
            var p = feature.properties;
            var c = feature.geometry.coordinates;
            return marker([c[1], c[0]], p.state).bindPopup(
              '<a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.tracking_number) +
                "</a><br>" + escapeHtml(p.title) + "<br>" + escapeHtml(p.category_title) +
                " &middot; " + escapeHtml(p.state_title)
            );
          });
          cluster.clearLayers();
          cluster.addLayers(markers);
          element.setAttribute("data-loaded", String(markers.length));
          if (status) {
            status.textContent = status.getAttribute("data-template").replace("{count}", markers.length);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && status) {
            status.textContent = status.getAttribute("data-error");
          }
        });
    }

    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 250);
    });
    load();
    element.civicreportsMap = map;
  }

  function fixToolbar() {
    // Plone's toolbar pins and unpins itself with links that have no href
    // but an aria-label, which WCAG forbids on a generic element: they are
    // buttons.
    document.querySelectorAll("#edit-bar a[aria-label]:not([href])").forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("tabindex", "0");
    });
    // On a phone the personal menu shows only its icon: its name (the
    // user's, hidden by the theme) is given to it as its label.
    var personal = document.getElementById("personaltools-menulink");
    if (personal && !personal.getAttribute("aria-label") && personal.textContent.trim()) {
      personal.setAttribute("aria-label", personal.textContent.trim());
    }
  }

  function init() {
    fixToolbar();
    var small = document.querySelectorAll(".civicreport-map-small[data-latitude]");
    var groups = document.querySelectorAll(".civicreport-map-points[data-points]");
    var reports = document.querySelectorAll(".civicreport-reports-map[data-geojson]");
    if (small.length) {
      ready(function () {
        small.forEach(smallMap);
      });
    }
    if (groups.length) {
      ready(function () {
        groups.forEach(pointsMap);
      });
    }
    if (reports.length) {
      ready(function () {
        reports.forEach(reportsMap);
      }, true);
    }
  }

  window.civicreportsMaps = { baseMap: baseMap, marker: marker, ready: ready };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
