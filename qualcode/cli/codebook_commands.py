"""The codebook: ``codebook`` (show, load, export; its history with ``--history``, ``--as-of`` and
``--diff``) and the edits ``code-add``, ``code-rename``, ``code-move``, ``code-merge``,
``code-split`` and ``code-delete``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import add_command, open_project
from .output import emit_json, table, wrap

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.models import CodeNode
    from ..store import Project
    from ..store.codebook_history import CodebookVersion


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


def _one_mode(args: argparse.Namespace) -> None:
    modes = [flag for flag, given in (("--load", args.load), ("--history", args.history),
                                      ("--as-of", args.as_of), ("--diff", args.diff)) if given]
    if len(modes) > 1:
        raise UserError(f"choose one of --load, --history, --as-of and --diff (not {' and '.join(modes)})")
    if args.export and (args.history or args.diff):
        raise UserError("--export writes a codebook: the one of now, or with --as-of DATE the one of then")
    if args.export and args.as_of and Path(args.export).suffix.lower() == ".qdc":
        raise UserError("a REFI-QDA .qdc is written of the codebook as it is now; with --as-of write .yaml or .md")


def _version_number(text: str) -> int:
    if not text.strip().isdigit():
        raise UserError(f"--diff {text!r} is not a version number (see 'qualcode codebook PROJECT --history')")
    return int(text)


def _write_codebook(book: Codebook, out: Path, lang: str, note: str = "") -> None:
    from ..core.codebook import codebook_to_yaml
    from ..exports.atomic import write_text
    from ..store.codebook_history import codebook_to_markdown

    if out.suffix.lower() == ".md":
        write_text(out, codebook_to_markdown(book, lang=lang, note=note))
    else:
        write_text(out, codebook_to_yaml(book))  # all or nothing, owner-only, one line on a full disk


def _language(project: Project, lang: str | None) -> str:
    chosen = lang or project.meta("language") or project.meta("codebook_language") or "nb"
    return chosen if chosen in ("nb", "en") else "nb"


def cmd_codebook(args: argparse.Namespace) -> int:
    from ..core.codebook import load_codebook

    _one_mode(args)
    if args.history or args.as_of or args.diff:
        return _cmd_history(args)
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
            _write_codebook(book, out, _language(project, args.lang))
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
    _print_tree(book, counts, args.verbose)
    return 0


def _print_tree(book: Codebook, counts: dict[str, tuple[int, int]], verbose: bool) -> None:
    print(book.name)
    for depth, node in book.walk():
        units, transcripts = counts.get(node.id, (0, 0))
        tally = f"  [{units} units, {transcripts} transcripts]" if units else ""
        print(f"{'  ' * (depth + 1)}{node.id}  {node.name}{tally}")
        if verbose and node.definition:
            print(wrap(node.definition, 2 * (depth + 1) + 4))
        if verbose and node.keywords:
            print(wrap("keywords: " + ", ".join(node.keywords), 2 * (depth + 1) + 4))


# --- history ---------------------------------------------------------------------------------------


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _moved_text(moved: dict[str, Any]) -> str:
    parts = []
    for code, m in moved.items():
        if m["how"].endswith("move"):
            parts.append(f"{code} with {_units(m['units'])}: {m['from'] or '(top level)'} → {m['to'] or '(top level)'}")
        else:
            parts.append(f"{_units(m['units'])}: {code} → {m['to']}")
    return "; ".join(parts)


def _about(v: CodebookVersion) -> str:
    from ..store.codebook_history import when

    return f"version {v.id} ({when(v.at)})"


def _cmd_history(args: argparse.Namespace) -> int:
    if args.history:
        return _show_history(args)
    if args.diff:
        return _show_diff(args)
    return _show_as_of(args)


def _show_history(args: argparse.Namespace) -> int:
    from ..store.codebook_history import when

    with open_project(args) as project:
        versions = project.codebook_versions()
    if args.json:
        emit_json([v.summary() for v in versions])
    elif not versions:
        print("the codebook has no history yet (it is empty)")
    else:
        rows = [(v.id, when(v.at), v.who or "-", v.label, _moved_text(v.moved)) for v in versions]
        print(table(["version", "when", "who", "what changed", "units moved"], rows, right=[0]))
    return 0


def _show_diff(args: argparse.Namespace) -> int:
    first, second = (_version_number(x) for x in args.diff)
    with open_project(args) as project:
        a, b = project.codebook_version(first), project.codebook_version(second)
        found = project.codebook_diff(first, second)
    if args.json:
        emit_json({"from": a.summary(), "to": b.summary(), "changes": found})
        return 0
    count = (f"{len(found)} change" + ("" if len(found) == 1 else "s")) if found else "no changes"
    print(f"codebook {_about(a)} → {_about(b)}: {count}")
    rows = [(c["change"], c["code"] or "", _change_text(c)) for c in found]
    widths = [max((len(r[i]) for r in rows), default=0) for i in (0, 1)]
    for change, code, what in rows:
        print(f"  {change:<{widths[0]}}  {code:<{widths[1]}}  {what}")
    return 0


def _show_as_of(args: argparse.Namespace) -> int:
    from ..store.codebook_history import parse_moment, when

    parse_moment(args.as_of)  # a malformed date: one line, before the project is opened
    with open_project(args) as project:
        v = project.codebook_as_of(args.as_of)
        book = v.book()
        if args.export:
            out = Path(args.export)
            lang = _language(project, args.lang)
            note = (f"Kodeboken slik den var {when(v.at)} (versjon {v.id})." if lang == "nb"
                    else f"The codebook as it was on {when(v.at)} (version {v.id}).")
            _write_codebook(book, out, lang, note)
            print(f"wrote {out}: the codebook as of {args.as_of}, {_about(v)}")
            return 0
    print(f"the codebook as of {args.as_of}: {_about(v)}, {v.who or '-'}: {v.label}", file=sys.stderr)
    if args.json:
        emit_json({"name": book.name, "description": book.description, "version": v.summary(),
                   "codes": _without_counts(_code_tree(book, {}))})
        return 0
    _print_tree(book, {}, args.verbose)
    return 0


def _without_counts(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unit counts are today's: a codebook of another day is shown without them."""
    return [{k: v for k, v in n.items() if k not in ("units", "transcripts")}
            | {"children": _without_counts(n["children"])} for n in tree]


