"""Regional monitoring (docs/regional.md): pseudonymised returns from each authority, and the
regional workspace that links children across authorities and compares schools."""
