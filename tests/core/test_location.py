"""Where the database may live: network shares, mapped drives, network file systems and
cloud-synced folders are refused with a reason; the platform probes are mocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from exclusion_monitor import location
from exclusion_monitor.errors import DatabaseLocationError
from exclusion_monitor.store import open_database


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Pretend to be Windows; drive types by drive root, fixed unless a test says otherwise."""
    drives: dict[str, int] = {}
    monkeypatch.setattr(location.sys, "platform", "win32")
    monkeypatch.setattr(
        location, "windows_drive_type", lambda root: drives.get(root, location.DRIVE_FIXED)
    )
    for name in location.ONEDRIVE_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return drives


def _problem(path: str) -> location.LocationProblem | None:
    return location.check_database_location(Path(path))


def test_local_fixed_drive_is_fine(windows: dict[str, int]) -> None:
    assert _problem(r"C:\Users\jsmith\AppData\Local\ExclusionMonitor\exclusion-monitor.db") is None


@pytest.mark.parametrize(
    "path",
    [
        r"\\fileserver\inclusion\exclusion-monitor.db",
        "//fileserver/inclusion/exclusion-monitor.db",
        r"\\?\UNC\fileserver\inclusion\exclusion-monitor.db",
    ],
)
def test_unc_paths_are_refused(windows: dict[str, int], path: str) -> None:
    problem = _problem(path)
    assert problem is not None and problem.kind == "network_share"
    assert r"\\fileserver\inclusion" in problem.message
    assert "locking is unreliable" in problem.message
    assert "--db postgresql://" in problem.message


def test_mapped_network_drive_is_refused(windows: dict[str, int]) -> None:
    windows["H:\\"] = location.DRIVE_REMOTE
    problem = _problem(r"H:\Inclusion\exclusion-monitor.db")
    assert problem is not None and problem.kind == "mapped_drive"
    assert "H: which is a network drive" in problem.message.replace(",", "")
    assert "team database option" in problem.message


def test_removable_drive_is_refused(windows: dict[str, int]) -> None:
    windows["E:\\"] = location.DRIVE_REMOVABLE
    problem = _problem(r"E:\exclusion-monitor.db")
    assert problem is not None and problem.kind == "removable"


def test_local_device_path_is_not_mistaken_for_a_share(windows: dict[str, int]) -> None:
    assert _problem(r"\\?\C:\Data\exclusion-monitor.db") is None


@pytest.mark.parametrize(
    ("path", "service"),
    [
        (r"C:\Users\jsmith\OneDrive\Documents\em.db", "OneDrive"),
        (r"C:\Users\jsmith\OneDrive - Westshire Council\em.db", "OneDrive"),
        (r"C:\Users\jsmith\Dropbox\em.db", "Dropbox"),
        (r"G:\My Drive\em.db", "Google Drive"),
        (r"C:\Users\jsmith\iCloudDrive\em.db", "iCloud Drive"),
        (r"C:\Users\jsmith\Box\em.db", "Box"),
    ],
)
def test_cloud_synced_folders_are_refused(windows: dict[str, int], path: str, service: str) -> None:
    problem = _problem(path)
    assert problem is not None and problem.kind == "cloud_folder"
    assert service in problem.message and "sync clients copy the file" in problem.message


def test_onedrive_folder_found_from_its_environment_variable(
    windows: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OneDriveCommercial", r"C:\Users\jsmith\Westshire Files")
    problem = _problem(r"C:\Users\jsmith\Westshire Files\Team\em.db")
    assert problem is not None and "OneDrive" in problem.message
    assert _problem(r"C:\Users\jsmith\Westshire Files Old\em.db") is None


def test_linux_network_file_systems_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(location.sys, "platform", "linux")
    mounts = [("/", "ext4"), ("/mnt/share", "cifs"), ("/home/me/remote dir", "fuse.sshfs")]
    monkeypatch.setattr(location, "linux_mounts", lambda: mounts)
    for path, fs_type in [("/mnt/share/em.db", "cifs"), ("/home/me/remote dir/em.db", "sshfs")]:
        problem = _problem(path)
        assert problem is not None and problem.kind == "network_fs", path
        assert fs_type in problem.message
    assert _problem("/mnt/shared-local/em.db") is None  # not inside /mnt/share
    assert _problem("/home/me/em.db") is None


def test_proc_mounts_escapes_are_read() -> None:
    assert location._unescape_mount("/media/my\\040share") == "/media/my share"


def test_open_database_refuses_before_creating_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(location, "linux_mounts", lambda: [("/", "ext4"), (str(share), "nfs4")])
    with pytest.raises(DatabaseLocationError, match="network file system"):
        open_database(share / "em.db")
    assert list(share.iterdir()) == []
    open_database(tmp_path / "local.db").close()
