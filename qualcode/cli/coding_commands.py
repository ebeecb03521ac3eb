"""Coding: ``code`` a meaning unit, list them (``units``), change one (``unit``), and ``memo``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import CODER_ENV, add_command, coder_from, open_project
from .output import emit_json, emit_json_list, warn, wrap

if TYPE_CHECKING:
    from ..core.units import MeaningUnit
    from ..store import Project


def _unit(project: Project, coding_id: int, transcript: str) -> MeaningUnit:
    """One meaning unit, as ``units`` shows it."""
    return next(u for u in project.iter_units(transcript=transcript) if u.id == coding_id)


def cmd_code(args: argparse.Namespace) -> int:
    coder = coder_from(args)
    if (args.quote is None) == (args.start is None and args.end is None):
        raise UserError("give either --quote TEXT or --start N --end N")
    with open_project(args, backup=True) as project:
        project.code(args.code)  # a wrong code is the one error, before anything about the quote
        ambiguity = None
        if args.quote is not None:
            hits = project.find_quote(args.transcript, args.quote, args.occurrence, args.turn)
            start, end = hits[0]
            if len(hits) > 1:
                others = ", ".join(f"{s}-{e}" for s, e in hits[1:6]) + (" ..." if len(hits) > 6 else "")
                ambiguity = (f"the quote occurs {len(hits)} times; coded the first ({start}-{end}), "
                             f"not {others}; choose with --occurrence N or --turn N")
        else:
            if args.start is None or args.end is None:
                raise UserError("--start and --end go together")
            start, end = args.start, args.end
        coding = project.add_coding(
            args.transcript, start, end, args.code, coder, condensed=args.condensed or "", memo=args.memo or ""
        )
        if ambiguity:  # said once the unit is saved: a warning never comes before an error
            warn(ambiguity)
        unit = _unit(project, coding.id, coding.transcript)
    if args.json:
        emit_json(unit)
        return 0
    print(f"unit {coding.id}: {coding.transcript} {coding.start}-{coding.end} "
          f"{unit.speaker or ''} coded {coding.code} by {coding.coder}: «{unit.text}»")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from ..core.units import UnitFilter

    selection = UnitFilter(transcript=args.transcript, coder=args.coder, code=args.code,
                           include_subcodes=args.subcodes, role=args.role or None, starred=args.starred)
    with open_project(args) as project:
        units = project.iter_units(selection)  # streamed: the first unit is out before the last is read
        if args.json:
            emit_json_list(units)
            return 0
        shown = 0
        for u in units:
            who = u.speaker or "?"
            if u.role:
                who += f" ({u.role})"
            star = " *" if u.starred else ""
            print(f"{u.id:>5}  {u.transcript} {u.start}-{u.end}  {who}  {u.code}  [{u.coder}]{star}")
            print(wrap("«" + u.text + "»", 7))
            if u.condensed:
                print(wrap("condensed: " + u.condensed, 7))
            if u.memo:
                print(wrap("note: " + u.memo, 7))
            shown += 1
    if not shown:
        print("no meaning units match")
    return 0


def cmd_unit(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    for name, value in (("code", args.code), ("start", args.start), ("end", args.end),
                        ("condensed", args.condensed), ("memo", args.memo), ("starred", args.star)):
        if value is not None:
            fields[name] = value
    with open_project(args, backup=bool(fields) or args.delete) as project:
        if args.delete:
            project.delete_coding(args.id, coder=args.coder)
            print(f"deleted unit {args.id}")
            return 0
        if fields:
            project.update_coding(args.id, coder=args.coder, **fields)
        coding = project.coding(args.id)
        unit = _unit(project, coding.id, coding.transcript)
    if args.json:
        emit_json(unit)
    else:
        print(f"unit {unit.id}: {unit.transcript} {unit.start}-{unit.end} {unit.code} "
              f"[{unit.coder}]: «{unit.text}»")
    return 0


def cmd_memo(args: argparse.Namespace) -> int:
    targets = [(t, v) for t, v in (("transcript", args.transcript), ("code", args.code), ("coding", args.unit)) if v]
    if len(targets) > 1:
        raise UserError("a memo belongs to one thing: give only one of --transcript, --code, --unit")
    target_type, target_id = targets[0] if targets else ("project", None)
    with open_project(args, backup=args.text is not None) as project:
        if args.text is not None:
            memo = project.add_memo(args.text, target_type=target_type, target_id=target_id, author=args.coder)
            print(f"memo {memo.id} saved on {target_type}" + (f" {memo.target_id}" if memo.target_id else ""))
            return 0
        memos = project.memos(target_type=target_type if targets else None, target_id=target_id)
    if args.json:
        emit_json([m.model_dump(mode="json") for m in memos])
        return 0
    for m in memos:
        where = m.target_type + (f" {m.target_id}" if m.target_id else "")
        print(f"memo {m.id} on {where}, {m.author or '-'}, {m.created_at:%Y-%m-%d %H:%M}")
        print(wrap(m.text, 4))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "code", cmd_code, "code a meaning unit: a quote or an offset span, with a code", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("--quote", help="the text to code, as it stands in the transcript")
    p.add_argument("--occurrence", type=int,
                   help="which occurrence of the quote (1 = first; default: first, with a warning)")
    p.add_argument("--turn", type=int, help="look for the quote only in this turn (see 'qualcode show')")
    p.add_argument("--start", type=int, help="start offset (see 'qualcode show')")
    p.add_argument("--end", type=int, help="end offset (exclusive)")
    p.add_argument("--code", required=True, help="code id (see 'qualcode codebook')")
    p.add_argument("--coder", help=f"who is coding (default: ${CODER_ENV})")
    p.add_argument("--condensed", help="condensed meaning of the unit")
    p.add_argument("--memo", "--note", dest="memo", help="a memo on the unit (the workbench's and the CSV's memo)")

    p = add_command(sub, "units", cmd_units, "list meaning units (codings)", json=True)
    p.add_argument("--transcript")
    p.add_argument("--coder")
    p.add_argument("--code")
    p.add_argument("--subcodes", action="store_true", help="with --code: include its subcodes")
    p.add_argument("--role", help="only units spoken by this role")
    p.add_argument("--starred", action="store_true", help="only units starred as candidate quotes")

    p = add_command(sub, "unit", cmd_unit, "show, change or delete one meaning unit", json=True)
    p.add_argument("id", type=int)
    p.add_argument("--code")
    p.add_argument("--start", type=int)
    p.add_argument("--end", type=int)
    p.add_argument("--condensed")
    p.add_argument("--memo", "--note", dest="memo", help="the unit's memo")
    p.add_argument("--star", dest="star", action="store_const", const=True,
                   help="mark as a candidate quote for the article")
    p.add_argument("--unstar", dest="star", action="store_const", const=False)
    p.add_argument("--delete", action="store_true")
    p.add_argument("--coder", help="who made the change (for undo)")

    p = add_command(sub, "memo", cmd_memo, "write a memo (project journal, or on a transcript, code or unit), or "
                    "list them", json=True)
    p.add_argument("text", nargs="?", help="the memo; without it, list memos")
    p.add_argument("--transcript")
    p.add_argument("--code")
    p.add_argument("--unit")
    p.add_argument("--coder", help="the author")
