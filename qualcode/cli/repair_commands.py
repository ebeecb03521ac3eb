"""Repairing transcripts: ``speakers``, ``turns`` and ``transcript``.

What a speech recogniser or a diarizer gets wrong, fixed by hand: labels mapped to people,
speakerless turns attributed, cues split, merged and dropped, words corrected, titles set. Every
change is one undoable action (``qualcode undo``), and every meaning unit stays on its words.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import TYPE_CHECKING

from ..core.errors import UserError
from .common import CODER_ENV, add_command, open_project
from .output import emit_json, table, wrap

if TYPE_CHECKING:
    from ..store import Project


def parse_turns(spec: str) -> list[int]:
    """``1,4-6`` → [1, 4, 5, 6]."""
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise UserError(f"turns {spec!r} must look like 3 or 1,4-6")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise UserError(f"turn range {part!r} runs backwards")
        if last - first > 100_000:
            raise UserError(f"turn range {part!r} is too long")
        out.extend(range(first, last + 1))
    return out


def _pair(spec: str, option: str) -> tuple[str, str]:
    old, sep, new = spec.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise UserError(f"{option} {spec!r} must look like OLD=NEW, for example S01=Moderator")
    return old.strip(), new.strip()


def _coder(args: argparse.Namespace) -> str | None:
    """Who did the repair, for per-coder undo; repairs need no coder."""
    return getattr(args, "coder", None) or os.environ.get(CODER_ENV) or None


def apply_speaker_names(project: Project, tid: str, specs: list[str], *, merge_ok: bool, coder: str | None,
                        option: str = "--speaker") -> None:
    """``OLD=NEW`` renames, as at import (``--speaker``) or later (``speakers --rename/--merge``)."""
    for spec in specs:
        old, new = _pair(spec, option)
        labels = {s.label.casefold() for s in project.transcript(tid).speakers}
        if new.casefold() in labels and not merge_ok and old.casefold() != new.casefold():
            raise UserError(f"{new} is already a speaker of {tid}; to make {old} and {new} one person, "
                            f"use --merge {old}={new}")
        project.rename_speaker(tid, old, new, coder=coder)


def cmd_speakers(args: argparse.Namespace) -> int:
    coder = _coder(args)
    changing = bool(args.rename or args.merge or args.set)
    if args.set and not args.turns:
        raise UserError("--set needs --turns, for example --set Moderator --turns 0,4-6")
    if args.turns and not args.set:
        raise UserError("--turns goes with --set LABEL")
    with open_project(args, backup=changing) as project:
        tid = project.transcript_id(args.transcript)
        apply_speaker_names(project, tid, args.rename or [], merge_ok=False, coder=coder, option="--rename")
        apply_speaker_names(project, tid, args.merge or [], merge_ok=True, coder=coder, option="--merge")
        if args.set:
            project.set_turn_speaker(tid, parse_turns(args.turns), args.set, coder=coder)
        speakers = project.speaker_summary(tid)
        loose = project.unattributed_turns(tid)
    if args.json:
        emit_json({"transcript": tid, "speakers": [
            {"label": s.label, "role": s.role, "turns": s.turns, "first_words": s.first_words} for s in speakers
        ], "turns_without_speaker": loose})
        return 0
    if speakers:
        print(table(["speaker", "role", "turns", "first words"],
                    [[s.label, s.role or "-", s.turns, s.first_words] for s in speakers], right=(2,)))
    else:
        print(f"{tid} has no speakers yet")
    if loose:
        shown = ",".join(map(str, loose[:12])) + (" ..." if len(loose) > 12 else "")
        print(f"{len(loose)} turn(s) without a speaker: {shown}; attribute them with: "
              f"qualcode speakers {args.project} {tid} --set LABEL --turns {loose[0]}")
    return 0


def cmd_turns(args: argparse.Namespace) -> int:
    coder = _coder(args)
    operations = [name for name in ("split", "merge", "drop", "edit") if getattr(args, name) is not None]
    if len(operations) > 1:
        raise UserError(f"one repair at a time: --{operations[0]} or --{operations[1]}")
    op = operations[0] if operations else None
    if op != "split" and (args.at is not None or args.before is not None or args.speaker is not None):
        raise UserError("--at, --before and --speaker go with --split")
    if op != "edit" and args.text is not None:
        raise UserError("--text goes with --edit")
    if op != "drop" and args.force:
        raise UserError("--force goes with --drop")
    with open_project(args, backup=op is not None) as project:
        tid = project.transcript_id(args.transcript)
        message = None
        if op == "split":
            at = _split_at(project, tid, args)
            project.split_turn(tid, args.split, at, speaker=args.speaker, coder=coder)
            message = f"split turn {args.split} of {tid}; the second part is turn {args.split + 1}"
        elif op == "merge":
            indexes = parse_turns(args.merge)
            first, last = min(indexes), max(indexes)
            if indexes != list(range(first, last + 1)):
                raise UserError("--merge takes a run of turns, like 3-5")
            project.merge_turns(tid, first, last, coder=coder)
            message = f"merged turns {first}-{last} of {tid} into turn {first}"
        elif op == "drop":
            deleted = project.drop_turn(tid, args.drop, force=args.force, coder=coder)
            message = f"dropped turn {args.drop} of {tid}" + (
                f" and its units {', '.join(map(str, deleted))}" if deleted else "")
        elif op == "edit":
            if args.text is None:
                raise UserError("--edit needs --text with the corrected words")
            project.edit_turn(tid, args.edit, args.text, coder=coder)
            message = f"corrected turn {args.edit} of {tid}"
        turns = project.turns(tid)
    if message:
        print(f"{message} (undo with: qualcode undo {args.project})")
    if args.json:
        emit_json([{"index": u.index, "speaker": u.speaker, "role": u.role, "start": u.start, "end": u.end,
                    "time_start": u.time_start, "time_end": u.time_end, "text": u.text} for u in turns])
        return 0
    if message:
        return 0
    shown = turns[args.first:args.last + 1 if args.last is not None else None]
    for u in shown:
        stamp = f" [{u.timestamp}]" if u.timestamp else ""
        print(f"{u.index:>4}{stamp} {u.speaker or '(no speaker)'}")
        print(wrap(u.text, 6))
    return 0


def _split_at(project: Project, tid: str, args: argparse.Namespace) -> int:
    if (args.at is None) == (args.before is None):
        raise UserError("--split needs --at OFFSET (characters into the turn) or --before TEXT")
    if args.at is not None:
        return args.at
    turn = next((t for t in project.turns(tid) if t.index == args.split), None)
    if turn is None:
        raise UserError(f"{tid} has no turn {args.split} (see: qualcode turns {args.project} {tid})")
    found = turn.text.find(args.before)
    if found < 0:
        raise UserError(f"turn {args.split} of {tid} does not contain {args.before!r}")
    if turn.text.find(args.before, found + 1) >= 0:
        raise UserError(f"{args.before!r} occurs more than once in turn {args.split}; give more words or --at")
    return found


def cmd_transcript(args: argparse.Namespace) -> int:
    if args.delete and args.title:
        raise UserError("--title or --delete, not both")
    if not args.delete and args.title is None:
        raise UserError("say what to change: --title TEXT, or --delete")
    if args.delete and not args.yes:
        raise UserError("deleting a transcript takes its units with it and cannot be undone "
                        "(a backup is made first); add --yes to confirm")
    with open_project(args, backup=True) as project:
        tid = project.transcript_id(args.transcript)
        if args.delete:
            from ..store.copying import project_backup

            units = len(project.codings(transcript=tid))
            copy = project_backup(project, tag="before-delete")
            project.delete_transcript(tid)
            print(f"deleted {tid} and its {units} unit(s); the project before is in {copy}")
            return 0
        project.set_title(tid, args.title, coder=_coder(args))
    print(f"{tid} is now titled «{' '.join(args.title.split())}» (undo with: qualcode undo {args.project})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "speakers", cmd_speakers,
                    "list a transcript's speakers, or map labels to people and attribute turns (undoable)",
                    json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("--rename", action="append", metavar="OLD=NEW",
                   help="give a speaker another label, also where it stands in the text (repeatable)")
    p.add_argument("--merge", action="append", metavar="OLD=NEW",
                   help="make two labels one person: OLD's turns become NEW's (repeatable)")
    p.add_argument("--set", metavar="LABEL", help="attribute the --turns to this speaker")
    p.add_argument("--turns", metavar="N,M-K", help="turn numbers for --set, e.g. 1,4-6 (see: qualcode turns)")
    p.add_argument("--coder", help=f"who made the change, for undo by coder (or ${CODER_ENV})")

    p = add_command(sub, "turns", cmd_turns,
                    "list a transcript's turns, or split, merge, drop or correct one (undoable)", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("--split", type=int, metavar="N", help="split turn N (with --at or --before)")
    p.add_argument("--at", type=int, metavar="OFFSET", help="where to split: characters into the turn's text")
    p.add_argument("--before", metavar="TEXT", help="where to split: before these words of the turn")
    p.add_argument("--speaker", metavar="LABEL", help="with --split: who says the second part")
    p.add_argument("--merge", metavar="N-M", help="merge turns N to M into one (cues of one sentence)")
    p.add_argument("--drop", type=int, metavar="N",
                   help="take turn N out (e.g. a line the recogniser invented on silence)")
    p.add_argument("--force", action="store_true", help="with --drop: delete the units on the turn too")
    p.add_argument("--edit", type=int, metavar="N", help="correct what turn N says (with --text)")
    p.add_argument("--text", help="with --edit: the corrected words")
    p.add_argument("--first", type=int, default=0, metavar="N", help="list from turn N")
    p.add_argument("--last", type=int, metavar="N", help="list up to turn N")
    p.add_argument("--coder", help=f"who made the change, for undo by coder (or ${CODER_ENV})")

    p = add_command(sub, "transcript", cmd_transcript, "retitle a transcript (undoable), or delete it")
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("--title", help="the new title")
    p.add_argument("--delete", action="store_true", help="delete the transcript and its units (after a backup)")
    p.add_argument("--yes", action="store_true", help="confirm --delete")
    p.add_argument("--coder", help=f"who made the change, for undo by coder (or ${CODER_ENV})")
