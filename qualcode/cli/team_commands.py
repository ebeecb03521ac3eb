"""Coders working together: ``merge`` another coder's copy in, ``reconcile`` two coders'
disagreements into the consensus, and ``team``: who is who on a server project. (How far they
agree is ``agreement``, in its own module.)"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import CODER_ENV, add_command, key_values, open_project
from .output import emit_json, warn, wrap

if TYPE_CHECKING:
    from ..store import Project
    from ..store.reconcile import Item


def cmd_merge(args: argparse.Namespace) -> int:
    from ..store.merge import merge_project

    mapping = key_values(args.map, "--map")
    coders = [c.strip() for c in args.coders.split(",")] if args.coders else None
    with open_project(args, backup=not args.dry_run) as project:
        report = merge_project(project, args.other, mapping=mapping, add_new_codes=args.add_new_codes,
                               coders=coders, dry_run=args.dry_run)
    if args.json:
        emit_json(report.as_dict() | {"dry_run": args.dry_run})
        return 0
    verb = "would bring" if args.dry_run else "brought"
    print(f"{verb} in {report.codings_added} meaning unit(s) by {', '.join(report.coders) or 'nobody'} "
          f"and {report.memos_added} memo(s); {report.codings_already_there} unit(s) and "
          f"{report.memos_already_there} memo(s) were here already")
    for b_id, a_id in report.transcripts_matched:
        if b_id != a_id:
            print(f"  transcript {b_id} there is {a_id} here (same text)")
    for b_id, a_id in report.transcripts_added:
        print(f"  transcript {b_id} there was not here: added as {a_id}")
    for b_id, a_id in report.codes_by_name:
        print(f"  code {b_id} there is {a_id} here (same name)")
    for b_id, a_id in report.codes_mapped:
        print(f"  code {b_id} there -> {a_id} here (--map)")
    for code_id in report.codes_added:
        print(f"  code {code_id} added to the codebook")
    for code_id, ours, theirs in report.name_differences:
        warn(f"code {code_id} is named {ours!r} here and {theirs!r} there; the name here is kept")
    return 0


def _item_dict(project: Project, item: Item, texts: dict[str, str]) -> dict[str, Any]:
    unit = item.unit
    text = texts.setdefault(unit.transcript, project.text(unit.transcript))
    return {
        "unit": item.number, "transcript": unit.transcript, "start": unit.start, "end": unit.end,
        "agreed": unit.agreed,
        "coders": {coder: [{"id": c.id, "code": c.code, "start": c.start, "end": c.end, "text": text[c.start:c.end]}
                           for c in cs] for coder, cs in unit.by_coder.items()},
        "decision": item.decision and {k: item.decision[k] for k in
                                       ("action", "accepted_from", "note", "decided_by", "decided_at")},
    }


def cmd_reconcile(args: argparse.Namespace) -> int:
    from ..store import reconcile

    coders = [c.strip() for c in args.coders.split(",") if c.strip()]
    deciding = args.accept or args.both or args.drop or args.adjust or args.note is not None
    by: str = args.by or os.environ.get(CODER_ENV) or ""  # needed only to decide; checked then
    if (deciding or args.accept_agreed) and not by:
        raise UserError(f"say who decides with --by INITIALS (or set {CODER_ENV})")
    with open_project(args, backup=bool(deciding or args.accept_agreed)) as project:
        if args.accept_agreed:
            done = reconcile.accept_agreed(project, coders, decided_by=by)
            print(f"{done} unit(s) the coders agree on went into the consensus")
            if not deciding:
                return 0
        if deciding:
            if args.unit is None:
                raise UserError("say which unit with --unit N (see the list)")
            all_items = reconcile.items(project, coders, transcript=args.transcript)
            item = next((it for it in all_items if it.number == args.unit), None)
            if item is None:
                raise UserError(f"no unit {args.unit}; units are numbered 1 to {len(all_items)}")
            if args.accept or args.both or args.drop or args.adjust:
                action, span = "accept", None
                if args.both:
                    action = "both"
                elif args.drop:
                    action = "drop"
                elif args.adjust:
                    action = "adjust"
                    start, sep, end = args.adjust.partition("-")
                    if not sep or not start.isdigit() or not end.isdigit():
                        raise UserError("--adjust takes START-END offsets, e.g. 120-188")
                    span = (int(start), int(end))
                reconcile.decide(project, item, action, decided_by=by, coders=coders, accept=args.accept,
                                 span=span, codes=[args.code] if args.code else None, note=args.note or "")
            else:
                reconcile.set_note(project, item, args.note, decided_by=by, coders=coders)
            print(f"unit {args.unit}: decided")
            return 0
        all_items = reconcile.items(project, coders, transcript=args.transcript)
        decided, total = reconcile.progress(all_items)
        shown = all_items if args.all else [it for it in all_items if not it.unit.agreed]
        texts: dict[str, str] = {}
        rows = [_item_dict(project, it, texts) for it in shown]
    if args.json:
        emit_json({"coders": coders, "decided": decided, "disagreements": total, "units": rows})
        return 0
    print(f"{decided} of {total} disagreements between {' and '.join(coders)} decided")
    for row in rows:
        decision = row["decision"]
        if decision:  # whose coding was accepted, when one was: [accept CD]
            status = decision["action"] + (f" {decision['accepted_from']}" if decision.get("accepted_from") else "")
        else:
            status = "agreed" if row["agreed"] else "open"
        print(f"{row['unit']:>5}  {row['transcript']} {row['start']}-{row['end']}  [{status}]")
        for coder, codings in row["coders"].items():
            said = "; ".join(f"{c['code']} «{c['text'][:60]}»" for c in codings) or "(nothing)"
            print(wrap(f"{coder}: {said}", 7))
    return 0


def cmd_team(args: argparse.Namespace) -> int:
    from ..store.pg import team

    if args.add and args.remove:
        raise UserError("--add or --remove, one at a time")
    with open_project(args) as project:
        if args.add:
            member = team.add_member(project, args.add, coder=args.coder, blind=args.blind, read_only=args.read_only)
            print(f"role {member.role} is a {member.access} on this project, as {member.coder}")
        elif args.remove:
            team.remove_member(project, args.remove)
            print(f"role {args.remove} is no longer on this project")
        found = team.members(project)
    if args.json:
        emit_json([m.as_dict() for m in found])
        return 0
    if not args.add and not args.remove:
        if not found:
            print("no team members: every role that may log in to this database sees everything "
                  "(add members with --add ROLE --coder AB [--blind | --read-only])")
        for m in found:
            print(f"{m.role:<20} {m.coder:<10} {m.access}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "merge", cmd_merge, "bring another coder's copy of the project in: codings, memos, "
                    "codebook additions", json=True)
    p.add_argument("other", metavar="OTHER", help="the other project file, e.g. studie-B.qualcode")
    p.add_argument("--map", action="append", metavar="THEIRS=OURS", help="map one of their codes to ours (repeatable)")
    p.add_argument("--add-new-codes", action="store_true", help="add their codes that are not in our codebook")
    p.add_argument("--coders", help="bring only these coders' codings and memos, e.g. CD")
    p.add_argument("--dry-run", action="store_true", help="say what would happen; change nothing")

    p = add_command(sub, "reconcile", cmd_reconcile,
                    "two coders' disagreements, and decisions that build the consensus (coder 'consensus')", json=True)
    p.add_argument("--coders", required=True, help="the two coders, e.g. AB,CD")
    p.add_argument("--transcript", help="only this transcript")
    p.add_argument("--all", action="store_true", help="list agreed units too")
    p.add_argument("--accept-agreed", action="store_true", help="put every agreed unit into the consensus")
    p.add_argument("--unit", type=int, help="the unit to decide (its number in the list)")
    p.add_argument("--accept", metavar="CODER", help="accept this coder's codings for the unit")
    p.add_argument("--both", action="store_true", help="keep both coders' codings")
    p.add_argument("--drop", action="store_true", help="keep neither")
    p.add_argument("--adjust", metavar="START-END", help="a consensus unit with this span")
    p.add_argument("--code", help="with --adjust: the code (default: the codes either coder gave)")
    p.add_argument("--note", help="a note on the discussion (with a decision, or alone for a decided unit)")
    p.add_argument("--by", help=f"who decides (default: ${CODER_ENV})")

    p = add_command(sub, "team", cmd_team, "who is who on a server project: database roles as coders (blind or "
                    "not) or readers; enforced by the server", json=True)
    p.add_argument("--add", metavar="ROLE", help="make a database role a member (or change what it may do)")
    p.add_argument("--remove", metavar="ROLE", help="take a role off the team")
    p.add_argument("--coder", help="with --add: the initials the role codes as")
    p.add_argument("--blind", action="store_true", help="with --add: sees only its own units until reconciliation")
    p.add_argument("--read-only", action="store_true", help="with --add: reads and exports, changes nothing")
