"""Spreadsheet intake: read, find the header, detect the kind, map, normalise, validate, load."""

from imports.kinds import Kind
from imports.pipeline import import_files, inspect_file, save_mapping_profile
from imports.results import FieldChoice, FilePreview, FileResult, RejectedRow
from imports.service import ImportRequest, run_imports, undo_import

__all__ = [
    "FieldChoice",
    "FilePreview",
    "FileResult",
    "ImportRequest",
    "Kind",
    "RejectedRow",
    "import_files",
    "inspect_file",
    "run_imports",
    "save_mapping_profile",
    "undo_import",
]
