"""CLI commands of the NLP layer (nlp-status, propose, suggest, kwic, deidentify, ...)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the NLP subcommands; spaCy is imported only when one of them runs."""
