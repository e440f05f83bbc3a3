"""The command-line commands. Each module has `register(subparsers)` and sets `handler`.

To add a command, write a module here and add it to COMMANDS.
"""

from ui.cli.commands import check, child, children, flags

COMMANDS = [children, check, child, flags]
