// The supervisor's map: the crash-prone places (事故多发点段) found in the crash records, as a layer of
// its own switched on by a checkbox of its own (a small control under the zoom buttons, apart from
// the map's layer control). Loaded once, when first switched on, from
// /api/v1/crash-places (the division's places over the rule's period). Sections are drawn along
// their road, other places as a ring at their centre; places with deaths are drawn in the strong
// colour. Text from the ledger goes in as textContent only.
(function () {
  var cfg = document.getElementById("crash-places-layer-config");
  var mapCfg = document.getElementById("hazard-map-config");
  var map = cfg && mapCfg && window[mapCfg.dataset.mapName];
  if (!map || !window.L) return;
  var layer = L.featureGroup();
  var loaded = false;
  var Toggle = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("label", "leaflet-bar crash-places-toggle");
      var tick = L.DomUtil.create("input", "", box);
      tick.type = "checkbox";
      var words = document.createElement("span");
      words.textContent = " " + cfg.dataset.label;
      box.appendChild(words);
      L.DomEvent.disableClickPropagation(box);
      tick.addEventListener("change", function () {
        if (tick.checked) { layer.addTo(map); load(); } else { map.removeLayer(layer); }
      });
      return box;
    },
  });
  new Toggle().addTo(map);

  function summary(p) {
    var where = p.kind === "road" ? p.route_code + " " + p.stakes : cfg.dataset.around;
    return p.rank + ". " + where + " · " + p.division + " · " + cfg.dataset.counts
      .replace("{crashes}", p.crashes).replace("{deaths}", p.deaths).replace("{fatal}", p.fatal);
  }
  function popup(p) {
    var box = document.createElement("div");
    var line = document.createElement("div");
    line.textContent = summary(p);
    var link = document.createElement("a");
    link.href = cfg.dataset.page + "#place-" + p.rank;
    link.textContent = cfg.dataset.open;
    box.appendChild(line);
    box.appendChild(link);
    return box;
  }
  function draw(collection) {
    L.geoJSON(collection, {
      filter: function (f) { return !!f.geometry; },
      style: function (f) {
        return { color: f.properties.deaths ? "#7b1fa2" : "#ab47bc", weight: 8, opacity: 0.8, dashArray: "2 6", lineCap: "round" };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 11, weight: 3, fill: true, fillOpacity: 0.15,
                                        color: f.properties.deaths ? "#7b1fa2" : "#ab47bc" });
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(HazardText.node(summary(f.properties)));
        l.bindPopup(popup(f.properties));
      },
    }).addTo(layer);
  }
  function load() {
    if (loaded) return;
    loaded = true;
    fetch(cfg.dataset.api, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(draw)
      .catch(function () { loaded = false; });
  }
})();
