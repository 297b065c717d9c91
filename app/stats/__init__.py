"""The stats page and API: numbers (numbers.py), charts as inline SVG (charts.py), CSV."""
