"""Spreadsheet intake: read, find the header, detect the kind, map, normalise, validate, load."""
