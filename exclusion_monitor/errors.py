"""Typed errors: everything the app raises on purpose derives from ExclusionMonitorError.

The message of each error is a plain sentence fit to show to a user as it is.
"""


class ExclusionMonitorError(Exception):
    """Base for every error the app raises deliberately."""


class DatabaseError(ExclusionMonitorError):
    """The database cannot be opened or used."""


class NotOurDatabaseError(DatabaseError):
    """The file exists but is not an Exclusion Monitor database."""


class NewerSchemaError(DatabaseError):
    """The database was written by a newer version of the app."""


class DatabaseLocationError(DatabaseError):
    """The database is somewhere it must not be (for example a network share)."""


class DatabaseWriteError(DatabaseError):
    """A write failed (disk full, read-only file); earlier data is intact."""


class DatabaseBusyError(DatabaseWriteError):
    """Another writer (usually an import) held the database's write lock for the whole wait."""


class ConnectionLostError(DatabaseWriteError):
    """The connection to the database server broke during the work."""


class DatabaseUnavailableError(DatabaseError):
    """The database server could not be reached at all."""


class NoDatabaseError(DatabaseError):
    """There is no database at the place named (a command that only reads never creates one)."""


class OutputFileError(ExclusionMonitorError):
    """A file the app was asked to write cannot be written there (no such folder, a link, a
    database, not written completely); nothing was written and nothing was audited."""


class OutputExistsError(OutputFileError):
    """The output file already exists and replacing it was not asked for."""


class NotFoundError(ExclusionMonitorError):
    """A record that was asked for does not exist."""


class InvalidInputError(ExclusionMonitorError):
    """A value given by the user is not acceptable."""


class PermissionDeniedError(ExclusionMonitorError):
    """The current user's role does not allow the action."""


class DamagedDatabaseError(DatabaseError):
    """The database file fails SQLite's integrity checks; it is left exactly as it was."""


class OperationCancelled(ExclusionMonitorError):
    """The person cancelled a long operation; whatever it was writing has been rolled back."""
