"""What the command modules share: the usual shape of a subcommand, opening the project, who is
coding, and ``KEY=VALUE`` options.

Kept light on purpose: a command module imports the store and the domain models inside its
handlers, so that ``qualcode --help`` and the parser load neither.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.errors import UserError

if TYPE_CHECKING:
    from ..store import Project

CODER_ENV = "QUALCODE_CODER"
PROJECT_HELP = "the project: a file (studie.qualcode) or a PostgreSQL URL (postgresql://qc@dbhost/studie)"
JSON_HELP = "print JSON for scripts"

Handler = Callable[[argparse.Namespace], int]


def add_command(sub: argparse._SubParsersAction, name: str, func: Handler, help: str, *, project: bool = True,
                json: bool = False) -> argparse.ArgumentParser:
    """A subcommand described by ``help``; its first argument the project file, and ``--json``
    when it can print for scripts. ``func`` runs it."""
    p = sub.add_parser(name, help=help, description=help)
    if project:
        p.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    if json:
        p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=func)
    return p


def open_project(args: argparse.Namespace, *, backup: bool = False) -> Project:
    from ..store import Project

    return Project.open(args.project, backup=backup)


def coder_from(args: argparse.Namespace) -> str:
    """``--coder``, else ``$QUALCODE_CODER``; a command that records work needs one of them."""
    coder = getattr(args, "coder", None) or os.environ.get(CODER_ENV)
    if not coder:
        raise UserError(f"say who is coding with --coder INITIALS (or set {CODER_ENV})")
    return coder


def key_values(pairs: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{what} {pair!r} must look like KEY=VALUE")
        out[key.strip()] = value.strip()
    return out
