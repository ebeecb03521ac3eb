"""The subcommands. Each ``cmd_*`` takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..core.codebook import Codebook, codebook_to_yaml, load_codebook
from ..core.errors import UserError
from ..core.models import CodeNode
from ..store import Project
from ..store import backup as backups
from ..store.project import RoleRule
from .output import emit_json, table, warn, wrap

CODER_ENV = "QUALCODE_CODER"


# --- helpers ----------------------------------------------------------------------------------


def _open(args: argparse.Namespace, *, backup: bool = False) -> Project:
    return Project.open(args.project, backup=backup)


def _coder(args: argparse.Namespace) -> str:
    coder = getattr(args, "coder", None) or os.environ.get(CODER_ENV)
    if not coder:
        raise UserError(f"say who is coding with --coder INITIALS (or set {CODER_ENV})")
    return coder


def _key_values(pairs: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{what} {pair!r} must look like KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def _transcript_row(t) -> dict[str, Any]:
    return {
        "id": t.id, "title": t.title, "group": t.group, "turns": t.turn_count,
        "speakers": len(t.speakers), "words": t.words, "format": t.source_format,
        "encoding": t.encoding, "source": t.source_path, "checksum": t.checksum,
        "imported_at": t.imported_at.isoformat(),
        "roles": sorted({s.role for s in t.speakers if s.role}),
    }


def _code_tree(book: Codebook, counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    def node(n: CodeNode) -> dict[str, Any]:
        units, transcripts = counts.get(n.id, (0, 0))
        return {
            "id": n.id, "name": n.name, "parent": n.parent, "path": [p.name for p in book.path(n.id)],
            "definition": n.definition, "inclusion": n.inclusion, "exclusion": n.exclusion,
            "examples": n.examples, "keywords": n.keywords, "colour": n.colour,
            "units": units, "transcripts": transcripts,
            "children": [node(c) for c in book.children(n.id)],
        }

    return [node(root) for root in book.children(None)]


def _code_counts(project: Project, coder: str | None = None) -> dict[str, tuple[int, int]]:
    rows = project.conn.execute(
        "SELECT code_id, count(*), count(DISTINCT transcript_id) FROM codings"
        " WHERE (? IS NULL OR coder = ?) GROUP BY code_id",
        (coder, coder),
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _parse_units(spec: str) -> list[int]:
    ids: list[int] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            if sep:
                ids.extend(range(int(lo), int(hi) + 1))
            else:
                ids.append(int(lo))
        except ValueError:
            raise UserError(f"--units {spec!r} must be ids like 3,5,8-12") from None
    return ids


# --- project ----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    codebook = load_codebook(args.codebook) if args.codebook else None
    project = Project.create(args.project, name=args.name, codebook=codebook)
    with project:
        codes = len(project.codebook().codes)
    print(f"created {args.project}" + (f" with codebook '{codebook.name}' ({codes} codes)" if codebook else ""))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from ..importers.manifest import load_manifest

    # The example ships inside the package, so this works from any folder after any install.
    source = Path(args.source) if args.source else Path(__file__).resolve().parent.parent / "example"
    manifest_path = source / "manifest.yaml"
    if not manifest_path.exists():
        raise UserError("no manifest.yaml in this folder; pass --from a folder that has one", path=manifest_path)
    manifest = load_manifest(manifest_path)
    if Path(args.project).exists():
        if not args.force:
            Project.open(args.project, backup=False).close()  # it must be a project to reuse it
            print(f"{args.project} exists already; using it (--force makes it anew)")
            return 0
        with Project.open(args.project, backup=False) as old:  # keep a copy of what --force replaces
            kept = backups.make_backup(old.conn, old.path, tag="replaced")
        print(f"the old {args.project} is kept as {kept}")
        Path(args.project).unlink()
    codebook = load_codebook(manifest.codebook) if manifest.codebook else None
    with Project.create(args.project, name="Eksempelprosjekt", codebook=codebook) as project:
        failed = _import_manifest(project, manifest, quiet=False)
        if manifest.codings and not failed:
            _apply_coding_list(project, manifest)
    print(f"created {args.project}; try: qualcode transcripts {args.project}")
    return 1 if failed else 0


def _apply_coding_list(project: Project, manifest) -> None:
    """The example's codings by two coders, and its names to hide."""
    from ..importers.manifest import load_coding_list
    from ..store import deid

    coding_list = load_coding_list(manifest.codings)
    by_file = {Path(t.source_path).name: t.id for t in project.transcripts() if t.source_path}
    count = 0
    for unit in coding_list.codings:
        tid = by_file.get(unit.file)
        if tid is None:
            raise UserError(f"{unit.file} is not among the imported transcripts", path=coding_list.path, line=unit.line)
        try:
            start, end = project.find_quote(tid, unit.quote)[0]
        except UserError as exc:
            raise UserError(str(exc), path=coding_list.path, line=unit.line) from None
        for coder, code in unit.codes.items():
            coding = project.add_coding(tid, start, end, code, coder, condensed=unit.condensed)
            if unit.star and coder == next(iter(unit.codes)):
                project.update_coding(coding.id, starred=True)
            count += 1
    for name, kind in coding_list.hide:
        deid.add_term(project, name, kind)
    coders = sorted({c for u in coding_list.codings for c in u.codes})
    print(f"coded {count} meaning units by {' and '.join(coders)}; {len(coding_list.hide)} names to hide")



