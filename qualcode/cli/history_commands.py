"""The undo journal: ``undo``, ``redo`` and ``history``."""

from __future__ import annotations

import argparse

from .common import add_command, open_project
from .output import emit_json


def cmd_undo(args: argparse.Namespace) -> int:
    """``undo`` and ``redo``: the command's name says which."""
    with open_project(args) as project:
        label = project.undo(args.coder) if args.command == "undo" else project.redo(args.coder)
    print(f"{args.command} {label}" if label else f"nothing to {args.command}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        rows = project.history(args.coder, args.limit)
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        flag = " (undone)" if r["undone"] else ""
        print(f"{r['created_at'][:19].replace('T', ' ')}  {r['coder'] or '-':<6} {r['label']}{flag}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    for name, help in (("undo", "undo the last change to codes, units or memos"),
                       ("redo", "redo the last undone change")):
        p = add_command(sub, name, cmd_undo, help)
        p.add_argument("--coder", help="only this coder's changes")

    p = add_command(sub, "history", cmd_history, "the recent undoable changes", json=True)
    p.add_argument("--coder")
    p.add_argument("--limit", type=int, default=20)
