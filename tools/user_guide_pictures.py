"""Make the user guide's pictures (docs/pictures/*.png) from a demo authority built by the real
`demo` command: every page of the main window, a planted child's profile and the pages a viewer
and a manager see, at 1366 x 768 and 1920 x 1080. Run `python tasks.py pictures` after changing a
screen, look at the pictures, and commit them with the change.

The demo holds only invented children, so the pictures carry no one's personal data.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "pictures"
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
VIEWER = "DEMO\\viewer.example"
MANAGER = "DEMO\\manager.example"


@dataclass(frozen=True)
class Demo:
    db_path: Path
    stories: list[dict[str, str]]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@contextlib.contextmanager
def _home(folder: Path) -> Iterator[None]:
    before = os.environ.get("EXCLUSION_MONITOR_HOME")
    os.environ["EXCLUSION_MONITOR_HOME"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["EXCLUSION_MONITOR_HOME"]
        else:
            os.environ["EXCLUSION_MONITOR_HOME"] = before


def build_demo(folder: Path, pupils: int | None) -> Demo:
    """A demo authority made by the real command, and the stories it planted."""
    from ui.cli.main import main

    db_path = folder / "demo.db"
    args = ["--db", str(db_path), "demo", "--out", str(folder / "returns"), "--format", "json"]
    if pupils:
        args += ["--pupils", str(pupils)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(args)
    if code != 0:
        raise SystemExit(f"The demo could not be built (exit code {code}).")
    stories = json.loads(printed.getvalue()).get("stories", [])
    return Demo(db_path, stories)


def add_example_users(db_path: Path) -> str:
    """A viewer and a manager beside the admin who built the demo; returns the admin's account."""
    from exclusion_monitor.roles import Role
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.users import add_user, list_users

    db = open_database(db_path)
    try:
        users = list_users(db)
        admin = next(u.account for u in users if u.role is Role.ADMIN)
        known = {u.account for u in users}
        for account, role in ((VIEWER, Role.VIEWER), (MANAGER, Role.MANAGER)):
            if account not in known:
                add_user(db, admin, account, role, display_name=account.split("\\")[-1])
        return admin
    finally:
        db.close()


def settle(seconds: float = 120.0) -> None:
    """Let background work finish and the window paint."""
    from PySide6.QtWidgets import QApplication

    from ui.app import background

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if not background.running_jobs():
            break
        time.sleep(0.02)
    for _ in range(5):
        QApplication.processEvents()
        time.sleep(0.02)


def grab(widget: object, path: Path) -> None:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"Could not write {path}.")
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def window_pictures(
    db_path: Path,
    account: str,
    size_name: str,
    prefix: str,
    out: Path,
    *,
    every_page: bool = True,
    profile_upn: str | None = None,
) -> None:
    """The window as `account` sees it: the page it opens on, then (if asked) every page it may
    open and a child's profile."""
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.children import child_id_for_upn
    from ui.app.main_window import MainWindow
    from ui.app.pages import PAGE_NAMES

    db = open_database(db_path)
    window = MainWindow(db, account=account)
    try:
        window.resize(*SIZES[size_name])
        window.show()
        settle()
        grab(window, out / f"{prefix}opening-{size_name}.png")
        for name in PAGE_NAMES if every_page else []:
            number = PAGE_NAMES.index(name)
            if not window.page_allowed(number):
                continue
            window.go_to(number)
            settle()
            grab(window, out / f"{prefix}{slug(name)}-{size_name}.png")
        if every_page and window.audit_action.isEnabled():
            dialog = window.show_audit_trail()
            if dialog is not None:
                dialog.show_button.click()
                settle()
                dialog.verify_button.click()
                settle()
                grab(dialog, out / f"{prefix}audit-trail-{size_name}.png")
                dialog.close()
        if every_page and window.retention_action.isEnabled():
            retention = window.show_retention()
            if retention is not None:
                settle()
                grab(retention, out / f"{prefix}retention-{size_name}.png")
                retention.close()
        if every_page and window.backups_action.isEnabled():
            backups = window.show_backups()
            if backups is not None:
                window.back_up_now()
                settle()
                backups.refresh()
                settle()
                backups.table.selectRow(0)
                grab(backups, out / f"{prefix}backups-{size_name}.png")
                backups.close()
        if profile_upn:
            child_id = child_id_for_upn(db, profile_upn)
            if child_id is not None:
                window.context.signals.open_child.emit(child_id)
                settle()
                grab(window, out / f"{prefix}profile-{size_name}.png")
    finally:
        window.close()
        window.deleteLater()
        settle(5)
        db.close()


def make_pictures(out: Path, pupils: int | None) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app.application import make_application

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="em-pictures-"))
    try:
        with _home(work / "home"):
            print("Building the demo authority ...", flush=True)
            demo = build_demo(work, pupils)
            admin = add_example_users(demo.db_path)
            make_application([sys.argv[0]])
            story = demo.stories[0]["upn"] if demo.stories else None
            for size_name in SIZES:
                print(f"Pictures at {size_name}:")
                window_pictures(demo.db_path, admin, size_name, "", out, profile_upn=story)
            print("What a viewer and a manager see first:")
            for account, prefix in ((VIEWER, "viewer-"), (MANAGER, "manager-")):
                window_pictures(demo.db_path, account, "1366x768", prefix, out, every_page=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the pictures")
    parser.add_argument("--pupils", type=int, default=None, help="a smaller demo, for a quick look")
    args = parser.parse_args(argv)
    make_pictures(args.out, args.pupils)
    return 0


if __name__ == "__main__":
    sys.exit(main())
