"""`region schools|movement|disproportionality`: school practice across the region."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Added with the statistics."""
