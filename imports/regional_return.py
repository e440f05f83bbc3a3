"""The regional return file (docs/regional.md, "The return file"): a zip holding manifest.json
and one UTF-8 CSV per member, written from an authority's database and read, checked value by
value, by the region. A return is machine-made: anything off the format refuses the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from exclusion_monitor import __version__, output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.regional import return_format as f
from exclusion_monitor.regional.extract import ReturnBuilder, ReturnSummary, flags_as_of
from exclusion_monitor.regional.keys import RegionalKey
from exclusion_monitor.store import Database

MAX_RETURN_BYTES = 4 * 1024**3
MAX_MEMBER_BYTES = 16 * 1024**3
MAX_RATIO = 100  # CSV deflates about 5 to 10:1; far tighter packing is a zip bomb
MAX_MANIFEST_BYTES = 1024**2


class _Hashing(io.RawIOBase):
    """Passes bytes through to a zip member while hashing them."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self.digest.update(view)
        self.target.write(view)
        return len(view)


def write_return(
    db: Database,
    out: Path,
    key: RegionalKey,
    *,
    as_of: dt.date,
    la_code: str,
    la_name: str,
) -> ReturnSummary:
    """Write the authority's return as of `as_of` to `out` (a new file, readable by its owner
    only; written under a temporary name and renamed, so a cut-short write leaves nothing)."""
    _check_target(out)
    flags = flags_as_of(db, as_of)
    with db.read() as conn:
        builder = ReturnBuilder(conn, key, as_of, flags)
        write_return_file(
            out,
            key,
            as_of=as_of,
            la_code=la_code,
            la_name=la_name,
            members=[(member, builder.rows(member)) for member in ReturnBuilder.ORDER],
        )
        return builder.summary(la_code)


def _check_target(out: Path) -> None:
    """The one writer's rules (exclusion_monitor/output_files.py): an existing file, a link or a
    database is never replaced, and the folder must exist."""
    output_files.check_destination(out, overwrite=False)


def _zip_problem(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if f.MANIFEST not in archive.namelist():
                return "it has no manifest"
            broken = archive.testzip()
            return None if broken is None else f"its member {broken} is damaged"
    except (zipfile.BadZipFile, OSError):
        return "it is not a readable return (it was cut short)"


def write_return_file(
    out: Path,
    key: RegionalKey,
    *,
    as_of: dt.date,
    la_code: str,
    la_name: str,
    members: Iterable[tuple[f.Member, Iterable[Sequence[Any]]]],
) -> None:
    """Write a return from rows of each member (taken in the order given; each member's rows
    are consumed before the next member's are asked for)."""
    _check_target(out)
    hashes: dict[str, str] = {}
    with (
        output_files.replacing(out, check=_zip_problem) as partial,
        partial.open("wb") as raw,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        for member, rows in members:
            with archive.open(member.name, "w", force_zip64=True) as target:
                hashing = _Hashing(target)
                text = io.TextIOWrapper(
                    io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", newline=""
                )
                writer = csv.writer(text, lineterminator="\n")
                writer.writerow(member.columns)
                writer.writerows(rows)
                text.flush()
                text.detach()
                hashes[member.name] = hashing.digest.hexdigest()
        manifest = f.Manifest(
            la_code=la_code,
            la_name=la_name,
            made_at=dt.datetime.now().replace(microsecond=0),
            as_of=as_of,
            key_fingerprint=key.fingerprint,
            region=key.region,
            software=f"exclusion-monitor {__version__}",
            member_hashes=hashes,
        )
        archive.writestr(f.MANIFEST, json.dumps(manifest.to_json(), indent=2))


def _refuse(path: Path, problem: str) -> InvalidInputError:
    return InvalidInputError(f"{path.name} was not imported: {problem}.")


@dataclass
class ReturnFile:
    """An opened return: its manifest, then each member's checked rows (read once, in any
    order); `verify_hashes()` after reading says whether every member was as its manifest
    said."""

    path: Path
    archive: zipfile.ZipFile
    manifest: f.Manifest
    file_hash: str
    _read: dict[str, str]

    def rows(self, member: f.Member) -> Iterator[tuple[Any, ...]]:
        parse = f.row_parser(member)
        digest = hashlib.sha256()
        with self.archive.open(member.name) as raw:

            def chunks() -> Iterator[bytes]:
                while block := raw.read(1 << 16):
                    digest.update(block)
                    yield block

            buffered = io.BufferedReader(_ChunkReader(chunks()), 1 << 16)
            text = io.TextIOWrapper(buffered, encoding="utf-8", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader, None)
                if header is None or tuple(header) != member.columns:
                    raise _refuse(self.path, f"{member.name} does not start with its columns")
                for line, row in enumerate(reader, start=2):
                    try:
                        yield parse(row)
                    except f.ReturnFormatError as exc:
                        raise _refuse(self.path, f"{member.name} line {line}: {exc}") from None
            except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, EOFError) as exc:
                raise _refuse(self.path, f"{member.name} is damaged ({exc})") from None
        self._read[member.name] = digest.hexdigest()

    def verify_hashes(self) -> None:
        for member in f.MEMBERS:
            found = self._read.get(member.name)
            if found is not None and found != self.manifest.member_hashes[member.name]:
                raise _refuse(
                    self.path,
                    f"{member.name} is not the file its authority wrote (its checksum differs): "
                    "it was altered or damaged on the way",
                )

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> ReturnFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.left:
            self.left = next(self.chunks, b"")
            if not self.left:
                return 0
        size = min(len(buffer), len(self.left))
        buffer[:size] = self.left[:size]
        self.left = self.left[size:]
        return size


def open_return(path: Path) -> ReturnFile:
    """Open and check a return's container and manifest (nothing of the children is read yet);
    InvalidInputError, naming the file and the problem, for anything that is not a sound return
    of a format this version reads."""
    if not path.is_file():
        raise InvalidInputError(f"There is no file at {path}.")
    size = path.stat().st_size
    if size > MAX_RETURN_BYTES:
        raise _refuse(path, "it is larger than any regional return (4 GB)")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(path, f"it is not a regional return (not a zip file: {exc})") from None
    try:
        entries = {info.filename: info for info in archive.infolist()}
        expected = {m.name for m in f.MEMBERS} | {f.MANIFEST}
        if set(entries) != expected:
            extra = sorted(set(entries) - expected)[:3]
            missing = sorted(expected - set(entries))[:3]
            raise _refuse(
                path,
                "its contents are not those of a regional return"
                + (f" (unexpected: {', '.join(extra)})" if extra else "")
                + (f" (missing: {', '.join(missing)})" if missing else ""),
            )
        for info in entries.values():
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse(path, f"{info.filename} is packed in a way returns never are")
            if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise _refuse(path, f"{info.filename} would unpack to far more than it holds")
        if entries[f.MANIFEST].file_size > MAX_MANIFEST_BYTES:
            raise _refuse(path, "its manifest is far too large")
        try:
            manifest = f.manifest_from_json(json.loads(archive.read(f.MANIFEST)))
        except f.ReturnFormatError as exc:
            raise _refuse(path, str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise _refuse(path, f"its manifest cannot be read ({exc})") from None
    except BaseException:
        archive.close()
        raise
    return ReturnFile(path, archive, manifest, digest.hexdigest(), {})
