"""Bundled DejaVu Sans fonts (full Vietnamese coverage); see LICENSE. Package for package-data."""
