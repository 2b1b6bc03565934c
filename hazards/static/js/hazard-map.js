// The supervisor's map: loads hazards for the box in view as the user pans and zooms, draws them
// by status (overdue stands out) and supervision level, opens popups on demand, and keeps the
// filters in the URL so a view can be shared.
(function () {
  var cfg = document.getElementById("hazard-map-config");
  var map = cfg && window[cfg.dataset.mapName];
  if (!map) return;
  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  var hazards = L.featureGroup().addTo(map);
  var heat = L.heatLayer ? L.heatLayer([], { radius: 22, blur: 18, maxZoom: 14 }) : null;
  var overlays = {};
  overlays[cfg.dataset.layerHazards] = hazards;
  if (heat) overlays[cfg.dataset.layerHeat] = heat;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  var LEVEL_RADIUS = { ministry: 10, province: 10, city: 8, county: 7, none: 5 };
  var LEVEL_WEIGHT = { ministry: 3, province: 3, city: 2.5, county: 1.5, none: 1 };
  function colour(p) {
    if (p.overdue) return "#b3261e";
    if (p.status === "closed") return "#1e7b34";
    if (p.status === "reported" || p.status === "verified") return "#8a96a3";
    return "#2d6a8e";
  }
  function filterParams() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) params.append(key, value); });
    return params;
  }
  function shareInUrl(params) {
    var url = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    window.history.replaceState(null, "", url);
  }
  function popupFor(id, layer) {
    layer.bindPopup("…", { maxWidth: 260 });
    layer.on("click", function () {
      fetch(cfg.dataset.popup.replace("/0/", "/" + id + "/"), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { layer.setPopupContent(html); });
    });
  }
  var generation = 0;
  function load() {
    var b = map.getBounds();
    var params = filterParams();
    shareInUrl(params);
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    params.set("zoom", map.getZoom());
    var mine = ++generation;
    status.textContent = cfg.dataset.loading;
    fetch(cfg.dataset.api + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== generation) return;  // a newer view has been asked for meanwhile
        draw(data);
      });
  }
  function draw(data) {
    hazards.clearLayers();
    var heatPoints = [];
    if (data.clustered) {
      var total = 0;
      data.features.forEach(function (f) {
        var n = f.properties.count, size = 26 + Math.min(24, Math.round(Math.log(n) * 4));
        total += n;
        var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var label = HazardText.node(n);
        label.style.lineHeight = size + "px";
        var icon = L.divIcon({ className: "cluster-icon" + (f.properties.overdue ? " has-overdue" : ""),
                               html: label, iconSize: [size, size] });
        L.marker(ll, { icon: icon }).on("click", function () { map.setView(ll, map.getZoom() + 2); }).addTo(hazards);
        heatPoints.push([ll[0], ll[1], Math.min(1, n / 50)]);
      });
      status.textContent = cfg.dataset.clustered.replace("{n}", total);
    } else {
      L.geoJSON(data, {
        pointToLayer: function (f, ll) {
          var p = f.properties;
          if (p.status !== "closed") heatPoints.push([ll.lat, ll.lng, 0.6]);
          return L.circleMarker(ll, { radius: LEVEL_RADIUS[p.level] || 6, color: "#1d2733", weight: LEVEL_WEIGHT[p.level] || 1,
                                      fillColor: colour(p), fillOpacity: 0.9 });
        },
        style: function (f) { return { color: colour(f.properties), weight: 4 + (LEVEL_WEIGHT[f.properties.level] || 1), opacity: 0.9 }; },
        onEachFeature: function (f, layer) { popupFor(f.properties.id, layer); layer.bindTooltip(HazardText.node(f.properties.code + " " + f.properties.title)); },
      }).addTo(hazards);
      status.textContent = cfg.dataset.shown.replace("{n}", data.numberReturned);
    }
    if (heat) heat.setLatLngs(heatPoints);
  }
  var timer = null, popupPanned = false;
  // A popup near the edge pans the map to fit; reloading then would redraw the layers and close
  // the popup the user just opened. The strip it reveals is loaded with the next real move.
  map.on("autopanstart", function () { popupPanned = true; });
  map.on("moveend", function () {
    if (popupPanned) { popupPanned = false; return; }
    clearTimeout(timer); timer = setTimeout(load, 200);
  });
  form.addEventListener("change", load);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();