def _import_manifest(project: Project, manifest, *, quiet: bool, as_json: list | None = None) -> int:
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


def _import_one(project: Project, path: Path, *, title, group, attributes, roles, encoding,
                allow_duplicate, quiet, as_json) -> None:
    from ..importers import parse_transcript

    parsed = parse_transcript(Path(path), encoding=encoding)
    result = project.import_transcript(
        parsed, title=title or Path(path).stem, group=group, group_attributes=attributes, roles=roles,
        source_path=str(path), allow_duplicate=allow_duplicate,
    )
    t = result.transcript
    if as_json is not None:
        as_json.append(_transcript_row(t) | {"warnings": result.warnings, "speakers_without_role": result.unmatched_speakers})
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

    if not args.files and not args.manifest:
        raise UserError("name the files to import, or a --manifest")
    exchange = [f for f in args.files if Path(f).suffix.lower() == ".qdpx"]
    if exchange:  # a whole REFI-QDA project; PROJECT is made if it does not exist
        from .export_commands import import_qdpx

        return import_qdpx(args, exchange)
    roles = [RoleRule.parse(r) for r in args.role or []]
    attributes = _key_values(args.attr, "--attr")
    if args.title and len(args.files) > 1:
        raise UserError("--title names one transcript; import the files one at a time")
    manifest = load_manifest(args.manifest) if args.manifest else None
    collected: list | None = [] if args.json else None
    failed = 0
    with _open(args, backup=True) as project:
        for file in args.files:
            try:
                _import_one(
                    project, Path(file), title=args.title, group=args.group, attributes=attributes,
                    roles=roles, encoding=args.encoding, allow_duplicate=args.allow_duplicate,
                    quiet=False, as_json=collected,
                )
            except UserError as exc:
                failed += 1
                print(f"qualcode: error: {exc}", file=sys.stderr)
        if manifest is not None:
            failed += _import_manifest(project, manifest, quiet=False, as_json=collected)
    if collected is not None:
        emit_json(collected)
    return 1 if failed else 0


def cmd_info(args: argparse.Namespace) -> int:
    with _open(args) as project:
        info = project.info()
        storage = project.storage
    if args.json:
        emit_json(info.model_dump(mode="json") | {"storage": storage})
        return 0
    print(f"{info.name}  ({info.path}, created {info.created_at:%Y-%m-%d}, schema {info.schema_version})")
    words = f"{info.words:,}".replace(",", " ")  # Norwegian digit grouping
    print(f"  {info.transcripts} transcripts, {words} words, {info.groups} focus groups")
    print(f"  codebook: {info.codebook or '-'} ({info.codes} codes)")
    print(f"  {info.codings} meaning units by {', '.join(info.coders) or 'nobody yet'}; {info.memos} memos")
    print(f"  storage: {storage}")
    return 0


