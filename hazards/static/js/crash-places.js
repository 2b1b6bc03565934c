// The crash-prone places page: each place's small map, drawn when it scrolls into view, with the
// place (its road section or centre) and its crashes; fatal crashes larger and red. Text from the
// ledger goes in as textContent only (HazardText).
(function () {
  var cfg = document.getElementById("crash-places-config");
  if (!cfg || !window.L) return;
  var roads = null;
  function roadsOnce() {
    if (!roads) roads = fetch(cfg.dataset.roads, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    return roads;
  }
  function label(c) {
    var text = c.source_id + " · " + c.on + (c.form ? " · " + c.form : "");
    if (c.deaths) text += " · " + c.deaths + " " + cfg.dataset.dead;
    if (c.injuries) text += " · " + c.injuries + " " + cfg.dataset.injured;
    return HazardText.node(text);
  }
  function draw(el) {
    var data = JSON.parse(el.dataset.map);
    if (!data.place && !data.crashes.length) {
      var none = document.createElement("span");
      none.className = "no-map";
      none.textContent = cfg.dataset.noMap;
      el.appendChild(none);
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    if (cfg.dataset.basemapUrl) {
      L.tileLayer(cfg.dataset.basemapUrl, { attribution: cfg.dataset.basemapAttribution || "",
                                            subdomains: cfg.dataset.basemapSubdomains || "abc" }).addTo(map);
    }
    var group = L.featureGroup().addTo(map);
    if (data.place) {
      L.geoJSON(data.place, {
        style: function () { return { color: "#e0670b", weight: 7, opacity: 0.75 }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4, color: "#e0670b", weight: 2 }); },
      }).addTo(group);
    }
    // Fatal crashes last, so they are drawn over the others.
    data.crashes.slice().sort(function (a, b) { return a.deaths - b.deaths; }).forEach(function (c) {
      var fatal = c.deaths > 0;
      L.circleMarker([c.lat, c.lon], { radius: fatal ? 8 : 5, color: "#1d2733", weight: 1, fillOpacity: 0.9,
                                        fillColor: fatal ? "#b3261e" : "#2d6a8e" })
        .bindTooltip(label(c)).addTo(group);
    });
    map.fitBounds(group.getBounds().pad(0.4), { maxZoom: 16 });
    roadsOnce().then(function (geojson) {
      L.geoJSON(geojson, { style: function () { return { color: "#8a939c", weight: 3, opacity: 0.8 }; },
                           interactive: false }).addTo(map).bringToBack();
    });
  }
  var maps = document.querySelectorAll(".place-map");
  if (!("IntersectionObserver" in window)) { maps.forEach(draw); return; }
  var seen = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); } });
  }, { rootMargin: "200px" });
  maps.forEach(function (el) { seen.observe(el); });
})();
