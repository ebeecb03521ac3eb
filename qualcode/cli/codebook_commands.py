"""The codebook: ``codebook`` (show, load, export) and the edits ``code-add``, ``code-rename``,
``code-move``, ``code-merge``, ``code-split`` and ``code-delete``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import add_command, open_project
from .output import emit_json, wrap

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.models import CodeNode
    from ..store import Project


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


def cmd_codebook(args: argparse.Namespace) -> int:
    from ..core.codebook import codebook_to_yaml, load_codebook

    source = args.load
    with open_project(args, backup=bool(source)) as project:
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
    from ..core.models import CodeNode

    node = CodeNode.from_user(
        id=args.id, name=args.name, parent=args.parent, definition=args.definition or "",
        keywords=args.keyword or [], colour=args.colour,
    )
    with open_project(args, backup=True) as project:
        project.add_code(node, coder=args.coder)
    print(f"added code {node.id}: {node.name}")
    return 0


def cmd_code_rename(args: argparse.Namespace) -> int:
    with open_project(args, backup=True) as project:
        node = project.rename_code(args.id, args.name, coder=args.coder)
    print(f"renamed {node.id}: {node.name}")
    return 0


def cmd_code_move(args: argparse.Namespace) -> int:
    if args.root == (args.parent is not None):
        raise UserError("say where to: --parent ID, or --root for a top-level theme")
    with open_project(args, backup=True) as project:
        node = project.move_code(args.id, None if args.root else args.parent, coder=args.coder)
    print(f"moved {node.id} under {node.parent or '(top level)'}")
    return 0


def cmd_code_merge(args: argparse.Namespace) -> int:
    with open_project(args, backup=True) as project:
        moved = project.merge_codes(args.source, args.target, coder=args.coder)
    print(f"merged {args.source} into {args.target}: {moved} meaning units moved")
    return 0


def cmd_code_split(args: argparse.Namespace) -> int:
    from ..core.models import CodeNode

    with open_project(args, backup=True) as project:
        source = project.code(args.id)
        node = CodeNode.from_user(id=args.new_id, name=args.new_name,
                                  parent=source.parent if args.beside else source.id)
        new = project.split_code(source.id, node, _parse_units(args.units), coder=args.coder)
        moved = len(project.codings(code=new.id))
    print(f"split {source.id}: {moved} meaning units now coded {new.id} ({new.name})")
    return 0


def cmd_code_delete(args: argparse.Namespace) -> int:
    with open_project(args, backup=True) as project:
        project.delete_code(args.id, coder=args.coder)
    print(f"deleted code {args.id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "codebook", cmd_codebook, "show the codebook tree; load or export codebook YAML", json=True)
    p.add_argument("--load", "--import", dest="load", metavar="FILE",
                   help="add the codes of a codebook YAML file or a REFI-QDA .qdc/.qdpx (codes with known ids "
                        "are updated)")
    p.add_argument("--export", metavar="FILE",
                   help="write the project's codebook as YAML, or as REFI-QDA if FILE ends in .qdc")
    p.add_argument("--coder", help="count only this coder's units")
    p.add_argument("-v", "--verbose", action="store_true", help="show definitions and keywords")

    p = add_command(sub, "code-add", cmd_code_add, "add a code (theme or subtheme) to the codebook")
    p.add_argument("id")
    p.add_argument("name")
    p.add_argument("--parent", help="put it under this code")
    p.add_argument("--definition")
    p.add_argument("--keyword", action="append", help="a keyword (repeatable)")
    p.add_argument("--colour", help="#RRGGBB")
    p.add_argument("--coder", help="who made the change (for undo)")

    p = add_command(sub, "code-rename", cmd_code_rename, "rename a code")
    p.add_argument("id")
    p.add_argument("name")
    p.add_argument("--coder")

    p = add_command(sub, "code-move", cmd_code_move, "move a code under another code, or to the top level")
    p.add_argument("id")
    p.add_argument("--parent")
    p.add_argument("--root", action="store_true", help="make it a top-level theme")
    p.add_argument("--coder")

    p = add_command(sub, "code-merge", cmd_code_merge, "merge a code into another; its meaning units follow")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--coder")

    p = add_command(sub, "code-split", cmd_code_split, "split a code: move some of its meaning units to a new code")
    p.add_argument("id")
    p.add_argument("new_id")
    p.add_argument("new_name")
    p.add_argument("--units", required=True, help="ids of the units to move, e.g. 3,5,8-12")
    p.add_argument("--beside", action="store_true", help="make the new code a sibling, not a subtheme")
    p.add_argument("--coder")

    p = add_command(sub, "code-delete", cmd_code_delete, "delete an unused code")
    p.add_argument("id")
    p.add_argument("--coder")
