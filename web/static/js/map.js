/* Maps (progressive enhancement; vendored Leaflet, tiles from KDIR_TILE_URL only).

   - Results map (#map inside .map-panel on the search page): reads the markers from the result cards' data
     attributes, so the list stays the primary view and no data is inlined in a script. Re-drawn after every
     htmx swap.
   - Provider map (#map with data-point-lat / data-point-lon): one marker, small.

   When the map images (tiles) cannot load, the map says so in words (role=status) above it; the list or the
   address stays the main view. Without JavaScript the panel stays hidden. */
(function () {
  "use strict";
  var map = null;
  var layer = null;
  var DEFAULT_FALLBACK = "The map could not be loaded (its map images are unavailable). " +
    "The list of results is complete without it.";

  function markersFromList() {
    var items = document.querySelectorAll("#results li[data-lat][data-lon]");
    var out = [];
    for (var i = 0; i < items.length; i++) {
      var lat = parseFloat(items[i].getAttribute("data-lat"));
      var lon = parseFloat(items[i].getAttribute("data-lon"));
      if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        out.push({lat: lat, lon: lon, name: items[i].getAttribute("data-name") || "",
                  url: items[i].getAttribute("data-url") || "#"});
      }
    }
    return out;
  }

  function singlePoint(el) {
    var lat = parseFloat(el.getAttribute("data-point-lat"));
    var lon = parseFloat(el.getAttribute("data-point-lon"));
    if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      return {lat: lat, lon: lon, name: el.getAttribute("data-name") || "", url: null};
    }
    return null;
  }

  function popup(marker) {
    /* Built with DOM APIs and textContent: scraped names never become HTML. */
    if (!marker.url) {
      var span = document.createElement("span");
      span.textContent = marker.name;
      return span;
    }
    var a = document.createElement("a");
    a.href = marker.url.charAt(0) === "/" ? marker.url : "#";
    a.textContent = marker.name;
    return a;
  }

  function statusFor(el) {
    var panel = el.closest(".map-panel") || el.parentNode;
    var status = panel.querySelector(".map-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "map-status";
      status.setAttribute("role", "status");
      status.hidden = true;
      panel.insertBefore(status, panel.firstChild);  /* read before the map */
    }
    return status;
  }

  function watchTiles(tiles, el) {
    /* One failed tile while none has loaded: the tile server is unreachable (or refused). Say so, once. */
    var loaded = 0;
    var failed = false;
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("tileerror", function () {
      if (failed || loaded > 0) { return; }
      failed = true;
      var status = statusFor(el);
      status.textContent = el.getAttribute("data-fallback") || DEFAULT_FALLBACK;
      status.hidden = false;
      el.classList.add("map-failed");  /* the markers stay (their places relative to each other still tell) */
    });
  }

  function draw() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    var point = singlePoint(el);
    if (!map) {
      /* The panel is hidden in the HTML so that pages without JavaScript show no empty map. */
      var panel = el.closest(".map-panel");
      if (panel) {
        panel.hidden = false;
        if (!point) { panel.parentNode.classList.add("with-map"); }
      }
      map = L.map(el, {scrollWheelZoom: false});
      var tiles = L.tileLayer(el.getAttribute("data-tiles"), {
        maxZoom: 18, attribution: el.getAttribute("data-attribution") || ""
      });
      watchTiles(tiles, el);
      tiles.addTo(map);
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    var markers = point ? [point] : markersFromList();
    var bounds = [];
    for (var i = 0; i < markers.length; i++) {
      var m = L.marker([markers[i].lat, markers[i].lon], {title: markers[i].name, alt: markers[i].name});
      m.bindPopup(popup(markers[i]));
      m.addTo(layer);
      bounds.push([markers[i].lat, markers[i].lon]);
    }
    if (point) {
      map.setView([point.lat, point.lon], 14);
    } else if (bounds.length) {
      map.fitBounds(bounds, {padding: [30, 30], maxZoom: 12});
    } else {
      map.setView([39.5, -98.35], 3);
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  /* Back/forward: htmx restores the whole page, with a new, empty map element. */
  document.addEventListener("htmx:historyRestore", function () {
    if (map) { map.remove(); }
    map = null;
    layer = null;
    draw();
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    if (ev.target && ev.target.id === "results") { draw(); }
  });
}());
