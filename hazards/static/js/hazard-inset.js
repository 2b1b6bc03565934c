// The inset map on a hazard's page: its point or section, over the division boundaries.
(function () {
  var el = document.getElementById("inset");
  if (!el || !window.L) return;
  var map = L.map(el);
  map.attributionControl.setPrefix(false);
  if (el.dataset.basemapUrl) {
    L.tileLayer(el.dataset.basemapUrl, {
      attribution: el.dataset.basemapAttribution || "", subdomains: el.dataset.basemapSubdomains || "abc",
    }).addTo(map);
  }
  var get = function (url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }); };
  get(el.dataset.boundaries).then(function (data) {
    L.geoJSON(data, { style: function () { return { color: "#5b6875", weight: 1, fillOpacity: 0.04 }; } }).addTo(map);
  });
  // Roads give the inset its bearings when there is no basemap (an isolated intranet often has none).
  if (el.dataset.roads) {
    get(el.dataset.roads).then(function (data) {
      L.geoJSON(data, {
        style: function () { return { color: "#8a939c", weight: 3, opacity: 0.9 }; },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(HazardText.node(f.properties.route + " " + (f.properties.name || "")), { sticky: true });
        },
      }).addTo(map).bringToBack();
    });
  }
  get(el.dataset.geometryUrl).then(function (feature) {
    var layer = L.geoJSON(feature, {
      style: function () { return { color: "#b3261e", weight: 6 }; },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 3 }); },
    }).addTo(map);
    var b = layer.getBounds();
    if (feature.geometry.type === "Point") map.setView(b.getCenter(), 14); else map.fitBounds(b.pad(0.5));
  });
})();
