"""Where the embedded database may live: a local fixed drive, never a network share or a folder
that a cloud client synchronises. The platform probes are small functions, mocked in tests.
"""

from __future__ import annotations

import ntpath
import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

# GetDriveTypeW results (winbase.h).
DRIVE_UNKNOWN = 0
DRIVE_NO_ROOT_DIR = 1
DRIVE_REMOVABLE = 2
DRIVE_FIXED = 3
DRIVE_REMOTE = 4
DRIVE_CDROM = 5
DRIVE_RAMDISK = 6

# Linux file system types that are network or remote file systems, as /proc/mounts names them.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "davfs",
        "9p",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.davfs",
        "fuse.glusterfs",
        "fuse.onedrive",
    }
)

# Folder names that cloud sync clients create by default (compared case-insensitively).
CLOUD_FOLDER_NAMES = {
    "dropbox": "Dropbox",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive",
    "mobile documents": "iCloud Drive",
    "box": "Box",
    "box sync": "Box",
}
# Set by the OneDrive client to the folders it synchronises.
ONEDRIVE_ENV_VARS = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")

TEAM_DATABASE_HINT = (
    "To share one database between several people, use the team database option "
    "(--db postgresql://...), coming in a later release."
)
_NETWORK_WHY = (
    "SQLite's file locking is unreliable on network file systems, so two people writing at "
    "once can damage the database."
)
_CLOUD_WHY = (
    "sync clients copy the file while it is being written, which can damage it or leave "
    "conflicting copies."
)


@dataclass(frozen=True, slots=True)
class LocationProblem:
    kind: str  # network_share | mapped_drive | network_fs | cloud_folder | removable | ...
    message: str


def check_database_location(path: Path) -> LocationProblem | None:
    """Why the embedded database must not live at `path`, or None when the place is fine."""
    if sys.platform == "win32":
        return _check_windows(str(path))
    return _check_posix(path)


def _check_windows(text: str) -> LocationProblem | None:
    full = ntpath.abspath(text) if not _is_unc(text) else text
    if _is_unc(full):
        return LocationProblem(
            "network_share",
            f"The database cannot be kept on the network share {_unc_share(full)}: "
            f"{_NETWORK_WHY} Keep it on this computer's own drive. {TEAM_DATABASE_HINT}",
        )
    drive = ntpath.splitdrive(full)[0]
    if drive:
        kind = windows_drive_type(drive + "\\")
        if kind == DRIVE_REMOTE:
            return LocationProblem(
                "mapped_drive",
                f"The database cannot be kept on {drive}, which is a network drive: "
                f"{_NETWORK_WHY} Keep it on this computer's own drive. {TEAM_DATABASE_HINT}",
            )
        if kind == DRIVE_REMOVABLE:
            return LocationProblem(
                "removable",
                f"The database cannot be kept on {drive}, which is a removable drive: it can "
                "be pulled out in the middle of a change, and children's records must not "
                "leave the computer on a memory stick. Keep it on this computer's own drive.",
            )
        if kind in (DRIVE_CDROM, DRIVE_RAMDISK):
            return LocationProblem(
                "not_fixed",
                f"The database cannot be kept on {drive}: it is not a fixed drive of this "
                "computer. Keep it on this computer's own drive.",
            )
    return _check_cloud(PureWindowsPath(full))


def _check_posix(path: Path) -> LocationProblem | None:
    try:
        full = path.resolve()
    except OSError:
        full = path.absolute()
    fs_type, mount_point = mount_for(full, linux_mounts())
    if fs_type in NETWORK_FS_TYPES:
        return LocationProblem(
            "network_fs",
            f"The database cannot be kept on {mount_point}, which is a network file system "
            f"({fs_type}): {_NETWORK_WHY} Keep it on this computer's own disk. "
            f"{TEAM_DATABASE_HINT}",
        )
    return _check_cloud(PurePosixPath(full))


def _check_cloud(path: PurePath) -> LocationProblem | None:
    service = cloud_service_for(path)
    if service is None:
        return None
    return LocationProblem(
        "cloud_folder",
        f"The database cannot be kept in a folder that {service} synchronises ({path.parent}): "
        f"{_CLOUD_WHY} Keep it in the app's own data folder, which is not synchronised. "
        f"{TEAM_DATABASE_HINT}",
    )


def cloud_service_for(path: PurePath) -> str | None:
    """The cloud sync service whose folder holds `path`, judged by folder names and OneDrive's
    own environment variables (hints only: they can refuse a place, never allow one)."""
    folders = [part.casefold() for part in path.parts[:-1]]
    for folder in folders:
        if folder == "onedrive" or folder.startswith("onedrive - "):
            return "OneDrive"
        if folder in CLOUD_FOLDER_NAMES:
            return CLOUD_FOLDER_NAMES[folder]
    text = str(path).casefold()
    for variable in ONEDRIVE_ENV_VARS:
        root = os.environ.get(variable)
        if root and _is_inside(text, root.casefold().rstrip("\\/"), type(path)):
            return "OneDrive"
    return None


def _is_inside(text: str, root: str, flavour: type[PurePath]) -> bool:
    seps = ("\\", "/") if flavour is PureWindowsPath else ("/",)
    return any(text.startswith(root + sep) for sep in seps)


def _is_unc(text: str) -> bool:
    """\\\\server\\share\\..., //server/share/... or \\\\?\\UNC\\server\\share\\..."""
    if text.upper().startswith("\\\\?\\UNC\\"):
        return True
    if text.startswith(("\\\\?\\", "\\\\.\\")):
        return False  # a local device path such as \\\\?\\C:\\...
    return text.startswith(("\\\\", "//"))


def _unc_share(text: str) -> str:
    parts = [p for p in text.replace("/", "\\").split("\\") if p]
    if parts and parts[0] == "?" and len(parts) > 1 and parts[1].upper() == "UNC":
        parts = parts[2:]
    return "\\\\" + "\\".join(parts[:2])


def windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only, mocked in tests
    """GetDriveTypeW for a drive root such as 'C:\\'."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
    kernel32.GetDriveTypeW.argtypes = [ctypes.c_wchar_p]
    kernel32.GetDriveTypeW.restype = ctypes.c_uint
    return int(kernel32.GetDriveTypeW(root))


def linux_mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) for every mount, from /proc/mounts; empty elsewhere."""
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mounts.append((_unescape_mount(fields[1]), fields[2]))
    return mounts


def _unescape_mount(text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        text = text.replace(code, char)
    return text


def mount_for(path: Path, mounts: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The file system type and mount point holding `path` (the longest matching mount)."""
    best: tuple[str | None, str | None] = (None, None)
    best_len = -1
    text = str(path)
    for mount_point, fs_type in mounts:
        inside = text == mount_point or text.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > best_len:
            best, best_len = (fs_type, mount_point), len(mount_point)
    return best
