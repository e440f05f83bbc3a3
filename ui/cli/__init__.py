"""The `exclusion-monitor` command line."""
