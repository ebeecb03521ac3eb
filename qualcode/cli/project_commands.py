"""The project file: ``init``, ``example``, ``info``, ``backup``, ``backups``, ``restore``,
``check`` and ``open`` (the workbench). ``doctor`` has its own module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import UserError
from ..core.text import plural
from .common import add_command, open_project
from .output import emit_json
from .transcript_commands import import_manifest

if TYPE_CHECKING:
    from ..importers.manifest import Manifest
    from ..store import Project


def cmd_init(args: argparse.Namespace) -> int:
    from ..core.codebook import load_codebook
    from ..store import Project

    codebook = load_codebook(args.codebook) if args.codebook else None
    project = Project.create(args.project, name=args.name, codebook=codebook)
    with project:
        codes = len(project.codebook().codes)
    print(f"created {args.project}" + (f" with codebook '{codebook.name}' ({codes} codes)" if codebook else ""))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from ..core.codebook import load_codebook
    from ..importers.manifest import load_manifest
    from ..store import Project
    from ..store import backup as backups

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
            kept = backups.make_backup(old.conn, Path(args.project), tag="replaced")
        print(f"the old {args.project} is kept as {kept}")
        Path(args.project).unlink()
    codebook = load_codebook(manifest.codebook) if manifest.codebook else None
    with Project.create(args.project, name="Eksempelprosjekt", codebook=codebook) as project:
        failed = import_manifest(project, manifest, quiet=False)
        if manifest.codings and not failed:
            _apply_coding_list(project, manifest)
    print(f"created {args.project}; try: qualcode transcripts {args.project}")
    return 1 if failed else 0


def _apply_coding_list(project: Project, manifest: Manifest) -> None:
    """The example's codings by two coders, and its names to hide."""
    from ..importers.manifest import load_coding_list
    from ..store import deid

    assert manifest.codings is not None
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


def cmd_info(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        info = project.info()
        storage = project.storage
    if args.json:
        emit_json(info.as_json() | {"storage": storage})
        return 0
    print(f"{info.name}  ({info.path}, created {info.created_at:%Y-%m-%d}, schema {info.schema_version})")
    print(f"  {plural(info.transcripts, 'transcript')}, {plural(info.words, 'word')}, "
          f"{plural(info.groups, 'focus group')}")
    print(f"  codebook: {info.codebook or '-'} ({plural(info.codes, 'code')})")
    units = (f"{plural(info.codings, 'meaning unit')} by {', '.join(info.coders)}" if info.codings
             else "no meaning units yet")
    print(f"  {units}; {plural(info.memos, 'memo')}")
    print(f"  storage: {storage}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from ..store.copying import project_backup
    from ..store.pg.url import is_server_address

    with open_project(args) as project:
        made = project_backup(project, tag="manual")
    if is_server_address(args.project):  # a copy to a project file, which 'copy' brings back
        print(f"backup written: {made} (bring it back with: qualcode copy {made} URL-OF-AN-EMPTY-DATABASE)")
        return 0
    print(f"backup written: {made}")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    from ..store import Project, audit
    from ..store.copying import copy_project

    result = copy_project(args.source, args.target, who=getattr(args, "coder", None))
    with Project.open(args.target, backup=False) as copied:
        problems = audit.verify(copied)
    if problems:  # cannot happen unless the source's trail was broken already
        raise UserError(f"copied, but the audit trail does not verify: {problems[0]}", path=str(args.target))
    counts = result.counts
    if args.json:
        emit_json({"target": str(args.target), "rows": counts, "source_hash": result.source_hash})
        return 0
    print(f"copied to {args.target}: {plural(len([k for k in counts if counts[k]]), 'table')}, "
          f"{plural(counts.get('transcripts', 0), 'transcript')}, {plural(counts.get('codings', 0), 'meaning unit')}, "
          f"{plural(counts.get('memos', 0), 'memo')}, {plural(counts.get('actions', 0), 'undo step')}, "
          f"{plural(counts.get('audit_log', 0), 'audit entry', 'audit entries')} (trail verified)")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from ..store import Project, leftovers
    from ..store import backup as backups
    from ..store.pg.url import is_server_address

    Project.open(args.project, backup=False).close()  # a project, and leftovers of dead processes cleaned
    if is_server_address(args.project):
        from ..store.copying import server_backup_dir

        folder = server_backup_dir(args.project)
        found = sorted(folder.glob("*.qualcode")) if folder.is_dir() else []
        unfinished: list[Path] = []
    else:
        path = Path(args.project)
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
    from ..store import Project
    from ..store import backup as backups
    from ..store.pg.url import is_server_address

    if is_server_address(args.project):
        raise UserError("a server project is not overwritten: copy the backup to an empty database or schema "
                        f"(qualcode copy {args.backup} URL), or restore the server's own backup (see README)")
    if not args.yes:
        raise UserError("restoring replaces the project with the backup; add --yes to confirm")
    Project.open(args.project, backup=False).close()  # refuses a missing or foreign file
    from ..store.restore import restore_backup

    restore_backup(Path(args.backup), Path(args.project))
    before = backups.backup_dir(Path(args.project))
    print(f"restored {args.project} from {args.backup} (the state before is in {before})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        problems = project.integrity_check()
    if problems:
        for p in problems:
            print(p)
        raise UserError(f"{len(problems)} problem(s) found; restore a backup (qualcode backups {args.project})")
    print("ok")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from ..store import Project

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


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "init", cmd_init, "create a new, empty project (a file, or on a PostgreSQL server)")
    p.add_argument("--codebook", metavar="FILE", help="a codebook YAML file to start with")
    p.add_argument("--name", help="the project's name (default: the file name)")

    p = add_command(sub, "example", cmd_example, "create the example project (three invented focus groups, coded "
                    "by two coders)", project=False)
    p.add_argument("project", metavar="PROJECT", nargs="?", default="example.qualcode")
    p.add_argument("--from", dest="source", default=None, metavar="FOLDER",
                   help="folder with manifest.yaml (default: the example that ships with qualcode)")
    p.add_argument("--force", action="store_true", help="make an existing example project anew (a backup is kept)")

    add_command(sub, "info", cmd_info, "the project at a glance", json=True)

    add_command(sub, "backup", cmd_backup, "make a backup copy now (kept until you delete it)")
    add_command(sub, "backups", cmd_backups, "list backup copies", json=True)
    p = add_command(sub, "copy", cmd_copy, "copy a project whole between a file and a PostgreSQL server, either "
                    "way (codings, memos, undo history, names, reconciliation, codebook history, audit trail)",
                    project=False, json=True)
    p.add_argument("source", metavar="FROM", help="a project file or a postgresql:// URL")
    p.add_argument("target", metavar="TO", help="a new project file, or the URL of an empty database or schema")
    p = add_command(sub, "restore", cmd_restore, "replace the project with a backup copy")
    p.add_argument("backup")
    p.add_argument("--yes", action="store_true", help="confirm")
    add_command(sub, "check", cmd_check, "check the project file's integrity")

    p = add_command(sub, "open", cmd_open, "open the terminal UI", project=False)
    p.add_argument("project", nargs="?", metavar="PROJECT", help="default: the one .qualcode file here")
    p.add_argument("--coder", help="who is coding")
