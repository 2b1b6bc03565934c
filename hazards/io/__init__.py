"""Import and export of hazard ledgers: CSV, XLSX and GeoJSON."""
