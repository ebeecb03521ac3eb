"""The ``qualcode`` command line.

Each subcommand is a small function over :class:`qualcode.store.Project`; this module only
parses arguments, prints, and turns :class:`~qualcode.core.errors.UserError` into one line on
stderr and a non-zero exit. Textual and spaCy are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from ..core.errors import UserError
from . import agreement_commands, commands, export_commands, nlp_commands

EXIT_USER_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualcode",
        description="Code qualitative interview data: transcripts, codebooks, meaning units.",
        epilog="Run 'qualcode COMMAND --help' for the options of a command.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    commands.register(sub)
    nlp_commands.register(sub)
    export_commands.register(sub)
    agreement_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except UserError as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except sqlite3.OperationalError as exc:
        explained = _explain_storage_error(exc)
        if explained is None:
            raise
        print(f"qualcode: error: {getattr(args, 'project', '')}: {explained}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("qualcode: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


# Conditions of the disk or the file, not of qualcode: say what to do instead of a traceback.
_STORAGE_ERRORS = {
    "readonly": "the project file is read-only; check its permissions",
    "disk is full": "the disk is full; nothing was saved by this command; free some space",
    "disk i/o": "the disk reported an I/O error; nothing was saved by this command",
    "malformed": "the project file is damaged; see 'qualcode backups' and 'qualcode restore'",
    "unable to open": "cannot open the project file or its folder; check permissions",
}


def _explain_storage_error(exc: sqlite3.OperationalError) -> str | None:
    message = str(exc).lower()
    return next((text for key, text in _STORAGE_ERRORS.items() if key in message), None)


def run() -> None:
    sys.exit(main())
