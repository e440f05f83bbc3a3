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


class WorkerStoppedError(ExclusionMonitorError):
    """A worker process of a long job ended without finishing (killed, or out of memory); the
    job's transaction was rolled back."""


class RuleFilesChangedError(ExclusionMonitorError):
    """An admin's code-list or rule file changed while flags were being worked out from it."""


class OperationCancelled(ExclusionMonitorError):
    """The person cancelled a long operation; whatever it was writing has been rolled back."""


def user_message(exc: BaseException, *, program: str, log_file: object) -> str:
    """The sentence a person is shown for an error, by the desktop app and the command line
    alike: a deliberate refusal's own sentence; for anything else, that it was not expected and
    where the details are (never the exception's own text, which could quote a cell's value)."""
    if isinstance(exc, ExclusionMonitorError):
        return str(exc)
    return (
        f"Something went wrong that {program} did not expect. Work saved before this is safe. "
        f"The details are in {log_file}; if it happens again, send that file to your IT support."
    )


def worth_retrying(exc: BaseException) -> bool:
    """Whether the database could not be used now (busy, stopped, unreachable, disk full) and
    the same request may work later: exit code 3 on the command line."""
    return isinstance(exc, DatabaseWriteError | DatabaseUnavailableError)
