"""Analyses for the write-up: ``qualcode cooccurrence`` (which codes are given to the same
passages) and ``qualcode saturation`` (did the last focus groups add new codes?).

Both read the units of **one coder**: ``--coder C``; without it the consensus layer when
reconciling has made one, else the only coder; with several coders and no consensus they ask
for ``--coder`` (counting two coders' units together would count each passage twice). The
output names the coder it used. The computations are :mod:`qualcode.core.cooccurrence` and
:mod:`qualcode.core.saturation`; the store and the writers are imported when a command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .common import JSON_HELP, PROJECT_HELP, open_project

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.cooccurrence import Pair, Passage, Table
    from ..core.saturation import Group, Saturation
    from ..core.units import MeaningUnit
    from ..store import Project

CONSENSUS = "consensus"  # the coder reconciling writes; exports.base and store.reconcile say the same
NLP_MODEL_HELP = ("spaCy model for finding names to hide in a written file when the project's findings are "
                  "missing or stale (default: $QUALCODE_SPACY_MODEL, else nb_core_news_sm, else basic mode)")


# --- what both commands share ------------------------------------------------------------------------


def chosen_units(project: Project, coder: str | None) -> tuple[list[MeaningUnit], str, str]:
    """The units of one coder, that coder, and a line saying which and why (see the module doc)."""
    import difflib

    coders = [r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]
    if not coders:
        raise UserError("no meaning units in this project yet: code some first (qualcode code, or the workbench)")
    if coder:
        if coder not in coders:
            close = difflib.get_close_matches(coder, coders, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"no units by coder {coder!r} (coders with units: {', '.join(coders)}){hint}")
        note = f"Coder: {coder}"
    elif CONSENSUS in coders:
        coder = CONSENSUS
        note = (f"Coder: {CONSENSUS} (the reconciled units, used by default; choose another coder with --coder)")
    elif len(coders) == 1:
        coder = coders[0]
        note = f"Coder: {coder} (the only coder)"
    else:
        raise UserError(f"this project has units by {len(coders)} coders ({', '.join(coders)}) and no consensus "
                        "layer: choose one with --coder (or reconcile them first, and the consensus is used)")
    return project.units(coder=coder), coder, note


def code_id(codebook: Codebook, given: str) -> str:
    """The codebook's id for ``given`` (any case); a :class:`UserError` with a "did you mean"."""
    import difflib

    ids = [c.id for c in codebook.codes]
    given = given.strip()
    for candidate in ids:
        if candidate.casefold() == given.casefold():
            return candidate
    close = difflib.get_close_matches(given, ids, n=1) or \
        difflib.get_close_matches(given.casefold(), [i.casefold() for i in ids], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UserError(f"no code {given!r} in the codebook{hint} (see 'qualcode codebook PROJECT')")


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula, quoted as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A CSV file for a spreadsheet (UTF-8 with a byte-order mark), written atomically, owner-only."""
    import csv
    import io

    from ..exports.atomic import write_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_csv_safe(v) for v in row] for row in rows)
    write_text(path, buffer.getvalue(), bom=True)


# --- cooccurrence ------------------------------------------------------------------------------------


def cmd_cooccurrence(args: argparse.Namespace) -> int:
    from ..core.cooccurrence import check_pair, cooccurrence, passages, split_units
    from ..exports.atomic import check_target
    from .output import emit_json

    target = Path(args.csv) if args.csv else None
    if target is not None:
        check_target(target)
    with open_project(args) as project:
        codebook = project.codebook()
        names = {c.id: c.name for c in codebook.codes}
        pair: tuple[str, str] | None = None
        if args.codes is not None:
            given = [c for c in args.codes.split(",") if c.strip()]
            if len(given) != 2:
                raise UserError(f"--codes takes two codes separated by a comma (A,B), not {args.codes!r}")
            pair = (code_id(codebook, given[0]), code_id(codebook, given[1]))
            check_pair(codebook, *pair, subcodes=args.subcodes)
        units, coder, note = chosen_units(project, args.coder)
        head = {"coder": coder, "coder_note": note, "level": args.level, "subcodes": args.subcodes}
        if pair is not None:
            found = passages(units, codebook, *pair, level=args.level, subcodes=args.subcodes)
            if target is not None:
                _write_passages(project, target, found, args.nlp_model)
            if args.json:
                emit_json({**head, "codes": list(pair), "names": {c: names[c] for c in pair},
                           "passages": [p.as_dict() for p in found]})
            else:
                print(render_passages(found, pair, names, coder, args.level))
        else:
            table = cooccurrence(units, codebook, level=args.level, subcodes=args.subcodes)
            parts = {value: cooccurrence(part, codebook, level=args.level, subcodes=args.subcodes)
                     for value, part in split_units(units, args.by).items()} if args.by else {}
            if target is not None:
                from ..store.deid import Redactor

                _write_pairs(target, table, parts, args.by, Redactor(project).text, names)
            if args.json:
                emit_json({**head, "units": table.units,
                           "codes": [{"id": c, "name": names.get(c, ""), "n": n} for c, n in table.counts.items()],
                           "pairs": [_pair_dict(p, names) for p in table.pairs], "by": args.by,
                           "split": [{"value": v, "units": t.units, "codes": t.counts,
                                      "pairs": [_pair_dict(p, names) for p in t.pairs]} for v, t in parts.items()]})
            else:
                print(render_table(table, parts, names, note, args.by))
    if target is not None and not args.json:
        print(f"wrote {target}")
    return 0


def _pair_dict(pair: Pair, names: dict[str, str]) -> dict[str, object]:
    return {**pair.as_dict(), "name_a": names.get(pair.a, ""), "name_b": names.get(pair.b, "")}


def _c(pair: Pair) -> str:
    return f"{pair.c:.2f}" + ("*" if pair.several else "")


def render_table(table: Table, parts: dict[str, Table], names: dict[str, str], note: str, by: str | None) -> str:
    from .output import table as text_table

    turn = table.level == "turn"
    what = "turns" if turn else "units"
    lines = [
        "Co-occurrence of codes, " + (
            "turn level: codes co-occur in a speaker turn holding units of both (a unit belongs to the turn it "
            "starts in)" if turn else
            "unit level: two units of one coder in one transcript co-occur when their spans overlap"),
        note,
        "Codes: " + ("a code with its subcodes (--subcodes)" if table.subcodes else
                     "each code as itself (--subcodes: a code with its subcodes)"),
        f"{table.units} units" + (" inside a speaker turn" if turn else ""),
        "",
        text_table(["code", "name", what], [[c, names.get(c, ""), n] for c, n in table.counts.items()], right=(2,)),
        "",
    ]
    if not table.pairs:
        lines.append("No two codes are coded together.")
        return "\n".join(lines)
    values = list(parts)
    rows = []
    for p in table.pairs:
        row: list[object] = [p.a, p.b, p.n_a, p.n_b, p.both, _c(p)]
        for value in values:
            q = parts[value].pair(p.a, p.b)
            row.append(f"{q.both} ({_c(q)})" if q.both else "-")
        rows.append(row)
    lines.append(text_table(["A", "B", "n A", "n B", "both", "c", *values], rows,
                            right=(2, 3, 4, *range(6, 6 + len(values)))))
    lines.append("")
    if turn:
        lines.append("n A, n B: turns holding a unit coded A, B; both: turns holding both")
    else:
        lines.append("n A, n B: units coded A, B; both: pairs of overlapping units, one coded A, one coded B")
    lines.append("c = both / (n A + n B - both), ATLAS.ti's c-coefficient: 0 never together, 1 always together")
    if any(p.several for t in (table, *parts.values()) for p in t.pairs):
        lines.append("* a unit overlaps more than one unit of the other code; each pair is counted, so c overstates "
                     "the relation: read the passages (--codes A,B)")
    if by:
        counted = ", ".join(f"{v} {t.units}" for v, t in parts.items())
        across = "; a pair of units spoken by two roles counts in neither" if by == "role" and not turn else ""
        lines.append(f"per {by}: both (c) among the {what} of each {by} ({counted}){across}")
    lines.append("--codes A,B lists the passages coded with both")
    return "\n".join(lines)


def render_passages(found: list[Passage], pair: tuple[str, str], names: dict[str, str], coder: str,
                    level: str) -> str:
    from .output import wrap

    a, b = pair
    if not found:
        return f"no passage is coded with both {a} and {b} ({level} level, coder {coder})"
    what = "passage" if len(found) == 1 else "passages"
    lines = [f"{len(found)} {what} coded with both {a} «{names[a]}» and {b} «{names[b]}» ({level} level, "
             f"coder {coder})"]
    for p in found:
        who = p.speaker or "?"
        if p.role:
            who += f" ({p.role})"
        place = [p.transcript] + ([p.group] if p.group else []) + \
            ([f"turn {p.turn}"] if p.turn is not None else []) + [who]
        ids = ", ".join(map(str, p.units_a)) + " + " + ", ".join(map(str, p.units_b))
        lines += ["", f"{', '.join(place)}, {p.start}-{p.end}, units {ids}", wrap("«" + p.text + "»", 3)]
    return "\n".join(lines)


def _write_pairs(target: Path, table: Table, parts: dict[str, Table], by: str | None, redact,
                 names: dict[str, str]) -> None:
    """The pairs as a CSV: all units first, then per role or group (scope and value say which)."""
    headers = ["scope", "value", "code_a", "name_a", "code_b", "name_b", "n_a", "n_b", "both", "c", "several"]
    rows = []
    for scope, value, t in [("all", "", table), *((by or "", v, t) for v, t in parts.items())]:
        for p in t.pairs:
            rows.append([scope, value, p.a, redact(names.get(p.a, "")), p.b, redact(names.get(p.b, "")), p.n_a,
                         p.n_b, p.both, f"{p.c:.4f}", "yes" if p.several else "no"])
    write_csv(target, headers, rows)


def _write_passages(project: Project, target: Path, found: list[Passage], nlp_model: str | None) -> None:
    """The passages as a CSV, de-identified as every export is (names found first if need be)."""
    from ..core.cooccurrence import GAP
    from ..store.deid import Redactor
    from .nlp_commands import ensure_name_findings, pending_notice
    from .output import warn

    ensure_name_findings(project, nlp_model)
    r = Redactor(project)
    headers = ["transcript", "title", "group", "turn", "speaker", "role", "start", "end", "text", "units_a",
               "units_b"]
    rows = [[p.transcript, r.text(p.title), r.text(p.group), p.turn, r.text(p.speaker), p.role, p.start, p.end,
             GAP.join(r.span(p.transcript, s, e).strip() for s, e in p.pieces) if p.pieces else r.text(p.text),
             " ".join(map(str, p.units_a)), " ".join(map(str, p.units_b))] for p in found]
    write_csv(target, headers, rows)
    notice = pending_notice(r.unreviewed_count, str(target), str(project.path))
    if notice:
        warn(notice)


# --- saturation --------------------------------------------------------------------------------------


def focus_groups(project: Project) -> list[Group]:
    """The project's focus groups in import order (a group's place is its first transcript's);
    a transcript in no group is a group of its own, named by its id."""
    from ..core.saturation import Group

    attributes = {g.name: g.attributes for g in project.groups()}
    held: dict[str, list[str]] = {}
    for t in project.transcripts():
        held.setdefault(t.group or t.id, []).append(t.id)
    return [Group(name, tuple(tids), attributes.get(name, {})) for name, tids in held.items()]


def cmd_saturation(args: argparse.Namespace) -> int:
    from ..core.saturation import order_groups, saturation
    from ..exports.atomic import check_target
    from ..exports.saturation import chart_format
    from .output import emit_json

    chart = Path(args.chart) if args.chart else None
    if chart is not None:
        chart_format(chart)
        check_target(chart)
    with open_project(args) as project:
        ordering = order_groups(focus_groups(project), args.order)  # a mistake is one line, before any work
        units, coder, note = chosen_units(project, args.coder)
        codebook = project.codebook()
        result = saturation(units, ordering, codebook)
        if chart is not None:
            from ..exports.saturation import write_saturation_chart
            from ..store.deid import Redactor
            from .nlp_commands import ensure_name_findings

            ensure_name_findings(project, args.nlp_model)  # private by default: group names are hidden too
            redact = Redactor(project).text
            write_saturation_chart(chart, [redact(s.group) for s in result.steps],
                                   [len(s.new_codes) for s in result.steps], [s.codes_so_far for s in result.steps],
                                   title=f"New codes per focus group {ordering.description}, coder {coder}")
    names = {c.id: c.name for c in codebook.codes}
    if args.json:
        emit_json({**result.as_dict(), "coder": coder, "coder_note": note,
                   "names": {c: names[c] for c in result.themes + tuple(
                       code for s in result.steps for code in s.new_codes) if c in names}})
        return 0
    print(render_saturation(result, names, note, ordering.unplaced, args.order))
    if chart is not None:
        print(f"wrote {chart}")
    print(result.verdict())
    return 0


def render_saturation(result: Saturation, names: dict[str, str], note: str, unplaced: list[str], order: str) -> str:
    from .output import table

    ordered_by = None if order.strip() == "import" else ("date" if order.strip() == "date" else order.partition("=")[2])
    headers = ["#", "group", *([ordered_by] if ordered_by else []), "transcripts", "units", "new", "codes so far",
               "new codes"]
    rows = [[s.number, s.group, *([s.value or "-"] if ordered_by else []), ",".join(s.transcripts), s.units,
             len(s.new_codes), s.codes_so_far, ", ".join(s.new_codes)] for s in result.steps]
    shift = 1 if ordered_by else 0
    lines = [
        f"Saturation: codes used for the first time, focus group by focus group, {result.order}",
        note,
        "Codes: each code as itself (a subtheme's first unit is a new subtheme, not a new theme)",
        "",
        table(headers, rows, right=(0, 3 + shift, 4 + shift, 5 + shift)),
    ]
    if unplaced:
        verb = "has" if len(unplaced) == 1 else "have"
        lines.append(f"{', '.join(unplaced)} {verb} no {ordered_by}: placed last, in import order")
    groups = [s.group for s in result.steps]
    lines += ["", "Units so far, per theme (with its subthemes), after each focus group",
              table(["theme", "name", *groups],
                    [[t, names.get(t, ""), *(s.themes[t] for s in result.steps)] for t in result.themes],
                    right=tuple(range(2, 2 + len(groups))))]
    if result.roles:
        lines += ["", "Units so far, per role",
                  table(["role", *groups], [[r, *(s.roles[r] for s in result.steps)] for r in result.roles],
                        right=tuple(range(1, 1 + len(groups))))]
    if result.unused:
        lines += ["", f"Codes never used: {', '.join(result.unused)}"]
    lines.append("")
    return "\n".join(lines)


# --- the commands ------------------------------------------------------------------------------------


def _project_and_json(p, func) -> None:
    """What :func:`.common.add_command` gives a command, for one that needs its own description
    and epilog: the project argument, ``--json`` and the handler."""
    p.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=func)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``qualcode cooccurrence`` and ``qualcode saturation``."""
    help = "which codes are coded together: counts and ATLAS.ti's c-coefficient per pair, or the passages of two"
    p = sub.add_parser("cooccurrence", help=help, description=help + ".",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=(
        "what is counted (one coder's units: --coder, else the consensus, else the only coder):\n"
        "  unit level   two units of one coder in one transcript co-occur when their spans share a character;\n"
        "               n A = units coded A, both = pairs of overlapping units coded A and B (as ATLAS.ti)\n"
        "  turn level   a unit belongs to the turn it starts in; n A = turns holding A, both = turns holding both\n"
        "  c            both / (n A + n B - both): 0 never together, 1 always together; '*' when a unit overlaps\n"
        "               several units of the other code (c then overstates the relation)\n"
        "  codes        each code as itself; --subcodes counts a theme with its subthemes' units\n"
        "\nexamples:\n"
        "  qualcode cooccurrence studie.qualcode --coder AB\n"
        "  qualcode cooccurrence studie.qualcode --by role --csv par.csv\n"
        "  qualcode cooccurrence studie.qualcode --codes hap-solskinn,recovery-pasienter"
    ))
    _project_and_json(p, cmd_cooccurrence)
    p.add_argument("--coder", help="whose units (default: the consensus if any, else the only coder)")
    p.add_argument("--by", choices=("role", "group"), help="split the counts by speaker role or focus group")
    p.add_argument("--level", choices=("unit", "turn"), default="unit",
                   help="co-coded: overlapping units (default), or units in the same speaker turn")
    p.add_argument("--codes", metavar="A,B", help="list the passages coded with both A and B")
    p.add_argument("--subcodes", action="store_true", help="a code includes its subcodes' units")
    p.add_argument("--csv", metavar="FILE",
                   help="also write the pairs (or with --codes the passages, de-identified) as CSV")
    p.add_argument("--nlp-model", metavar="NAME_OR_PATH", help=NLP_MODEL_HELP)

    help = "saturation: the codes each focus group used for the first time, and the totals so far"
    p = sub.add_parser("saturation", help=help, description=help + ".",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=(
        "the order of the focus groups (--order):\n"
        "  import       the order their transcripts were imported (default)\n"
        "  date         a group attribute named date or dato (2024-03-07 or 07.03.2024)\n"
        "  attr=KEY     any group attribute, in natural order (2 before 10)\n"
        "  groups without the attribute come last; a transcript in no group is a group of its own\n"
        "\nexamples:\n"
        "  qualcode saturation studie.qualcode\n"
        "  qualcode saturation studie.qualcode --order date --chart metning.png"
    ))
    _project_and_json(p, cmd_saturation)
    p.add_argument("--order", default="import", metavar="import|date|attr=KEY",
                   help="the order of the focus groups (default: import)")
    p.add_argument("--coder", help="whose units (default: the consensus if any, else the only coder)")
    p.add_argument("--chart", metavar="FILE.png|FILE.svg",
                   help="also draw new codes per group (bars) and codes so far (line)")
    p.add_argument("--nlp-model", metavar="NAME_OR_PATH", help=NLP_MODEL_HELP)
