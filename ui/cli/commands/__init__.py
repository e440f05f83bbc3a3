"""The command-line commands. Each module has `register(subparsers)` and sets `handler`.

To add a command, write a module here and add it to COMMANDS.
"""

from ui.cli.commands import (
    audit,
    backup,
    check,
    child,
    children,
    export,
    flags,
    report,
    restore,
    retention,
    users,
)

COMMANDS = [children, child, flags, report, export, check, backup, restore, users, audit, retention]
