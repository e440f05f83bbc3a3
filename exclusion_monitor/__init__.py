"""Exclusion Monitor core: domain records, code lists, the store, histories, flags and reports."""

__version__ = "0.1.0"
APP_NAME = "Exclusion Monitor"