def _change_text(c: dict[str, Any]) -> str:
    kind = c["change"]
    if kind == "codebook":
        return "; ".join(f"{k}: {v['from']} → {v['to']}" for k, v in c["fields"].items())
    if kind == "added":
        return c["name"] + (f" (under {c['parent']})" if c["parent"] else " (a main theme)")
    if kind == "removed":
        return c["name"]
    if kind == "renamed":
        return f"{c['from']} → {c['to']}"
    if kind == "moved":
        units = f" ({_units(c['units'])})" if c["units"] is not None else ""
        return f"{c['name']}: {c['from'] or '(top level)'} → {c['to'] or '(top level)'}{units}"
    if kind == "changed":
        return f"{c['name']}: {', '.join(c['fields'])}"
    how = f" (by undoing a {c['how'].removeprefix('undo ')})" if c["how"].startswith("undo ") else ""
    if kind == "merged":
        return f"{c['name']}, into {c['into']}: {_units(c['units'])}{how}"
    return f"{c['name']}, from {c['from']}: {_units(c['units'])}{how}"  # split


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
        node = project.rename_code(args.id, args.name, coder=args.coder, was=args.was)
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
    p = add_command(sub, "codebook", cmd_codebook, "show the codebook tree; load or export codebook YAML; its history",
                    json=True)
    p.add_argument("--load", "--import", dest="load", metavar="FILE",
                   help="add the codes of a codebook YAML file or a REFI-QDA .qdc/.qdpx (codes with known ids "
                        "are updated)")
    p.add_argument("--export", metavar="FILE",
                   help="write the project's codebook (with --as-of: the codebook of then) as YAML, as Markdown for "
                        "an article's appendix if FILE ends in .md, or as REFI-QDA if it ends in .qdc")
    p.add_argument("--lang", choices=("nb", "en"), help="language of a Markdown export's labels (default: nb)")
    p.add_argument("--history", action="store_true",
                   help="every version of the codebook: when, who, what changed, the units it moved")
    p.add_argument("--as-of", metavar="DATE",
                   help="the codebook as it was at DATE (YYYY-MM-DD: the end of that day; or YYYY-MM-DDTHH:MM; "
                        "UTC, as --history shows, unless an offset like +01:00 is given)")
    p.add_argument("--diff", nargs=2, metavar=("V1", "V2"),
                   help="what changed from version V1 to V2: codes added, removed, renamed, moved, merged, split, "
                        "edited, with the units each moved")
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
    p.add_argument("--was", metavar="NAME", help="the name you saw: if someone renamed it since, nothing changes")

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
