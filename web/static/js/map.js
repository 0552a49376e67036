/* Results map (progressive enhancement): reads the markers from the result cards' data attributes, so the
   list stays the primary view and no data is inlined in a script. Re-drawn after every htmx swap. */
(function () {
  "use strict";
  var map = null;
  var layer = null;

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

  function popup(marker) {
    /* Built with DOM APIs and textContent: scraped names never become HTML. */
    var a = document.createElement("a");
    a.href = marker.url.charAt(0) === "/" ? marker.url : "#";
    a.textContent = marker.name;
    return a;
  }

  function draw() {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    if (!map) {
      /* The panel is hidden in the HTML so that pages without JavaScript show no empty map. */
      var panel = el.closest(".map-panel");
      if (panel) {
        panel.hidden = false;
        panel.parentNode.classList.add("with-map");
      }
      map = L.map(el, {scrollWheelZoom: false});
      L.tileLayer(el.getAttribute("data-tiles"), {
        maxZoom: 18, attribution: el.getAttribute("data-attribution") || ""
      }).addTo(map);
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    var markers = markersFromList();
    var bounds = [];
    for (var i = 0; i < markers.length; i++) {
      var m = L.marker([markers[i].lat, markers[i].lon], {title: markers[i].name, alt: markers[i].name});
      m.bindPopup(popup(markers[i]));
      m.addTo(layer);
      bounds.push([markers[i].lat, markers[i].lon]);
    }
    if (bounds.length) {
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
