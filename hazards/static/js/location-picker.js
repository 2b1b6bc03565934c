// The logging form's map: click for a point, or click along a road for a section; fills the form.
// Plain Leaflet served by the app. Coordinates go into the form as lon/lat (WGS-84).
(function () {
  var el = document.getElementById("picker");
  if (!el || !window.L) return;
  var center = (el.dataset.center || "104.20,35.90").split(",").map(Number);
  var map = L.map(el, { attributionControl: true }).setView([center[1], center[0]], 11);
  map.attributionControl.setPrefix(false);
  if (el.dataset.basemapUrl) {
    L.tileLayer(el.dataset.basemapUrl, {
      attribution: el.dataset.basemapAttribution || "",
      subdomains: el.dataset.basemapSubdomains || "abc",
      maxZoom: Number(el.dataset.maxZoom || 18),
    }).addTo(map);
  }
  // Our own layers: with no basemap, the boundaries and roads are what an inspector recognises.
  function overlay(url, style, tooltip) {
    if (!url) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        L.geoJSON(data, {
          style: function () { return style; },
          onEachFeature: function (f, layer) { layer.bindTooltip(HazardText.node(tooltip(f.properties)), { sticky: true }); },
        }).addTo(map);
      });
  }
  overlay(el.dataset.boundaries, { color: "#5b6875", weight: 1, fillOpacity: 0.04 }, function (p) { return p.name; });
  overlay(el.dataset.roads, { color: "#8a939c", weight: 3, opacity: 0.9 },
          function (p) { return p.route + " " + (p.name || ""); });
  var lon = document.getElementById("lon"), lat = document.getElementById("lat");
  var wkt = document.getElementById("geometry_wkt");
  var crs = document.querySelector("select[name=crs]");
  var marker = null, line = null, vertices = [];
  var extent = (el.dataset.extent || "73.4,18.0,135.1,53.6").split(",").map(Number);
  var routeField = document.getElementById("route_code"), stakesField = document.getElementById("stakes");
  var roadStatus = document.getElementById("road-status");
  var roadFromTap = false;  // route and stake were filled by a tap, so the next tap may replace them
  // The marks are not interactive: a tap on one goes to the map and places the point again.
  function place(la, lo) {
    if (marker) { map.removeLayer(marker); }
    marker = L.circleMarker([la, lo], { radius: 8, color: "#b3261e", weight: 3, interactive: false }).addTo(map);
  }

  function mode() { return document.querySelector("input[name=draw_mode]:checked").value; }
  function clear() {
    if (marker) { map.removeLayer(marker); marker = null; }
    if (line) { map.removeLayer(line); line = null; }
    vertices = [];
  }
  document.querySelectorAll("input[name=draw_mode]").forEach(function (r) {
    r.addEventListener("change", function () { clear(); wkt.value = ""; });
  });
  // A point tapped on a known road: its route code and stake go into the form, unless typed by hand.
  function typedByHand() { return !roadFromTap && (routeField.value || stakesField.value); }
  function fillRoad(x, y) {
    if (!el.dataset.nearest || !routeField || !stakesField || typedByHand()) return;
    fetch(el.dataset.nearest + "?lon=" + x + "&lat=" + y, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (road) {
        if (typedByHand()) return;
        if (!road) {
          if (roadFromTap) { routeField.value = ""; stakesField.value = ""; }
          if (roadStatus) roadStatus.textContent = roadStatus.dataset.none || "";
          return;
        }
        routeField.value = road.route_code; stakesField.value = road.stake; roadFromTap = true;
        if (roadStatus) roadStatus.textContent = (roadStatus.dataset.filled || "") + road.route_code + " " + road.stake;
      })
      .catch(function () {});
  }
  [routeField, stakesField].forEach(function (f) {
    if (f) f.addEventListener("input", function () { roadFromTap = false; if (roadStatus) roadStatus.textContent = ""; });
  });
  map.on("click", function (e) {
    var x = e.latlng.lng.toFixed(6), y = e.latlng.lat.toFixed(6);
    if (crs) crs.value = "wgs84";
    if (mode() === "point") {
      clear();
      place(e.latlng.lat, e.latlng.lng);
      lon.value = x; lat.value = y; wkt.value = "";
      showSwap(false);
      fillRoad(x, y);
      return;
    }
    vertices.push([e.latlng.lng, e.latlng.lat]);
    if (line) map.removeLayer(line);
    line = L.polyline(vertices.map(function (v) { return [v[1], v[0]]; }), { color: "#b3261e", weight: 5, interactive: false }).addTo(map);
    lon.value = ""; lat.value = "";
    wkt.value = vertices.length > 1
      ? "LINESTRING(" + vertices.map(function (v) { return v[0].toFixed(6) + " " + v[1].toFixed(6); }).join(", ") + ")"
      : "";
  });

  // The phone's own position (GPS works without a network; browsers allow it on HTTPS and localhost).
  var here = document.getElementById("use-my-position");
  if (here) {
    var hereStatus = document.getElementById("my-position-status");
    if (!navigator.geolocation) { here.disabled = true; hereStatus.textContent = here.dataset.unavailable; }
    here.addEventListener("click", function () {
      hereStatus.textContent = here.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lo = pos.coords.longitude.toFixed(6), la = pos.coords.latitude.toFixed(6);
        clear();
        lon.value = lo; lat.value = la; wkt.value = ""; if (crs) crs.value = "wgs84";  // browsers give WGS-84
        marker = L.circleMarker([Number(la), Number(lo)], { radius: 8, color: "#b3261e", weight: 3, interactive: false }).addTo(map);
        map.setView([Number(la), Number(lo)], 16);
        hereStatus.textContent = lo + ", " + la + " (±" + Math.round(pos.coords.accuracy) + " m)";
      }, function () {
        hereStatus.textContent = here.dataset.unavailable;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  var button = document.getElementById("use-photo-gps");
  if (button) {
    button.addEventListener("click", function () {
      var file = document.getElementById("photos").files[0];
      var status = document.getElementById("photo-gps-status");
      if (!file) { status.textContent = button.dataset.noFile || "…"; return; }
      var body = new FormData();
      body.append("photo", file);
      var token = document.querySelector("input[name=csrf_token]").value;
      fetch(button.dataset.url, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.error) { status.textContent = data.error; return; }
          clear();
          lon.value = data.lon; lat.value = data.lat; wkt.value = ""; if (crs) crs.value = "wgs84";
          marker = L.circleMarker([data.lat, data.lon], { radius: 8, color: "#b3261e", weight: 3, interactive: false }).addTo(map);
          map.setView([data.lat, data.lon], 15);
          status.textContent = data.lon + ", " + data.lat;
        });
    });
  }

  // Typed or pasted coordinates: a pair pasted into one field is split (in the order that lies in the
  // ledger's area), the marker follows what is typed, and a swapped pair is offered to swap in one tap.
  var swapOffer = document.getElementById("swap-offer"), swapButton = document.getElementById("swap-lonlat");
  function number(text) {
    var t = String(text || "").trim();
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  }
  function inside(x, y) { return x >= extent[0] && x <= extent[2] && y >= extent[1] && y <= extent[3]; }
  function showSwap(on) { if (swapOffer) swapOffer.hidden = !on; }
  function splitPair(field, other) {
    if (other.value.trim()) return;
    var parts = field.value.trim().split(/\s*[,，、;；]\s*|\s+/).filter(Boolean);
    if (parts.length !== 2 || isNaN(number(parts[0])) || isNaN(number(parts[1]))) return;
    var a = number(parts[0]), b = number(parts[1]);
    if (!inside(a, b) && inside(b, a)) { var t = parts[0]; parts[0] = parts[1]; parts[1] = t; }
    lon.value = parts[0]; lat.value = parts[1];
  }
  var followed = "";
  function follow() {
    var x = number(lon.value), y = number(lat.value);
    if (lon.value + "," + lat.value === followed) return;  // "change" after "input": already there
    followed = lon.value + "," + lat.value;
    if (isNaN(x) || isNaN(y)) { showSwap(false); return; }
    if (!inside(x, y)) { showSwap(inside(y, x)); return; }
    showSwap(false);
    clear(); wkt.value = "";
    place(y, x);
    map.setView([y, x], Math.max(map.getZoom(), 14));
  }
  [[lon, lat], [lat, lon]].forEach(function (pair) {
    pair[0].addEventListener("input", function () { splitPair(pair[0], pair[1]); follow(); });
    pair[0].addEventListener("change", follow);
  });
  if (swapButton) {
    swapButton.addEventListener("click", function () {
      var t = lon.value; lon.value = lat.value; lat.value = t;
      follow();
    });
  }
  if (lon.value && lat.value) follow();
})();
