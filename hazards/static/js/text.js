// Data from the ledger is shown as text, never parsed as markup: Leaflet treats a string given to
// bindTooltip/bindPopup as HTML, so tooltips get an element whose textContent holds the words.
window.HazardText = {
  node: function (text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  },
};
