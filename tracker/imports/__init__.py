"""Records in: spreadsheets (CSV, XLSX) imported through the typed commands."""
