"""The ``qualcode`` command line.

Each subcommand is a small function over :class:`qualcode.store.Project`; this module only
parses arguments, prints, and turns :class:`~qualcode.core.errors.UserError` into one line on
stderr and a non-zero exit. Textual and spaCy are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import errno
import sqlite3
import sys

from ..core.errors import UserError
from ..store.connection import storage_error
from . import agreement_commands, commands, doctor, export_commands, nlp_commands

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
    doctor.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except UserError as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except sqlite3.DatabaseError as exc:
        # Store calls translate these; a file read by other means (a backup, a copy) may not.
        explained = storage_error(exc, getattr(args, "project", "") or "project")
        if explained is exc:
            raise
        print(f"qualcode: error: {explained}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno not in _DISK_ERRNOS:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"qualcode: error: {where}{exc.strerror}; nothing half-written was kept", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("qualcode: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


# Conditions of the disk or a folder, not of qualcode: one line, not a traceback.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT,
                errno.EIO, errno.ENOTDIR, errno.EISDIR, errno.EFBIG}


def run() -> None:
    sys.exit(main())
