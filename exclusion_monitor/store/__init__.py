"""The store: every line of SQL in the app lives in this package (SQLAlchemy Core)."""

from exclusion_monitor.store.database import Database, open_database

__all__ = ["Database", "open_database"]
