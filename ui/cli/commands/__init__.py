"""The command-line commands. Each module has `register(subparsers)` and sets `handler`.

To add a command, write a module here and add it to COMMANDS.
"""

from ui.cli.commands import (
    audit,
    backup,
    batches,
    case,
    check,
    child,
    children,
    db,
    demo,
    export,
    flags,
    import_cmd,
    mappings,
    migrate,
    region,
    regional,
    report,
    restore,
    retention,
    undo,
    users,
)

COMMANDS = [
    demo,
    import_cmd,
    mappings,
    batches,
    undo,
    children,
    child,
    case,
    flags,
    report,
    export,
    check,
    backup,
    restore,
    users,
    audit,
    retention,
    migrate,
    db,
    regional,
    region,
]
