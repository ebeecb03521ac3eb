"""CLI commands for exports (units, summary, quotes, qdpx, qdc)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the export subcommands; heavy libraries are imported only when one of them runs."""
