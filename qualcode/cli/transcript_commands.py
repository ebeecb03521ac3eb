"""Transcripts: ``import``, ``transcripts``, ``show``, ``roles`` and ``group``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import add_command, key_values, open_project
from .output import emit_json, table, warn, wrap

if TYPE_CHECKING:
    from ..core.models import Transcript
    from ..importers.manifest import Manifest
    from ..store import Project
    from ..store.project import RoleRule


def transcript_row(t: Transcript) -> dict[str, Any]:
    return {
        "id": t.id, "title": t.title, "group": t.group, "turns": t.turn_count,
        "speakers": len(t.speakers), "words": t.words, "format": t.source_format,
        "encoding": t.encoding, "source": t.source_path, "checksum": t.checksum,
        "imported_at": t.imported_at.isoformat(),
        "roles": sorted({s.role for s in t.speakers if s.role}),
    }


def import_manifest(project: Project, manifest: Manifest, *, quiet: bool, as_json: list | None = None) -> int:
    """Import every transcript a manifest lists; a file that fails is one line on stderr. Returns
    how many failed."""
    from ..store.project import RoleRule

    failed = 0
    for entry in manifest.entries:
        try:
            _import_one(
                project, entry.file, title=entry.title, group=entry.group, attributes=entry.attributes,
                roles=[RoleRule.parse(r) for r in entry.roles], encoding=entry.encoding,
                allow_duplicate=False, quiet=quiet, as_json=as_json,
            )
        except UserError as exc:
            failed += 1
            print(f"qualcode: error: {exc}", file=sys.stderr)
    return failed


def _import_one(project: Project, path: Path, *, title: str | None, group: str | None, attributes: dict[str, str],
                roles: list[RoleRule], encoding: str | None, allow_duplicate: bool, quiet: bool,
                as_json: list | None, speaker_names: list[str] | None = None, drop_suspect: bool = False) -> None:
    from ..importers import parse_transcript

    parsed = parse_transcript(Path(path), encoding=encoding)
    title = title or getattr(parsed, "title", None) or Path(path).stem
    result = project.import_transcript(
        parsed, title=title, group=group, group_attributes=attributes, roles=[] if speaker_names else roles,
        source_path=str(path), allow_duplicate=allow_duplicate,
    )
    t = result.transcript
    if speaker_names:  # labels mapped to people first, then the roles given for the people
        from .repair_commands import apply_speaker_names

        apply_speaker_names(project, t.id, speaker_names, merge_ok=True, coder=None)
        mapped = project.set_roles(t.id, roles, strict=False)
        unmatched = [s.label for s in mapped if s.role is None] if roles else []
        t = project.transcript(t.id)
        result = type(result)(t, result.warnings, unmatched)
    suspects = list(getattr(parsed, "suspect_turns", None) or [])
    if suspects and drop_suspect:
        for index in sorted(suspects, reverse=True):
            project.drop_turn(t.id, index)
        result.warnings.append(f"dropped {len(suspects)} line(s) the speech recogniser invented on silence "
                               f"(turns {', '.join(map(str, suspects))}); undo with: qualcode undo {project.path}")
        t = project.transcript(t.id)
        result = type(result)(t, result.warnings, result.unmatched_speakers)
    elif suspects:
        result.warnings.append(
            f"to drop what the recogniser invented: qualcode turns {project.path} {t.id} --drop {suspects[-1]} "
            "(one turn at a time, the last first), or import with --drop-suspect")
    if as_json is not None:
        as_json.append(transcript_row(t) | {"warnings": result.warnings,
                                            "speakers_without_role": result.unmatched_speakers})
        return
    if quiet:
        return
    speakers = ", ".join(f"{s.label} ({s.role})" if s.role else s.label for s in t.speakers) or "none"
    print(f"{t.id}  {path}: {t.turn_count} turns, {t.words} words, speakers: {speakers}")
    for warning in result.warnings:
        warn(f"{path}: {warning}")
    if result.unmatched_speakers:
        warn(f"{path}: no --role matched {', '.join(result.unmatched_speakers)}; "
             f"set it later with: qualcode roles {project.path} {t.id} 'LABEL=ROLE'")


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.manifest import load_manifest
    from ..store.project import RoleRule

    if not args.files and not args.manifest:
        raise UserError("name the files to import, or a --manifest")
    exchange = [f for f in args.files if Path(f).suffix.lower() == ".qdpx"]
    if exchange:  # a whole REFI-QDA project; PROJECT is made if it does not exist
        from .export_commands import import_qdpx

        return import_qdpx(args, exchange)
    roles = [RoleRule.parse(r) for r in args.role or []]
    attributes = key_values(args.attr, "--attr")
    if attributes and not args.group:
        raise UserError("--attr sets attributes of a focus group: name the group with --group")
    if args.title and len(args.files) > 1:
        raise UserError("--title names one transcript; import the files one at a time")
    manifest = load_manifest(args.manifest) if args.manifest else None
    collected: list | None = [] if args.json else None
    failed = 0
    with open_project(args, backup=True) as project:
        for file in args.files:
            try:
                _import_one(
                    project, Path(file), title=args.title, group=args.group, attributes=attributes,
                    roles=roles, encoding=args.encoding, allow_duplicate=args.allow_duplicate,
                    quiet=False, as_json=collected, speaker_names=args.speaker, drop_suspect=args.drop_suspect,
                )
            except UserError as exc:
                failed += 1
                print(f"qualcode: error: {exc}", file=sys.stderr)
        if manifest is not None:
            failed += import_manifest(project, manifest, quiet=False, as_json=collected)
    if collected is not None:
        emit_json(collected)
    return 1 if failed else 0


def cmd_transcripts(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        rows = [transcript_row(t) for t in project.transcripts()]
    if args.json:
        emit_json(rows)
        return 0
    if not rows:
        print(f"no transcripts yet; add one with: qualcode import {args.project} FILE")
        return 0
    print(table(
        ["id", "title", "group", "turns", "speakers", "words"],
        [[r["id"], r["title"], r["group"] or "", r["turns"], r["speakers"], r["words"]] for r in rows],
        right=(3, 4, 5),
    ))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        t = project.transcript(args.transcript)
        turns = project.turns(t.id)
        groups = {g.name: g.attributes for g in project.groups()}
    if args.json:
        emit_json({
            **transcript_row(t),
            "group_attributes": groups.get(t.group, {}) if t.group is not None else {},
            "speakers": [s.model_dump() for s in t.speakers],
            "turns": [
                {"index": u.index, "speaker": u.speaker, "role": u.role, "start": u.start, "end": u.end,
                 "timestamp": u.timestamp, "time_start": u.time_start, "time_end": u.time_end, "text": u.text}
                for u in turns
            ],
        })
        return 0
    print(f"{t.id}  {t.title}" + (f"  ({t.group})" if t.group else ""))
    print(f"{t.words} words, {t.turn_count} turns, from {t.source_path or t.source_format}")
    print()
    for u in turns:
        head = f"{u.index:>4}"
        if u.timestamp:
            head += f" [{u.timestamp}]"
        who = u.speaker or "(no speaker)"
        if u.role:
            who += f" ({u.role})"
        print(f"{head} {who}  {u.start}-{u.end}")
        print(wrap(u.text, 6))
    return 0


def cmd_roles(args: argparse.Namespace) -> int:
    from ..store.project import RoleRule

    rules = [RoleRule.parse(r) for r in args.rules]
    with open_project(args, backup=True) as project:
        speakers = project.set_roles(args.transcript, rules)
    for s in speakers:
        print(f"{s.label}: {s.role or '-'}")
    return 0


def cmd_group(args: argparse.Namespace) -> int:
    with open_project(args, backup=bool(args.attr)) as project:
        if args.attr:
            project.set_group_attributes(args.name, key_values(args.attr, "--attr"))
        groups = [g for g in project.groups() if args.name is None or g.name == args.name]
    if args.name is not None and not groups:
        raise UserError(f"no focus group named {args.name!r}")
    if args.json:
        emit_json([g.model_dump() for g in groups])
        return 0
    for g in groups:
        attrs = ", ".join(f"{k}={v}" for k, v in g.attributes.items())
        print(f"{g.name}" + (f": {attrs}" if attrs else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "import", cmd_import, "import transcripts (txt, docx, vtt, srt, odt) or a REFI-QDA project "
                    "(.qdpx); each file whole or not at all", json=True)
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--group", help="the focus group these transcripts belong to")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE",
                   help="a focus-group attribute, e.g. institusjon=Solbakken (repeatable)")
    p.add_argument("--speaker", action="append", metavar="LABEL=NAME",
                   help="map a transcriber's label to a person, e.g. S01=Moderator (repeatable; before --role)")
    p.add_argument("--role", action="append", metavar="PATTERN=ROLE",
                   help="give speakers a role by label pattern, e.g. 'P*=pasient' (repeatable; the first "
                        "rule that matches a label wins)")
    p.add_argument("--title", help="title of the transcript (default: the file's own title line, else its name)")
    p.add_argument("--drop-suspect", action="store_true",
                   help="drop lines a speech recogniser invents on silence (e.g. 'Undertekster av Amara.org')")
    p.add_argument("--encoding", help="read text files in this encoding instead of detecting it")
    p.add_argument("--allow-duplicate", action="store_true", help="import a text that is already in the project")
    p.add_argument("--manifest", metavar="FILE", help="import the transcripts listed in a manifest YAML")

    add_command(sub, "transcripts", cmd_transcripts, "list the transcripts", json=True)

    p = add_command(sub, "show", cmd_show, "show a transcript's speaker turns with their offsets", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT", help="transcript id, e.g. T1")

    p = add_command(sub, "roles", cmd_roles, "set speakers' roles in a transcript")
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("rules", nargs="+", metavar="PATTERN=ROLE",
                   help="e.g. 'Intervjuer=moderator' 'P*=pasient'; the first rule that matches a label wins, "
                        "as with import --role")

    p = add_command(sub, "group", cmd_group, "show focus groups, or set a group's attributes", json=True)
    p.add_argument("name", nargs="?", help="the group's name")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE", help="set an attribute (repeatable)")
