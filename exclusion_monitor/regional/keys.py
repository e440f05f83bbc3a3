"""The region-wide pseudonym key (docs/regional.md, "The key"): a key file only the authorities
hold, a fingerprint that names a key without revealing it, and the pseudonym of a UPN.

pseudonym = the first 130 bits of HMAC-SHA-256(key, "upn:" + normalised UPN), in base32.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError

KEY_BYTES = 32
KEY_HEADER = "exclusion-monitor-regional-key 1"
PSEUDONYM_LENGTH = 26
PSEUDONYM_PATTERN = re.compile(r"^[A-Z2-7]{26}$")
_DOMAIN_UPN = b"upn:"
_DOMAIN_FINGERPRINT = b"exclusion-monitor regional key fingerprint:"
_MAX_KEY_FILE = 4096


@dataclass(frozen=True, slots=True)
class RegionalKey:
    """The secret key (never printed, logged or written into a return) and its region's name."""

    secret: bytes
    region: str
    created: str

    @property
    def fingerprint(self) -> str:
        """What a return records about its key: the same key always gives the same 16 hex
        characters, from which the key cannot be worked out."""
        return hashlib.sha256(_DOMAIN_FINGERPRINT + self.secret).hexdigest()[:16]

    def pseudonym(self, upn: str) -> str:
        """The child's pseudonym for a UPN (upper case, spaces removed first)."""
        normalised = "".join(upn.split()).upper().encode("ascii", "replace")
        digest = hmac.new(self.secret, _DOMAIN_UPN + normalised, hashlib.sha256).digest()
        return base64.b32encode(digest[:17]).decode("ascii")[:PSEUDONYM_LENGTH]

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"RegionalKey(region={self.region!r}, fingerprint={self.fingerprint})"


def normalise_pseudonym(text: str) -> str:
    """A pseudonym as typed (any case, spaces), or InvalidInputError."""
    value = "".join(text.split()).upper()
    if not PSEUDONYM_PATTERN.match(value):
        raise InvalidInputError(
            f"'{text}' is not a pseudonym: a pseudonym is 26 letters A-Z and digits 2-7."
        )
    return value


def create_key_file(path: Path, region: str) -> RegionalKey:
    """Write a new random key to `path`, readable and writable by its owner only; refuses to
    replace an existing file (a new key would make every earlier return unlinkable)."""
    region = " ".join(region.split())
    if not region or len(region) > 100 or any(ch in region for ch in "\r\n"):
        raise InvalidInputError("Give the region a name of 1 to 100 characters on one line.")
    if not path.parent.is_dir():
        raise InvalidInputError(f"The folder {path.parent} does not exist.")
    key = RegionalKey(secrets.token_bytes(KEY_BYTES), region, dt.date.today().isoformat())
    text = (
        f"{KEY_HEADER}\n"
        "# The region's pseudonym key. Keep it secret: anyone holding it and a UPN can find\n"
        "# that child in a regional return. Give it only to the authorities' named officers,\n"
        "# never to the regional workspace, and never send it with a return.\n"
        f"region: {key.region}\n"
        f"created: {key.created}\n"
        f"fingerprint: {key.fingerprint}\n"
        f"key: {base64.b64encode(key.secret).decode('ascii')}\n"
    )
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInputError(
            f"{path} already exists: a key file is never replaced, because returns made with a "
            "new key could not be linked with earlier ones. Choose another file name."
        ) from None
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    return key


def load_key_file(path: Path) -> RegionalKey:
    """The key in a key file; InvalidInputError, in a sentence, for a missing, unreadable,
    malformed or (on Linux and macOS) group- or world-readable file."""
    if not path.exists():
        raise InvalidInputError(
            f"There is no key file at {path}. The region's key file comes from the officer "
            "who made it (exclusion-monitor regional-key --out FILE)."
        )
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a key file.")
    info = path.stat()
    if info.st_size > _MAX_KEY_FILE:
        raise InvalidInputError(f"{path} is not a key file (it is far too large).")
    if sys.platform != "win32" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InvalidInputError(
            f"The key file {path} can be read by other accounts on this computer; make it "
            f"private to you first (chmod 600 {path})."
        )
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path} could not be read as a key file ({exc}).") from None
    if not lines or lines[0].strip() != KEY_HEADER:
        raise InvalidInputError(f"{path} is not an Exclusion Monitor regional key file.")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        name, value = line.split(":", 1)
        fields[name.strip()] = value.strip()
    try:
        secret = base64.b64decode(fields.get("key", ""), validate=True)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise InvalidInputError(f"The key in {path} is damaged (it is not {KEY_BYTES} bytes).")
    key = RegionalKey(secret, fields.get("region", ""), fields.get("created", ""))
    written = fields.get("fingerprint")
    if written and written != key.fingerprint:
        raise InvalidInputError(
            f"The key in {path} does not match the fingerprint written beside it: the file "
            "has been altered. Ask for a fresh copy of the region's key file."
        )
    return key
