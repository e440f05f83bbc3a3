"""The command-line commands. Each module has `register(subparsers)` and sets `handler`.

To add a command, write a module here and add it to COMMANDS.
"""

from ui.cli.commands import batches, check, children, import_cmd, undo

COMMANDS = [children, check, import_cmd, batches, undo]
