"""The team database's password, kept in the operating system's credential store (Windows
Credential Manager, macOS Keychain, the Secret Service on Linux) through keyring.

The password is never written to a settings file or the log. When the store has none, libpq's own
sources still apply (PGPASSWORD, the .pgpass / pgpass.conf file, or no password at all for
Windows (SSPI) or Kerberos logins).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from exclusion_monitor.errors import DatabaseError

log = logging.getLogger(__name__)

SERVICE = "Exclusion Monitor"


def credential_key(url: sa.URL) -> str:
    """The name the password is kept under: `user@host/database` (`user@host:port/database`
    when the URL names a port)."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    port = f":{url.port}" if url.port else ""
    return f"{url.username or ''}@{host}{port}/{url.database or ''}"


def stored_password(url: sa.URL) -> str | None:
    """The password kept for this database, or None (no credential store, or none kept)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(SERVICE, credential_key(url))
        except KeyringError:
            log.info("no usable credential store; the password comes from libpq's own sources")
            return None
    except Exception:  # a broken keyring backend must not stop the app opening
        log.warning("reading the credential store failed", exc_info=True)
        return None


def store_password(url: sa.URL, password: str) -> str:
    """Keep `password` for this database in the credential store; returns the key it is under."""
    import keyring
    from keyring.errors import KeyringError

    key = credential_key(url)
    try:
        keyring.set_password(SERVICE, key, password)
    except KeyringError as exc:
        raise DatabaseError(
            f"The password could not be kept in this computer's credential store ({exc}). "
            "Ask IT support, or give the password through a pgpass file instead."
        ) from exc
    log.info("password for %s kept in the credential store", key)
    return key


def forget_password(url: sa.URL) -> bool:
    """Remove the kept password; False when there was none."""
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, credential_key(url))
    except PasswordDeleteError:
        return False
    return True
