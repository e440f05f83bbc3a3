"""Front ends: the desktop app (PySide6) and the command line."""
