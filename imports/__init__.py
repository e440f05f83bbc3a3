"""Spreadsheet intake: read, find the header, detect the kind, map, normalise, validate, load."""

from imports.kinds import Kind
from imports.pipeline import import_files, inspect_file, save_mapping_profile
from imports.results import FieldChoice, FilePreview, FileResult, RejectedRow

__all__ = [
    "FieldChoice",
    "FilePreview",
    "FileResult",
    "Kind",
    "RejectedRow",
    "import_files",
    "inspect_file",
    "save_mapping_profile",
]
