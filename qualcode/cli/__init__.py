"""The ``qualcode`` command line.

Each subcommand is a small function over :class:`qualcode.store.Project`, in one module per
group of commands (``project_commands``, ``transcript_commands``, ``codebook_commands``,
``coding_commands``, ``team_commands``, ``history_commands``, ``nlp_commands``,
``export_commands``, ``agreement_commands``, ``doctor``), each registering its own arguments;
:mod:`.parser` puts them together. This module only runs the parsed command and turns
:class:`~qualcode.core.errors.UserError` into one line on stderr and a non-zero exit. The store,
Textual, spaCy and the file formats are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import errno
import sqlite3
import sys
from collections.abc import Sequence

from ..core.errors import UserError
from .parser import build_parser

EXIT_USER_ERROR = 1

__all__ = ["EXIT_USER_ERROR", "build_parser", "main", "run"]


def _server_addresses(args: argparse.Namespace) -> None:
    """A PostgreSQL URL among the arguments is held as a :class:`ServerAddress`: it is printed
    (in hints, errors, the audit trail) without a password, and still connects with it."""
    from ..store.pg.url import ServerAddress, is_server_address

    for name in ("project", "source", "target", "where"):
        value = getattr(args, name, None)
        if is_server_address(value) and not isinstance(value, ServerAddress):
            address = ServerAddress(str(value))
            if address.has_password:
                print("qualcode: note: a password in the URL can be seen by other users of this machine; "
                      "keep it in ~/.pgpass (PGPASSFILE) instead", file=sys.stderr)
            setattr(args, name, address)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        _server_addresses(args)
        return args.func(args) or 0
    except UserError as exc:
        print(f"qualcode: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except sqlite3.DatabaseError as exc:
        # Store calls translate these; a file read by other means (a backup, a copy) may not.
        from ..store.connection import storage_error

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