def cmd_transcripts(args: argparse.Namespace) -> int:
    with _open(args) as project:
        rows = [_transcript_row(t) for t in project.transcripts()]
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
    with _open(args) as project:
        t = project.transcript(args.transcript)
        turns = project.turns(t.id)
        groups = {g.name: g.attributes for g in project.groups()}
    if args.json:
        emit_json({
            **_transcript_row(t),
            "group_attributes": groups.get(t.group, {}),
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
    rules = [RoleRule.parse(r) for r in args.rules]
    with _open(args, backup=True) as project:
        speakers = project.set_roles(args.transcript, rules)
    for s in speakers:
        print(f"{s.label}: {s.role or '-'}")
    return 0


def cmd_group(args: argparse.Namespace) -> int:
    with _open(args, backup=bool(args.attr)) as project:
        if args.attr:
            project.set_group_attributes(args.name, _key_values(args.attr, "--attr"))
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


# --- codebook ---------------------------------------------------------------------------------


def cmd_codebook(args: argparse.Namespace) -> int:
    source = args.load
    with _open(args, backup=bool(source)) as project:
        if source:
            if Path(source).suffix.lower() in (".qdc", ".qdpx"):  # a REFI-QDA codebook
                from ..refi.importer import load_refi_codebook

                added, updated = load_refi_codebook(project, Path(source))
            else:
                added, updated = project.load_codebook(load_codebook(source))
            print(f"loaded {source}: {len(added)} codes added, {len(updated)} updated")
        book = project.codebook()
        counts = _code_counts(project, args.coder)
        if args.export:
            out = Path(args.export)
            if out.suffix.lower() == ".qdc":  # REFI-QDA
                from ..refi.write import write_qdc

                write_qdc(project, out)
                print(f"wrote {out}")
                return 0
            from ..exports.atomic import write_text

            write_text(out, codebook_to_yaml(book))  # all or nothing, owner-only, one line on a full disk
            print(f"wrote {out}")
            return 0
    if args.json:
        emit_json({"name": book.name, "description": book.description, "codes": _code_tree(book, counts)})
        return 0
    if source:
        return 0
    if not book.codes:
        print(f"the codebook is empty; load one with: qualcode codebook {args.project} --load FILE.yaml")
        return 0
    print(book.name)
    for depth, node in book.walk():
        units, transcripts = counts.get(node.id, (0, 0))
        tally = f"  [{units} units, {transcripts} transcripts]" if units else ""
        print(f"{'  ' * (depth + 1)}{node.id}  {node.name}{tally}")
        if args.verbose and node.definition:
            print(wrap(node.definition, 2 * (depth + 1) + 4))
        if args.verbose and node.keywords:
            print(wrap("keywords: " + ", ".join(node.keywords), 2 * (depth + 1) + 4))
    return 0


def cmd_code_add(args: argparse.Namespace) -> int:
    node = CodeNode.from_user(
        id=args.id, name=args.name, parent=args.parent, definition=args.definition or "",
        keywords=args.keyword or [], colour=args.colour,
    )
    with _open(args, backup=True) as project:
        project.add_code(node, coder=args.coder)
    print(f"added code {node.id}: {node.name}")
    return 0


def cmd_code_rename(args: argparse.Namespace) -> int:
    with _open(args, backup=True) as project:
        node = project.rename_code(args.id, args.name, coder=args.coder)
    print(f"renamed {node.id}: {node.name}")
    return 0


def cmd_code_move(args: argparse.Namespace) -> int:
    if args.root == (args.parent is not None):
        raise UserError("say where to: --parent ID, or --root for a top-level theme")
    with _open(args, backup=True) as project:
        node = project.move_code(args.id, None if args.root else args.parent, coder=args.coder)
    print(f"moved {node.id} under {node.parent or '(top level)'}")
    return 0


def cmd_code_merge(args: argparse.Namespace) -> int:
    with _open(args, backup=True) as project:
        moved = project.merge_codes(args.source, args.target, coder=args.coder)
    print(f"merged {args.source} into {args.target}: {moved} meaning units moved")
    return 0


def cmd_code_split(args: argparse.Namespace) -> int:
    with _open(args, backup=True) as project:
        source = project.code(args.id)
        node = CodeNode.from_user(id=args.new_id, name=args.new_name, parent=source.parent if args.beside else source.id)
        new = project.split_code(source.id, node, _parse_units(args.units), coder=args.coder)
        moved = len(project.codings(code=new.id))
    print(f"split {source.id}: {moved} meaning units now coded {new.id} ({new.name})")
    return 0


def cmd_code_delete(args: argparse.Namespace) -> int:
    with _open(args, backup=True) as project:
        project.delete_code(args.id, coder=args.coder)
    print(f"deleted code {args.id}")
    return 0


# --- coding -----------------------------------------------------------------------------------


def cmd_code(args: argparse.Namespace) -> int:
    coder = _coder(args)
    if (args.quote is None) == (args.start is None and args.end is None):
        raise UserError("give either --quote TEXT or --start N --end N")
    with _open(args, backup=True) as project:
        if args.quote is not None:
            hits = project.find_quote(args.transcript, args.quote, args.occurrence, args.turn)
            start, end = hits[0]
            if len(hits) > 1:
                others = ", ".join(f"{s}-{e}" for s, e in hits[1:6]) + (" ..." if len(hits) > 6 else "")
                warn(f"the quote occurs {len(hits)} times; coded the first ({start}-{end}), "
                     f"not {others}; choose with --occurrence N or --turn N")
        else:
            if args.start is None or args.end is None:
                raise UserError("--start and --end go together")
            start, end = args.start, args.end
        coding = project.add_coding(
            args.transcript, start, end, args.code, coder, condensed=args.condensed or "", memo=args.note or ""
        )
        unit = next(u for u in project.units(transcript=coding.transcript) if u["id"] == coding.id)
    if args.json:
        emit_json(unit)
        return 0
    print(f"unit {coding.id}: {coding.transcript} {coding.start}-{coding.end} "
          f"{unit['speaker'] or ''} coded {coding.code} by {coding.coder}: «{unit['text']}»")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    with _open(args) as project:
        units = project.units(transcript=args.transcript, coder=args.coder, code=args.code,
                              include_subcodes=args.subcodes)
    if args.role:
        units = [u for u in units if (u["role"] or "").casefold() == args.role.casefold()]
    if args.starred:
        units = [u for u in units if u["starred"]]
    if args.json:
        emit_json(units)
        return 0
    if not units:
        print("no meaning units match")
        return 0
    for u in units:
        who = u["speaker"] or "?"
        if u["role"]:
            who += f" ({u['role']})"
        star = " *" if u["starred"] else ""
        print(f"{u['id']:>5}  {u['transcript']} {u['start']}-{u['end']}  {who}  {u['code']}  [{u['coder']}]{star}")
        print(wrap("«" + u["text"] + "»", 7))
        if u["condensed"]:
            print(wrap("condensed: " + u["condensed"], 7))
        if u["memo"]:
            print(wrap("note: " + u["memo"], 7))
    return 0


def cmd_unit(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    for name, value in (("code", args.code), ("start", args.start), ("end", args.end),
                        ("condensed", args.condensed), ("memo", args.note), ("starred", args.star)):
        if value is not None:
            fields[name] = value
    with _open(args, backup=bool(fields) or args.delete) as project:
        if args.delete:
            project.delete_coding(args.id, coder=args.coder)
            print(f"deleted unit {args.id}")
            return 0
        if fields:
            project.update_coding(args.id, coder=args.coder, **fields)
        coding = project.coding(args.id)
        unit = next(u for u in project.units(transcript=coding.transcript) if u["id"] == coding.id)
    if args.json:
        emit_json(unit)
    else:
        print(f"unit {unit['id']}: {unit['transcript']} {unit['start']}-{unit['end']} {unit['code']} "
              f"[{unit['coder']}]: «{unit['text']}»")
    return 0


def cmd_memo(args: argparse.Namespace) -> int:
    targets = [(t, v) for t, v in (("transcript", args.transcript), ("code", args.code), ("coding", args.unit)) if v]
    if len(targets) > 1:
        raise UserError("a memo belongs to one thing: give only one of --transcript, --code, --unit")
    target_type, target_id = targets[0] if targets else ("project", None)
    with _open(args, backup=args.text is not None) as project:
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


def cmd_merge(args: argparse.Namespace) -> int:
    from ..store.merge import merge_project

    mapping = _key_values(args.map, "--map")
    coders = [c.strip() for c in args.coders.split(",")] if args.coders else None
    with _open(args, backup=not args.dry_run) as project:
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


def _item_dict(project: Project, item, texts: dict[str, str]) -> dict[str, Any]:
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
    by = args.by or os.environ.get(CODER_ENV)
    if (deciding or args.accept_agreed) and not by:
        raise UserError(f"say who decides with --by INITIALS (or set {CODER_ENV})")
    with _open(args, backup=bool(deciding or args.accept_agreed)) as project:
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
        status = row["decision"]["action"] if row["decision"] else ("agreed" if row["agreed"] else "open")
        print(f"{row['unit']:>5}  {row['transcript']} {row['start']}-{row['end']}  [{status}]")
        for coder, codings in row["coders"].items():
            said = "; ".join(f"{c['code']} «{c['text'][:60]}»" for c in codings) or "(nothing)"
            print(wrap(f"{coder}: {said}", 7))
    return 0


# --- history and safety -----------------------------------------------------------------------


def cmd_undo(args: argparse.Namespace) -> int:
    with _open(args) as project:
        label = project.undo(args.coder) if args.command == "undo" else project.redo(args.coder)
    print(f"{args.command} {label}" if label else f"nothing to {args.command}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as project:
        rows = project.history(args.coder, args.limit)
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        flag = " (undone)" if r["undone"] else ""
        print(f"{r['created_at'][:19].replace('T', ' ')}  {r['coder'] or '-':<6} {r['label']}{flag}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with _open(args) as project:
        made = backups.make_backup(project.conn, project.path, tag="manual")
    print(f"backup written: {made}")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from ..store import leftovers

    path = Path(args.project)
    Project.open(path, backup=False).close()  # a project, and leftovers of dead processes cleaned
    found = backups.list_backups(path)
    unfinished = leftovers.pending(path)
    if args.json:
        emit_json([{"path": str(p), "size": p.stat().st_size} for p in found]
                  + [{"path": str(p), "size": p.stat().st_size, "unfinished": True} for p in unfinished])
        return 0
    if not found:
        print("no backups yet")
    for p in found:
        print(p)
    for p in unfinished:
        print(f"unfinished (an interrupted or running qualcode's copy; remove it if none runs): {p}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.yes:
        raise UserError("restoring replaces the project with the backup; add --yes to confirm")
    Project.open(args.project, backup=False).close()  # refuses a missing or foreign file
    from ..store.restore import restore_backup

    restore_backup(Path(args.backup), Path(args.project))
    print(f"restored {args.project} from {args.backup} (the state before is in {backups.backup_dir(Path(args.project))})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args) as project:
        problems = project.integrity_check()
    if problems:
        for p in problems:
            print(p)
        raise UserError(f"{len(problems)} problem(s) found; restore a backup (qualcode backups {args.project})")
    print("ok")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    project_path = args.project
    if project_path is None:
        found = sorted(Path.cwd().glob("*.qualcode"))
        if len(found) != 1:
            raise UserError(
                f"{len(found)} projects here; name the one to open" if found
                else "no .qualcode project in this folder; name one, or create one with 'qualcode init'"
            )
        project_path = str(found[0])
    if args.coder is not None:
        from ..core.models import check_coder

        check_coder(args.coder)
    Project.open(project_path, backup=True).close()  # refuses a bad file before the screen starts
    from ..tui.app import QualcodeApp

    app = QualcodeApp(project_path, coder=args.coder)
    app.run()
    if app.error_line:
        print(app.error_line, file=sys.stderr)
    return app.return_code or 0


# --- registration -----------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    def add(name: str, func, help: str, *, project: bool = True, json: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if project:
            p.add_argument("project", metavar="PROJECT", help="the project file, e.g. studie.qualcode")
        if json:
            p.add_argument("--json", action="store_true", help="print JSON for scripts")
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create a new, empty project file")
    p.add_argument("--codebook", metavar="FILE", help="a codebook YAML file to start with")
    p.add_argument("--name", help="the project's name (default: the file name)")

    p = add("example", cmd_example, "create the example project (three invented focus groups, coded by two coders)",
            project=False)
    p.add_argument("project", metavar="PROJECT", nargs="?", default="example.qualcode")
    p.add_argument("--from", dest="source", default=None, metavar="FOLDER",
                   help="folder with manifest.yaml (default: the example that ships with qualcode)")
    p.add_argument("--force", action="store_true", help="make an existing example project anew (a backup is kept)")

    p = add("import", cmd_import, "import transcripts (txt, docx, vtt, srt, odt) or a REFI-QDA project (.qdpx); "
            "each file whole or not at all",
            json=True)
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--group", help="the focus group these transcripts belong to")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE",
                   help="a focus-group attribute, e.g. institusjon=Solbakken (repeatable)")
    p.add_argument("--role", action="append", metavar="PATTERN=ROLE",
                   help="give speakers a role by label pattern, e.g. 'P*=pasient' (repeatable)")
    p.add_argument("--title", help="title of the transcript (default: the file name)")
    p.add_argument("--encoding", help="read text files in this encoding instead of detecting it")
    p.add_argument("--allow-duplicate", action="store_true", help="import a text that is already in the project")
    p.add_argument("--manifest", metavar="FILE", help="import the transcripts listed in a manifest YAML")

    add("info", cmd_info, "the project at a glance", json=True)
    add("transcripts", cmd_transcripts, "list the transcripts", json=True)

    p = add("show", cmd_show, "show a transcript's speaker turns with their offsets", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT", help="transcript id, e.g. T1")

    p = add("roles", cmd_roles, "set speakers' roles in a transcript")
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("rules", nargs="+", metavar="PATTERN=ROLE", help="e.g. 'P*=pasient' 'Intervjuer=moderator'")

    p = add("group", cmd_group, "show focus groups, or set a group's attributes", json=True)
    p.add_argument("name", nargs="?", help="the group's name")
    p.add_argument("--attr", action="append", metavar="KEY=VALUE", help="set an attribute (repeatable)")

    p = add("codebook", cmd_codebook, "show the codebook tree; load or export codebook YAML", json=True)
    p.add_argument("--load", "--import", dest="load", metavar="FILE",
                   help="add the codes of a codebook YAML file or a REFI-QDA .qdc/.qdpx (codes with known ids "
                        "are updated)")
    p.add_argument("--export", metavar="FILE", help="write the project's codebook as YAML, or as REFI-QDA if FILE ends in .qdc")
    p.add_argument("--coder", help="count only this coder's units")
    p.add_argument("-v", "--verbose", action="store_true", help="show definitions and keywords")

    p = add("code-add", cmd_code_add, "add a code (theme or subtheme) to the codebook")
    p.add_argument("id")
    p.add_argument("name")
    p.add_argument("--parent", help="put it under this code")
    p.add_argument("--definition")
    p.add_argument("--keyword", action="append", help="a keyword (repeatable)")
    p.add_argument("--colour", help="#RRGGBB")
    p.add_argument("--coder", help="who made the change (for undo)")

    p = add("code-rename", cmd_code_rename, "rename a code")
    p.add_argument("id")
    p.add_argument("name")
    p.add_argument("--coder")

    p = add("code-move", cmd_code_move, "move a code under another code, or to the top level")
    p.add_argument("id")
    p.add_argument("--parent")
    p.add_argument("--root", action="store_true", help="make it a top-level theme")
    p.add_argument("--coder")

    p = add("code-merge", cmd_code_merge, "merge a code into another; its meaning units follow")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--coder")

    p = add("code-split", cmd_code_split, "split a code: move some of its meaning units to a new code")
    p.add_argument("id")
    p.add_argument("new_id")
    p.add_argument("new_name")
    p.add_argument("--units", required=True, help="ids of the units to move, e.g. 3,5,8-12")
    p.add_argument("--beside", action="store_true", help="make the new code a sibling, not a subtheme")
    p.add_argument("--coder")

    p = add("code-delete", cmd_code_delete, "delete an unused code")
    p.add_argument("id")
    p.add_argument("--coder")

    p = add("code", cmd_code, "code a meaning unit: a quote or an offset span, with a code", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("--quote", help="the text to code, as it stands in the transcript")
    p.add_argument("--occurrence", type=int, help="which occurrence of the quote (1 = first; default: first, with a warning)")
    p.add_argument("--turn", type=int, help="look for the quote only in this turn (see 'qualcode show')")
    p.add_argument("--start", type=int, help="start offset (see 'qualcode show')")
    p.add_argument("--end", type=int, help="end offset (exclusive)")
    p.add_argument("--code", required=True, help="code id (see 'qualcode codebook')")
    p.add_argument("--coder", help=f"who is coding (default: ${CODER_ENV})")
    p.add_argument("--condensed", help="condensed meaning of the unit")
    p.add_argument("--note", help="a memo on the unit")

    p = add("units", cmd_units, "list meaning units (codings)", json=True)
    p.add_argument("--transcript")
    p.add_argument("--coder")
    p.add_argument("--code")
    p.add_argument("--subcodes", action="store_true", help="with --code: include its subcodes")
    p.add_argument("--role", help="only units spoken by this role")
    p.add_argument("--starred", action="store_true", help="only units starred as candidate quotes")

    p = add("unit", cmd_unit, "show, change or delete one meaning unit", json=True)
    p.add_argument("id", type=int)
    p.add_argument("--code")
    p.add_argument("--start", type=int)
    p.add_argument("--end", type=int)
    p.add_argument("--condensed")
    p.add_argument("--note")
    p.add_argument("--star", dest="star", action="store_const", const=True,
                   help="mark as a candidate quote for the article")
    p.add_argument("--unstar", dest="star", action="store_const", const=False)
    p.add_argument("--delete", action="store_true")
    p.add_argument("--coder", help="who made the change (for undo)")

    p = add("memo", cmd_memo, "write a memo (project journal, or on a transcript, code or unit), or list them",
            json=True)
    p.add_argument("text", nargs="?", help="the memo; without it, list memos")
    p.add_argument("--transcript")
    p.add_argument("--code")
    p.add_argument("--unit")
    p.add_argument("--coder", help="the author")

    p = add("merge", cmd_merge, "bring another coder's copy of the project in: codings, memos, codebook additions",
            json=True)
    p.add_argument("other", metavar="OTHER", help="the other project file, e.g. studie-B.qualcode")
    p.add_argument("--map", action="append", metavar="THEIRS=OURS", help="map one of their codes to ours (repeatable)")
    p.add_argument("--add-new-codes", action="store_true", help="add their codes that are not in our codebook")
    p.add_argument("--coders", help="bring only these coders' codings and memos, e.g. CD")
    p.add_argument("--dry-run", action="store_true", help="say what would happen; change nothing")

    p = add("reconcile", cmd_reconcile,
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

    for name, help in (("undo", "undo the last change to codes, units or memos"),
                       ("redo", "redo the last undone change")):
        p = add(name, cmd_undo, help)
        p.add_argument("--coder", help="only this coder's changes")

    p = add("history", cmd_history, "the recent undoable changes", json=True)
    p.add_argument("--coder")
    p.add_argument("--limit", type=int, default=20)

    add("backup", cmd_backup, "make a backup copy now (kept until you delete it)")
    add("backups", cmd_backups, "list backup copies", json=True)
    p = add("restore", cmd_restore, "replace the project with a backup copy")
    p.add_argument("backup")
    p.add_argument("--yes", action="store_true", help="confirm")
    add("check", cmd_check, "check the project file's integrity")

    p = add("open", cmd_open, "open the terminal UI", project=False)
    p.add_argument("project", nargs="?", metavar="PROJECT", help="default: the one .qualcode file here")
    p.add_argument("--coder", help="who is coding")

