"""``qualcode methods PROJECT [--lang nb|en] [--format md|docx] [--out FILE]``: the methods section
and the COREQ and SRQR checklists, from the project's facts (see :mod:`qualcode.exports.methods`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import PROJECT_HELP


def guess_language(project) -> str:
    """The project's language: Norwegian if its codebook reads as Norwegian, else English."""
    book = project.codebook()
    text = " ".join([book.name, book.description, *(f"{c.name} {c.definition}" for c in book.codes)]).casefold()
    words = set(text.split())
    norwegian = sum(ch in "æøå" for ch in text) + 3 * len(words & {"og", "som", "av", "med", "ikke", "det", "på"})
    english = 3 * len(words & {"and", "the", "of", "with", "not", "that", "on"})
    return "nb" if norwegian >= english else "en"


def cmd_methods(args: argparse.Namespace) -> int:
    from ..core.errors import UserError
    from ..exports.atomic import check_target
    from ..exports.methods import gather, markdown, write_methods
    from ..store import Project
    from .output import emit_json

    fmt = args.format
    out = Path(args.out) if args.out else None
    if out is not None and fmt is None:
        fmt = out.suffix.lower().lstrip(".") or "md"
    fmt = fmt or "md"
    if fmt not in ("md", "docx"):
        raise UserError(f"--format {fmt}: methods are written as md or docx")
    if fmt == "docx" and out is None:
        raise UserError("a .docx needs --out FILE")
    if out is not None:
        check_target(out)
    with Project.open(args.project, backup=False) as project:
        lang = args.lang or guess_language(project)
        facts = gather(project, agreement_bootstrap=args.bootstrap)
        if out is not None and not args.json:
            write_methods(facts, out, fmt, lang)
            from .export_commands import record_written

            record_written(project, "methods", [out], {"format": fmt, "lang": lang})
    if args.json:
        from dataclasses import asdict

        emit_json({**asdict(facts), "pages": facts.pages, "lang": lang})
        return 0
    if out is None:
        sys.stdout.write(markdown(facts, lang) + "\n")
        return 0
    print(f"wrote {out}: the methods section ({'Norwegian' if lang == 'nb' else 'English'}) with the COREQ and "
          "SRQR checklists; every figure is the project's")
    return 0


def register(sub) -> None:
    """Add ``qualcode methods``."""
    help = "a methods section for the article, and the COREQ and SRQR checklists, from the project's facts"
    p = sub.add_parser("methods", help=help, description=help + ". Every number is read from the project: "
                       "groups, participants by role, words, codebook, coders, double coding, agreement, "
                       "reconciliation, memos, names hidden, NLP assistance, software.")
    p.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    p.add_argument("--lang", choices=("nb", "en"), help="language of the text (default: the codebook's)")
    p.add_argument("--format", choices=("md", "docx"), help="md (default) or docx (A4); by --out's suffix")
    p.add_argument("--out", metavar="FILE", help="write to this file (default: Markdown on stdout)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="resamples for the 95%% interval of Krippendorff's alpha (default 1000)")
    p.add_argument("--json", action="store_true", help="print the facts as JSON for scripts")
    p.set_defaults(func=cmd_methods)
