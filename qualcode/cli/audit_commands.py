"""The audit trail: ``qualcode audit PROJECT [--verify] [--since DATE] [--unit N] [--json]``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.errors import UserError
from .common import add_command, open_project
from .output import emit_json, table

if TYPE_CHECKING:
    from ..store.audit import Entry, UnitTrace

HELP = "the audit trail of every change; --verify checks it"


def _when(at: str) -> str:
    return at[:19].replace("T", " ")


def cmd_audit(args: argparse.Namespace) -> int:
    from ..store import audit

    if args.expect and not args.verify:
        raise UserError("--expect goes with --verify")
    with open_project(args) as project:
        if args.verify:
            problems = audit.verify(project, expect=args.expect)
            count, last = audit.status(project)
            if args.json:
                emit_json({"intact": not problems, "entries": count, "last_hash": last, "problems": problems})
                return 1 if problems else 0
            if problems:
                for problem in problems:
                    print(problem)
                print(f"audit trail broken: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                      f"in {count} entries")
                return 1
            print(f"audit trail intact: {count} entries, last hash {last}")
            return 0
        if args.unit is not None:
            trace = audit.trace_unit(project, args.unit)
            if args.since:
                since = audit.parse_since(args.since)
                trace.entries = [e for e in trace.entries if e.at >= since]
            if args.json:
                emit_json(trace.as_dict())
                return 0
            _print_trace(trace)
            return 0
        found = audit.entries(project, since=args.since)
    if args.json:
        emit_json([e.as_dict() for e in found])
        return 0
    _print_entries(found)
    return 0


def _print_entries(found: list[Entry]) -> None:
    if not found:
        print("no entries")
        return
    print(table(("#", "time (UTC)", "who", "kind", "what"),
                [(e.id, _when(e.at), e.who or "-", e.kind, e.summary) for e in found], right=(0,)))


def _print_trace(trace: UnitTrace) -> None:
    if trace.exists:
        turn = f"turn {trace.turn}" + (f" ({trace.speaker})" if trace.speaker else "") if trace.turn is not None \
            else "no turn"
        print(f"unit {trace.unit}: {trace.transcript}, {turn}, characters {trace.start}–{trace.end}, "
              f"coded {trace.code} by {trace.coder}")
        agrees = ("the last the trail recorded" if trace.text_as_recorded
                  else "NOT the last the trail recorded for it" if trace.text_as_recorded is False else "")
        print(f"text of {trace.transcript}: SHA-256 {trace.checksum}" + (f" ({agrees})" if agrees else ""))
    else:
        where = f" (it was in {trace.transcript})" if trace.transcript else ""
        print(f"unit {trace.unit} is no longer in the project{where}")
    _print_entries(trace.entries)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "audit", cmd_audit, HELP, json=True)
    p.add_argument("--verify", action="store_true",
                   help="check every entry against its hash and the chain; exit 1 naming each broken one")
    p.add_argument("--expect", metavar="HASH",
                   help="with --verify: a last hash kept from before, which must still be in the chain")
    p.add_argument("--since", metavar="DATE", help="entries from this date (UTC) or time on, e.g. 2026-03-01")
    p.add_argument("--unit", type=int, metavar="N",
                   help="the entries that made and changed unit N, with its turn and its transcript's checksum")
