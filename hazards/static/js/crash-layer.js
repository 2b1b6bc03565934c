// The supervisor's map: the crash layer (事故), off until switched on in the layer control. Loads the
// crashes of the box in view and the period chosen in the legend as the map moves; crashes are small
// and muted, fatal ones (deaths > 0) red, larger and drawn above them; crowded views come as the
// server's grid clusters, ringed red when they hold a fatal crash. A click shows the crash as text.
(function () {
  var cfg = document.getElementById("crash-layer-config");
  var hazardCfg = document.getElementById("hazard-map-config");
  var map = cfg && hazardCfg && window[hazardCfg.dataset.mapName];
  if (!map || !map.layerControl) return;
  var legend = document.getElementById("crash-legend");
  var note = document.getElementById("crash-note");
  var from = document.getElementById("crash-from");
  var to = document.getElementById("crash-to");
  var t = cfg.dataset;

  // Above the shaded divisions (else they would take the crashes' clicks), fatal crashes above the others.
  map.createPane("crashes").style.zIndex = 410;
  map.createPane("crashes-fatal").style.zIndex = 420;
  var layer = L.featureGroup();
  map.layerControl.addOverlay(layer, t.layerName);

  // The stored UTC moment in the ledger's zone, as 2024-05-31 14:05 (Swedish dates are ISO-like).
  var when = new Intl.DateTimeFormat("sv-SE", { timeZone: t.zone, year: "numeric", month: "2-digit", day: "2-digit",
                                               hour: "2-digit", minute: "2-digit", hour12: false });
  function localTime(utc) { return utc ? when.format(new Date(utc.replace(" ", "T") + "Z")) : ""; }
  function stake(m) {
    if (m == null) return "";
    var rest = String(m % 1000);
    return "K" + Math.floor(m / 1000) + "+" + "000".slice(rest.length) + rest;
  }
  function row(box, label, value) {
    var div = document.createElement("div");
    var b = document.createElement("b");
    b.textContent = label + "：";
    div.appendChild(b);
    div.appendChild(document.createTextNode(value == null || value === "" ? "—" : String(value)));
    box.appendChild(div);
  }
  function details(p) {
    var box = document.createElement("div");
    box.className = "crash-popup";
    row(box, t.number, p.source_id);
    row(box, t.time, localTime(p.occurred_utc));
    row(box, t.place, [p.route_code, stake(p.stake_m)].filter(Boolean).join(" "));
    row(box, t.toll, p.deaths + " / " + p.injuries);
    row(box, t.form, p.form);
    return box;
  }

  function params() {
    var b = map.getBounds();
    var q = new URLSearchParams();
    q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    q.set("zoom", Math.floor(map.getZoom()));
    if (from.value) q.set("from", from.value);
    if (to.value) q.set("to", to.value);
    return q;
  }
  var generation = 0;
  function load() {
    if (!map.hasLayer(layer)) return;
    var mine = ++generation;
    note.textContent = t.loading;
    fetch(t.api + "?" + params().toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (mine !== generation) return;  // a newer view has been asked for meanwhile
        if (!data) { note.textContent = t.failed; return; }
        draw(data);
      });
  }
  function draw(data) {
    layer.clearLayers();
    var lines = [];
    if (data.clustered) {
      var total = 0;
      data.features.forEach(function (f) {
        var p = f.properties, size = 22 + Math.min(22, Math.round(Math.log(p.count) * 4));
        total += p.count;
        var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var label = HazardText.node(p.count);
        label.style.lineHeight = size + "px";
        var icon = L.divIcon({ className: "crash-cluster" + (p.fatal ? " has-fatal" : ""), html: label, iconSize: [size, size] });
        var marker = L.marker(ll, { icon: icon, pane: p.fatal ? "crashes-fatal" : "crashes" });
        marker.bindTooltip(HazardText.node(t.clusterTip.replace("{n}", p.count).replace("{fatal}", p.fatal).replace("{deaths}", p.deaths)));
        marker.on("click", function () { map.setView(ll, map.getZoom() + 2); });
        marker.addTo(layer);
      });
      lines.push(t.clustered.replace("{n}", total));
    } else {
      data.features.forEach(function (f) {
        var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var marker = p.fatal
          ? L.circleMarker(ll, { pane: "crashes-fatal", className: "crash-marker crash-fatal", radius: 6.5,
                                 color: "#3e0b0b", weight: 1.5, fillColor: "#b71c1c", fillOpacity: 0.95 })
          : L.circleMarker(ll, { pane: "crashes", className: "crash-marker", radius: 3.5,
                                 color: "#5f6670", weight: 0.8, fillColor: "#8d949c", fillOpacity: 0.7 });
        marker.feature = f;
        marker.bindPopup(details(p), { maxWidth: 260 });
        marker.addTo(layer);
      });
      lines.push(t.shown.replace("{n}", data.numberReturned));
    }
    // The inputs start empty (the server's default period); show which period that was.
    if (data.period && !from.value && !to.value) { from.value = data.period.from; to.value = data.period.to; }
    if (data.unplaced) lines.push(t.unplaced.replace("{n}", data.unplaced));
    note.textContent = lines.join(" ");
  }

  map.on("overlayadd", function (e) { if (e.layer === layer) { legend.hidden = false; load(); } });
  map.on("overlayremove", function (e) { if (e.layer === layer) { legend.hidden = true; generation++; layer.clearLayers(); } });
  var timer = null, popupPanned = false;
  // A popup near the edge pans the map; reloading then would close the popup just opened.
  map.on("autopanstart", function () { popupPanned = true; });
  map.on("moveend", function () {
    if (popupPanned) { popupPanned = false; return; }
    clearTimeout(timer); timer = setTimeout(load, 200);
  });
  [from, to].forEach(function (input) { input.addEventListener("change", load); });
})();
