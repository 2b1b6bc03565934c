// The supervisor's map: loads hazards for the box in view as the user pans and zooms, draws them
// by status (overdue stands out) and supervision level, shades the divisions by the completion
// report's rate for the filters chosen, opens popups on demand, and keeps the filters in the URL so
// a view can be shared.
(function () {
  var cfg = document.getElementById("hazard-map-config");
  var map = cfg && window[cfg.dataset.mapName];
  if (!map) return;
  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  var shell = document.getElementById("map-shell");
  var styles = JSON.parse(cfg.dataset.styles);
  var narrow = window.matchMedia("(max-width: 600px)").matches;

  // On a phone the filters and the legend start folded, so the map keeps the screen.
  if (narrow) {
    document.getElementById("map-filter-box").open = false;
    document.getElementById("map-legend").open = false;
  }
  // The map fills the window below the header and filters, so its bottom edge (the scale) is in view.
  function fit() {
    var top = shell.getBoundingClientRect().top + window.scrollY;
    shell.style.height = Math.max(300, window.innerHeight - top) + "px";
    map.invalidateSize();
  }
  window.addEventListener("resize", fit);
  document.getElementById("map-filter-box").addEventListener("toggle", fit);
  fit();
  // Open on the whole division at the map's final size.
  if (cfg.dataset.bounds) {
    var b = JSON.parse(cfg.dataset.bounds);
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
  }

  var shading = L.featureGroup();
  var labels = L.layerGroup();
  var completion = L.layerGroup([shading, labels]).addTo(map);
  var hazards = L.featureGroup().addTo(map);
  var heat = L.heatLayer ? L.heatLayer([], { radius: 22, blur: 18, maxZoom: 14 }) : null;
  var overlays = {};
  overlays[cfg.dataset.layerCompletion] = completion;
  var roads = cfg.dataset.roadsName && window[cfg.dataset.roadsName];
  if (roads) overlays[cfg.dataset.layerRoads] = roads;
  overlays[cfg.dataset.layerHazards] = hazards;
  if (heat) overlays[cfg.dataset.layerHeat] = heat;
  // Other layers' scripts (crash-layer.js) add themselves to this control.
  map.layerControl = L.control.layers(null, overlays, { collapsed: narrow }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);  // kilometres: the roads' own unit

  var LEVEL_WEIGHT = { ministry: 3, province: 3, city: 2.5, county: 1.5, none: 1 };
  function colour(p) {
    if (p.overdue) return styles.colours.overdue;
    return styles.colours[styles.status_style[p.status]] || styles.colours.listed;
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

  // ---- the divisions' completion shading, reloaded when the filters change ----
  function line(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div;
  }
  function countyTooltip(p) {
    var box = document.createElement("div");
    var name = line(p.name);
    name.style.fontWeight = "600";
    box.appendChild(name);
    box.appendChild(line(cfg.dataset.rate + " " + p.rate_text + (p.rank ? " · " + cfg.dataset.rank + " " + p.rank : "")));
    box.appendChild(line(cfg.dataset.closed + " " + p.closed + " / " + cfg.dataset.onList + " " + p.total));
    box.appendChild(line(cfg.dataset.overdue + " " + p.overdue));
    return box;
  }
  function countyLabel(p) {
    var box = document.createElement("div");
    box.appendChild(line(p.name));
    box.appendChild(line(p.rate_text)).className = "rate";
    return box;
  }
  // Zoomed far out the names alone fit; the rates come back as the user zooms in.
  function compactLabels() { map.getContainer().classList.toggle("compact-labels", map.getZoom() < 8); }
  map.on("zoomend", compactLabels);
  compactLabels();
  var shadingGeneration = 0;
  function loadShading() {
    var params = filterParams();
    var mine = ++shadingGeneration;
    fetch(cfg.dataset.completion + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || mine !== shadingGeneration) return;
        shading.clearLayers();
        labels.clearLayers();
        document.getElementById("map-shading-caption").textContent = data.caption;
        L.geoJSON(data, {
          style: function (f) { return { fillColor: f.properties.fill, color: "#6b6785", weight: 1.2, fillOpacity: 0.6 }; },
          onEachFeature: function (f, layer) { layer.bindTooltip(countyTooltip(f.properties), { sticky: true }); },
        }).addTo(shading);
        shading.bringToBack();
        data.features.forEach(function (f) {
          var at = f.properties.label_at;
          L.tooltip({ permanent: true, direction: "center", className: "county-label", interactive: false })
            .setLatLng([at[1], at[0]]).setContent(countyLabel(f.properties)).addTo(labels);
        });
      });
  }

  // ---- the hazards in view ----
  var generation = 0;
  function load() {
    var b = map.getBounds();
    var params = filterParams();
    shareInUrl(params);
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    params.set("zoom", Math.floor(map.getZoom()));  // the server's clusters work in whole zoom levels
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
      // Overdue ones last, so no other marker hides them.
      data.features.sort(function (a, b) { return (a.properties.overdue ? 1 : 0) - (b.properties.overdue ? 1 : 0); });
      L.geoJSON(data, {
        pointToLayer: function (f, ll) {
          var p = f.properties;
          if (p.status !== "closed") heatPoints.push([ll.lat, ll.lng, 0.6]);
          return L.circleMarker(ll, { radius: styles.radius[p.level] || 6, color: "#1d2733", weight: LEVEL_WEIGHT[p.level] || 1,
                                      fillColor: colour(p), fillOpacity: 0.92 });
        },
        style: function (f) { return { color: colour(f.properties), weight: 4 + (LEVEL_WEIGHT[f.properties.level] || 1), opacity: 0.95 }; },
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
  form.addEventListener("change", function () { load(); loadShading(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); loadShading(); });
  load();
  loadShading();
})();
