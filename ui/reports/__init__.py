"""Rendering report data to files: Excel and CSV exports, PDF and printed pages."""
