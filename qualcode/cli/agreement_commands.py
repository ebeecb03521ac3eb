"""``qualcode agreement``: how far two (or more) coders agree, and where they differ.

``qualcode agreement PROJECT --coders AB,CD [--code ID] [--transcript T] [--json]
[--report md|xlsx] [--out PATH] [--bootstrap N] [--seed S]``. numpy and the report writers are
imported only when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import PROJECT_HELP


def cmd_agreement(args: argparse.Namespace) -> int:
    from ..core.errors import UserError
    from ..store import Project
    from ..store.agreement import agreement, parse_coders
    from .output import emit_json, warn

    coders = parse_coders(args.coders)
    if args.out and not args.report:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        if suffix not in ("md", "xlsx"):
            raise UserError("--out needs --report md or xlsx (or a file name ending in .md or .xlsx)")
        args.report = suffix
    with Project.open(args.project, backup=False) as project:
        from .nlp_commands import ensure_name_findings

        result = agreement(project, coders, transcripts=args.transcript, code=args.code, bootstrap=args.bootstrap,
                           seed=args.seed,  # private by default: find names to hide once the input is checked
                           before_texts=lambda: ensure_name_findings(project, getattr(args, "nlp_model", None)))
        project_path = project.path
    for tid, missing in result.left_out.items():
        warn(f"{tid} is left out: no units by {', '.join(missing)} there (name it with --transcript to compare "
             "it anyway)")
    if args.report:
        from ..exports.agreement import default_name, default_path, write_report

        what: dict[str, Any] = {"code": result.focus[0] if result.focus else None,
                                "transcripts": result.report.transcripts if args.transcript else None,
                                "stem": result.file_stem or None}
        out = Path(args.out) if args.out else default_path(project_path, coders, args.report, **what)
        if out.is_dir():
            out = out / default_name(project_path, coders, args.report, **what)
        write_report(result, out, args.report)
        if not args.json:
            print(f"wrote {out}")
    if args.json:
        emit_json(result.as_dict())
    elif not args.report:
        print(render(result))
    return 0


def render(pa) -> str:
    """The report for a terminal: figures per code, theme, transcript and role; then the units."""
    from ..exports.agreement import code_set, interval, percent, stat
    from .output import table

    r = pa.report
    o = r.overall
    lines = [
        f"Agreement between {', '.join(r.coders)}: {len(r.transcripts)} transcript(s) "
        f"({', '.join(r.transcripts)}), {len(r.codes)} codes, {o.units} meaning units "
        f"({len(o.disagreements)} with a disagreement)",
        "units: clusters of overlapping codings; characters: participant turns; see 'qualcode agreement --help'",
        "",
    ]

    def code_table(rows, title):
        body = [[x.code, pa.name(x.code), x.coded_units, percent(x.percent_units), stat(x.alpha), interval(x),
                 percent(x.percent_characters), stat(x.kappa), stat(x.u_alpha)] for x in rows]
        return [title, table(["code", "name", "units", "%units", "alpha", "95% CI", "%chars", "kappa", "u-alpha"],
                             body, right=(2, 3, 4, 6, 7, 8)), ""]

    lines += code_table([x for x in r.per_code() if pa.shows(x.code)], "Per code")
    themes = [x for x in r.theme_rows if x.scope == "all" and x.code is not None and pa.shows(x.code)]
    if themes:
        lines += code_table(themes, "Per theme (subthemes counted as their theme)")
    lines += [
        f"All codes: alpha {stat(o.alpha)} (95% CI {interval(o)}), {percent(o.percent_units)}% of units agreed; "
        f"kappa {stat(o.kappa)} pooled, {stat(o.kappa_mean)} mean of codes, {percent(o.percent_characters)}% of "
        f"characters agreed; u-alpha {stat(o.u_alpha)}",
        "",
    ]
    if len(r.coders) > 2:
        lines += ["Pairs of coders (all codes, pooled kappa)",
                  table(["pair", "kappa", "%chars"], [[" - ".join(p.coders), stat(p.kappa), percent(p.percent)]
                                                      for p in o.kappa_pairs], right=(1, 2)), ""]
    def scope_table(rows, label):
        body = [[x.scope_value, x.units, percent(x.percent_units), stat(x.alpha), interval(x), x.characters,
                 percent(x.percent_characters), stat(x.kappa), stat(x.u_alpha)] for x in rows]
        return table([label, "units", "%units", "alpha", "95% CI", "chars", "%chars", "kappa", "u-alpha"], body,
                     right=(1, 2, 3, 5, 6, 7, 8))

    focused = [None] if pa.focus is None else [c for c in pa.focus if c in r.codes]
    for code in focused:
        what = f"code {code}" if code else "all codes"
        lines += [f"Per transcript ({what})", scope_table(r.per_transcript(code), "transcript"), ""]
        lines += [f"Per role ({what})", scope_table(r.per_role(code), "role"), ""]

    shown = pa.shown_units()
    lines.append(f"Meaning units with a disagreement ({len(shown)})")
    if not shown:
        lines.append("  none")
    for i in shown:
        unit = r.units[i]
        codes = "   ".join(f"{c}: {code_set(unit.codes(c))}" for c in r.coders)
        text = " ".join(pa.unit_texts[i].split())
        if len(text) > 70:
            text = text[:70].rstrip() + "…"
        lines.append(f"  {unit.transcript} {unit.start}-{unit.end}  {', '.join(r.unit_roles[i])}  {codes}  «{text}»")
    segments = [s for s in r.segments if pa.shows(s.code)]
    lines.append("")
    lines.append(f"{len(segments)} stretch(es) of participant text where the coders differ on a code: "
                 "--json or --report md|xlsx lists them")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qualcode agreement``."""
    help = "agreement between coders: Krippendorff's alpha, Cohen's kappa, u-alpha, and where they differ"
    p = sub.add_parser(
        "agreement", help=help,
        description=help + ". Compares the transcripts every named coder has coded (or those named with "
        "--transcript), per code and overall, per transcript and per speaker role.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="what is compared:\n"
               "  meaning unit   a cluster of codings (any coder, any code) that overlap by at least one character;\n"
               "                 a coder's value is the set of codes they gave it, (none) if they coded nothing there\n"
               "  alpha          Krippendorff's nominal alpha over meaning units: per code present/absent, overall\n"
               "                 the code set; 95% interval by bootstrap over units (--bootstrap, --seed)\n"
               "  kappa          Cohen's kappa over the characters of participant turns, per code coded/not coded\n"
               "                 (as NVivo); overall pooled over codes; more than two coders: mean of the pairs\n"
               "  u-alpha        Krippendorff's unitized alpha (1995) over the participant characters\n"
               "  --code ID      shows that code and its subcodes; the figures stay those of the whole comparison\n"
               "\nexamples:\n"
               "  qualcode agreement studie.qualcode --coders AB,CD\n"
               "  qualcode agreement studie.qualcode --coders AB,CD --report md\n"
               "  qualcode agreement studie.qualcode --coders AB,CD,EF --code hap --report xlsx --out hap.xlsx\n"
               "  qualcode agreement studie.qualcode --coders AB,CD --transcript T2 --json",
    )
    p.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    p.add_argument("--coders", required=True, metavar="AB,CD", help="two or more coders, separated by commas")
    p.add_argument("--code", metavar="ID", help="show this code and its subcodes (figures unchanged)")
    p.add_argument("--transcript", action="append", metavar="T",
                   help="compare only this transcript (repeat for more), even if a coder has not coded it")
    p.add_argument("--json", action="store_true", help="everything as JSON: figures, units, disagreements")
    p.add_argument("--report", choices=("md", "xlsx"), help="write the report for the methods section")
    p.add_argument("--out", metavar="PATH", help="the report file (or folder); default: exports/ beside the project")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap resamples for the alpha intervals (default 1000; 0: none)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="seed for the bootstrap (default 1)")
    p.add_argument("--nlp-model", metavar="NAME_OR_PATH",
                   help="spaCy model for finding names to hide when the project's findings are missing or "
                        "stale (default: $QUALCODE_SPACY_MODEL, else nb_core_news_sm, else basic mode)")
    p.set_defaults(func=cmd_agreement)
