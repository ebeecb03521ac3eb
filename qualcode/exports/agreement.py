"""The agreement report as Markdown and XLSX, for the methods section of an article.

Both carry the same things: who was compared over which transcripts (and which were left out,
and why), a summary sentence to adapt, the figures per code, per theme, per transcript and per
role, the exact definitions of every unit of comparison, and the disagreements behind the
figures: every meaning unit where the coders differ, with its de-identified text, and every
stretch of participant text where they differ on a code. Markdown lists at most
:data:`MARKDOWN_SEGMENTS` of those stretches (they are many); the XLSX has them all.

Files are written whole or not at all (:mod:`.atomic`). openpyxl is imported only to write XLSX.
In the XLSX every column is as wide as its header and content need (long texts wrap, their rows
as high as the text), and every sheet prints on A4, one page wide, its header row on each page.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Set
from pathlib import Path
from typing import Any

from ..core.agreement import DEFINITIONS, NONE_VALUE, Figures
from ..core.errors import UserError
from ..store.agreement import ProjectAgreement
from ..store.pg.url import ServerAddress, working_folder
from .atomic import write_bytes, write_text
from .xlsx_layout import content_width, row_height, setup_print

FORMATS = ("md", "xlsx")
EXPORTS_FOLDER = "exports"
MARKDOWN_SEGMENTS = 300
EXCERPT = 400  # characters of a unit's text in Markdown
NUMBER = "—"  # shown for a figure that is not defined

IDENTIFIABLE = ("NOT DE-IDENTIFIED: the texts of the disagreements contain the names the project hides. "
                "Keep this file where your data-protection rules allow; do not share it.")


# --- numbers as people read them ------------------------------------------------------------------


def stat(value: float | None, digits: int = 3) -> str:
    """α, κ: three decimals; ``—`` where not defined."""
    return NUMBER if value is None else f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return NUMBER if value is None else f"{value:.1f}"


def interval(row: Figures, digits: int = 3) -> str:
    if row.alpha_low is None or row.alpha_high is None:
        return NUMBER
    return f"{row.alpha_low:.{digits}f} to {row.alpha_high:.{digits}f}"


def code_set(codes: list[str] | frozenset[str]) -> str:
    return ", ".join(sorted(codes)) if codes else NONE_VALUE


def _coders_words(coders: list[str]) -> str:
    words = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}
    names = ", ".join(coders[:-1]) + f" and {coders[-1]}"
    return f"{words.get(len(coders), str(len(coders)))} coders ({names})"


def summary_sentence(pa: ProjectAgreement) -> str:
    """A paragraph to adapt for the methods section."""
    r = pa.report
    o = r.overall
    n_t = len(r.transcripts)
    parts = [f"{_coders_words(r.coders)} coded {n_t} transcript{'s' if n_t != 1 else ''} independently."]
    ci = ""
    if o.alpha_low is not None:
        ci = f" (95 % CI {o.alpha_low:.2f} to {o.alpha_high:.2f}; {r.bootstrap:,} bootstrap resamples of the units)"
    parts.append(
        f"Over {o.units} meaning units, Krippendorff's α (nominal; a coder's value is the set of codes given to "
        f"the unit) was {stat(o.alpha, 2)}{ci}, and {percent(o.percent_units)} % of the units were given the "
        "same codes by every coder."
    )
    kappa_name = "Cohen's κ" if len(r.coders) == 2 else "the mean of the pairwise Cohen's κ (Light's κ)"
    parts.append(
        f"At character level over the participants' speech, {kappa_name} pooled over the {len(r.codes)} codes "
        f"was {stat(o.kappa, 2)} (mean of the per-code κ {stat(o.kappa_mean, 2)}; the coders agreed on "
        f"{percent(o.percent_characters)} % of code-by-character decisions), and Krippendorff's unitized α (uα) "
        f"was {stat(o.u_alpha, 2)}."
    )
    return " ".join(parts)


def header_lines(pa: ProjectAgreement) -> list[str]:
    from .. import __version__

    r = pa.report
    lines = [
        f"Project: {pa.project}",
        f"Coders: {', '.join(r.coders)}",
        "Transcripts compared: " + ", ".join(f"{t} «{pa.titles.get(t, '')}»" for t in r.transcripts),
    ]
    if pa.left_out:
        lines.append("Left out (not coded by every coder): " + "; ".join(
            f"{t} «{pa.titles.get(t, '')}» (no units by {', '.join(c)})" for t, c in pa.left_out.items()))
    lines.append(f"Meaning units: {len(r.units)}, of which {len(r.overall.disagreements)} with a disagreement")
    if pa.focus is not None:
        lines.append(f"Shown: code {pa.focus[0]} and its subcodes (figures are those of the whole comparison)")
    lines.append(f"Bootstrap: {r.bootstrap:,} resamples of the meaning units, seed {r.seed}" if r.bootstrap
                 else "Bootstrap: none (no intervals)")
    lines.append(f"Made: {pa.made_at:%Y-%m-%d %H:%M} UTC by qualcode {__version__}")
    if pa.deidentified:
        lines.append(pa.deid_line or f"De-identified: {pa.hidden_terms} reviewed name(s) hidden")
    else:
        lines.append(IDENTIFIABLE)
    return lines


# --- table rows, shared by Markdown and XLSX --------------------------------------------------------


CODE_COLUMNS = ["Code", "Name", "Units with the code", "% units agreed", "α", "α 95 % CI", "% characters agreed",
                "κ", "uα"]
SCOPE_COLUMNS = ["Units", "% units agreed", "α", "α 95 % CI", "Characters", "% characters agreed", "κ",
                 "mean per-code κ", "uα"]


def _ci(row: Figures, split: bool) -> list[Any]:
    """The interval as text (Markdown), or as two numbers, low and high (XLSX)."""
    return [row.alpha_low, row.alpha_high] if split else [interval(row)]


def _split_columns(columns: list[str]) -> list[str]:
    i = columns.index("α 95 % CI")
    return columns[:i] + ["α 95 % CI low", "α 95 % CI high"] + columns[i + 1:]


def code_rows(pa: ProjectAgreement, rows: list[Figures], split: bool = False) -> list[list[Any]]:
    return [[r.code, pa.name(r.code or ""), r.coded_units, r.percent_units, r.alpha, *_ci(r, split),
             r.percent_characters, r.kappa, r.u_alpha] for r in rows]


def scope_rows(pa: ProjectAgreement, rows: list[Figures], label, split: bool = False) -> list[list[Any]]:
    return [[*label(r), r.units, r.percent_units, r.alpha, *_ci(r, split), r.characters, r.percent_characters,
             r.kappa, r.kappa_mean, r.u_alpha] for r in rows]


def shown_themes(pa: ProjectAgreement) -> list[Figures]:
    rows = [r for r in pa.report.theme_rows if r.scope == "all" and r.code is not None]
    if pa.focus is not None:
        rows = [r for r in rows if r.code in pa.focus]
    return rows


def unit_entries(pa: ProjectAgreement) -> list[dict[str, Any]]:
    """The meaning units with a disagreement (those shown), with each coder's codes and the text."""
    r = pa.report
    out = []
    for i in pa.shown_units():
        unit = r.units[i]
        out.append({
            "index": i, "transcript": unit.transcript, "start": unit.start, "end": unit.end,
            "roles": ", ".join(r.unit_roles[i]),
            "codes": {c: sorted(unit.codes(c)) for c in r.coders},
            "spans": {c: ", ".join(f"{x.start}–{x.end}" for x in unit.by_coder[c]) for c in r.coders},
            "text": pa.unit_texts[i],
        })
    return out


def segment_entries(pa: ProjectAgreement) -> list[dict[str, Any]]:
    r = pa.report
    return [
        {"code": s.code, "transcript": s.transcript, "start": s.start, "end": s.end, "role": s.role,
         "coded_by": ", ".join(s.coded_by), "not_by": ", ".join(s.not_by), "text": pa.segment_texts[i]}
        for i, s in enumerate(r.segments) if pa.shows(s.code)
    ]


# --- Markdown --------------------------------------------------------------------------------------


def _md_cell(value: Any) -> str:
    if value is None:
        return NUMBER
    if isinstance(value, float):
        return stat(value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[Any]], percent_columns: Set[int] = frozenset()) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = [percent(v) if i in percent_columns and (v is None or isinstance(v, float)) else _md_cell(v)
                 for i, v in enumerate(row)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def markdown(pa: ProjectAgreement) -> str:
    r = pa.report
    lines = [f"# Intercoder agreement: {pa.project}", ""]
    lines += [f"- {line}" for line in header_lines(pa)]
    lines += ["", "## Summary", "", summary_sentence(pa), ""]

    lines += ["## Per code", ""]
    lines += _md_table(CODE_COLUMNS, code_rows(pa, [x for x in r.per_code() if pa.shows(x.code or "")]), {3, 6})
    o = r.overall
    lines += ["", f"All codes: α {stat(o.alpha)} (95 % CI {interval(o)}), {percent(o.percent_units)} % of units "
                  f"agreed; κ pooled {stat(o.kappa)}, mean per-code κ {stat(o.kappa_mean)}, "
                  f"{percent(o.percent_characters)} % of code-by-character decisions agreed; uα {stat(o.u_alpha)}.",
              ""]
    themes = shown_themes(pa)
    if themes:
        lines += ["## Per theme (subthemes counted as their theme)", ""]
        lines += _md_table(CODE_COLUMNS, code_rows(pa, themes), {3, 6})
        lines.append("")
    if len(r.coders) > 2:
        lines += ["## Pairs of coders (all codes, pooled κ)", ""]
        lines += _md_table(["Pair", "κ", "% characters agreed", "Both", "Only first", "Only second", "Neither"],
                           [[" – ".join(p.coders), p.kappa, p.percent, p.both, p.only_first, p.only_second,
                             p.neither] for p in o.kappa_pairs], {2})
        lines.append("")
    lines += ["## Per transcript (all codes)", ""]
    lines += _md_table(["Transcript", "Title"] + SCOPE_COLUMNS,
                       scope_rows(pa, r.per_transcript(), lambda x: [x.scope_value, pa.titles.get(x.scope_value, "")]),
                       {3, 7})
    lines += ["", "## Per role (all codes)", ""]
    lines += _md_table(["Role"] + SCOPE_COLUMNS, scope_rows(pa, r.per_role(), lambda x: [x.scope_value]), {2, 6})
    if pa.focus is not None:
        for code in pa.focus:
            if code not in r.codes:
                continue
            lines += ["", f"## {code} ({pa.name(code)}) per transcript and per role", ""]
            rows = scope_rows(pa, r.per_transcript(code), lambda x: ["transcript", x.scope_value])
            rows += scope_rows(pa, r.per_role(code), lambda x: ["role", x.scope_value])
            lines += _md_table(["", ""] + SCOPE_COLUMNS, rows, {3, 7})
    lines += ["", "## How the figures are computed", ""]
    lines += [f"- **{term}.** {text}" for term, text in DEFINITIONS]

    units = unit_entries(pa)
    lines += ["", f"## Meaning units with a disagreement ({len(units)})", ""]
    if not units:
        lines.append("None: every coder gave every meaning unit the same codes.")
    for k, u in enumerate(units, 1):
        lines.append(f"### {k}. {u['transcript']} {u['start']}–{u['end']} ({u['roles']})")
        lines.append("")
        for coder in r.coders:
            codes = u["codes"][coder]
            named = ", ".join(f"{c} ({pa.name(c)})" for c in codes) if codes else NONE_VALUE
            lines.append(f"- {coder}: {named}" + (f" — characters {u['spans'][coder]}" if u["spans"][coder] else ""))
        text = " ".join(u["text"].split())
        if len(text) > EXCERPT:
            text = text[:EXCERPT].rstrip() + " […]"
        lines += ["", f"> {text}", ""]

    segments = segment_entries(pa)
    lines += ["", f"## Stretches of participant text where the coders differ ({len(segments)})", ""]
    if segments:
        if len(segments) > MARKDOWN_SEGMENTS:
            lines += [f"The first {MARKDOWN_SEGMENTS} are listed; the XLSX report lists all {len(segments)}.", ""]
        rows = [[s["code"], s["transcript"], f"{s['start']}–{s['end']}", s["role"], s["coded_by"], s["not_by"],
                 _excerpt(s["text"], 120)] for s in segments[:MARKDOWN_SEGMENTS]]
        lines += _md_table(["Code", "Transcript", "Characters", "Role", "Coded by", "Not by", "Text"], rows)
    else:
        lines.append("None.")
    return "\n".join(lines).rstrip() + "\n"


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


def write_markdown(pa: ProjectAgreement, path: Path) -> None:
    write_text(Path(path), markdown(pa))


# --- XLSX ----------------------------------------------------------------------------------------


def write_xlsx(pa: ProjectAgreement, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    r = pa.report
    wb = Workbook()
    bold = Font(bold=True)

    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(title: str, headers: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None,
              widths: dict[int, int] | None = None):
        ws = wb.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.alignment = bold, wrap
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
        for col, number_format in (formats or {}).items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                cell.number_format = number_format
        given = widths or {}
        shown = []  # every column as wide as its longest word (a header may wrap), its text up to 30
        for col, header in enumerate(headers):
            width = given.get(col) or content_width(
                [_shown(row[col]) for row in rows[:500] if col < len(row)], header="", cap=30, minimum=8)
            width = max(width, max((len(w) for w in header.split()), default=0) + 2)
            shown.append(width)
            ws.column_dimensions[ws.cell(1, col + 1).column_letter].width = width
        wrapped = [col for col in given if given[col] >= 30]  # the long texts wrap, rows as high as needed
        for col in wrapped:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                cell.alignment = wrap
        for n, row in enumerate([headers] + rows, 1):
            height = row_height([_shown(v) for v in row], shown, wrapped if n > 1 else range(len(headers)))
            if height:
                ws.row_dimensions[n].height = height
        ws.freeze_panes = "A2"
        setup_print(ws, fit_width=True)
        return ws

    summary = wb.active
    summary.title = "Summary"
    summary.append(["Intercoder agreement"])
    summary["A1"].font = Font(bold=True, size=14)
    for line in header_lines(pa):
        summary.append([line])
    summary.append([])
    summary.append([summary_sentence(pa)])
    summary.cell(summary.max_row, 1).alignment = wrap
    summary.row_dimensions[summary.max_row].height = row_height([summary_sentence(pa)], [100], [0])
    summary.append([])
    o = r.overall
    for label, value, fmt in [
        ("Meaning units", o.units, "0"), ("% units agreed", o.percent_units, "0.0"),
        ("Krippendorff's α (overall)", o.alpha, "0.000"), ("α 95 % CI, low", o.alpha_low, "0.000"),
        ("α 95 % CI, high", o.alpha_high, "0.000"), ("Participant characters × codes", o.characters, "0"),
        ("% characters agreed", o.percent_characters, "0.0"), ("Cohen's κ, pooled", o.kappa, "0.000"),
        ("Mean of per-code κ", o.kappa_mean, "0.000"), ("Unitized α (uα)", o.u_alpha, "0.000"),
    ]:
        summary.append([label, _xlsx_value(value)])
        summary.cell(summary.max_row, 2).number_format = fmt
    summary.column_dimensions["A"].width = 100
    summary.column_dimensions["B"].width = 12
    for n in range(2, 2 + len(header_lines(pa))):  # the header's long lines wrap
        summary.cell(n, 1).alignment = wrap
        height = row_height([summary.cell(n, 1).value], [100], [0])
        if height:
            summary.row_dimensions[n].height = height
    setup_print(summary, landscape=False, fit_width=True, title_rows=None)

    code_formats = {3: "0.0", 4: "0.000", 5: "0.000", 6: "0.000", 7: "0.0", 8: "0.000", 9: "0.000"}
    code_columns = _split_columns(CODE_COLUMNS)
    sheet("Per code", code_columns, code_rows(pa, [x for x in r.per_code() if pa.shows(x.code or "")], True),
          code_formats, {1: 40})
    themes = shown_themes(pa)
    if themes:
        sheet("Per theme", code_columns, code_rows(pa, themes, True), code_formats, {1: 40})

    def scope_formats(offset: int) -> dict[int, str]:
        formats = {1: "0.0", 2: "0.000", 3: "0.000", 4: "0.000", 6: "0.0", 7: "0.000", 8: "0.000", 9: "0.000"}
        return {offset + k: f for k, f in formats.items()}

    scope_columns = _split_columns(SCOPE_COLUMNS)
    sheet("Per transcript", ["Transcript", "Title"] + scope_columns,
          scope_rows(pa, r.per_transcript(), lambda x: [x.scope_value, pa.titles.get(x.scope_value, "")], True),
          scope_formats(2), {1: 30})
    sheet("Per role", ["Role"] + scope_columns, scope_rows(pa, r.per_role(), lambda x: [x.scope_value], True),
          scope_formats(1), {0: 28})
    detail = []
    for code in r.codes:
        if not pa.shows(code):
            continue
        for row in r.per_transcript(code) + r.per_role(code):
            detail.append([code, pa.name(code), row.scope, row.scope_value, row.units, row.coded_units,
                           row.percent_units, row.alpha, row.characters, row.percent_characters, row.kappa,
                           row.u_alpha])
    sheet("Per code and scope", ["Code", "Name", "Scope", "Transcript or role", "Units", "Units with the code",
                                 "% units agreed", "α", "Characters", "% characters agreed", "κ", "uα"], detail,
          {6: "0.0", 7: "0.000", 9: "0.0", 10: "0.000", 11: "0.000"}, {1: 30})
    pairs = []
    for row in [o] + [x for x in r.per_code() if pa.shows(x.code or "")]:
        for p in row.kappa_pairs:
            pairs.append([row.code or "(all codes, pooled)", p.coders[0], p.coders[1], p.kappa, p.percent,
                          p.characters, p.both, p.only_first, p.only_second, p.neither])
    sheet("Kappa by pair", ["Code", "First coder", "Second coder", "κ", "% agreed", "Characters", "Both",
                            "Only first", "Only second", "Neither"], pairs, {3: "0.000", 4: "0.0"})
    units = unit_entries(pa)
    sheet("Unit disagreements", ["Unit", "Transcript", "Start", "End", "Roles"]
          + [f"{c} codes" for c in r.coders] + [f"{c} spans" for c in r.coders] + ["Text"],
          [[u["index"], u["transcript"], u["start"], u["end"], u["roles"]]
           + [code_set(u["codes"][c]) for c in r.coders] + [u["spans"][c] for c in r.coders] + [u["text"]]
           for u in units], widths={5 + 2 * len(r.coders): 100})
    sheet("Character disagreements", ["Code", "Transcript", "Start", "End", "Role", "Coded by", "Not by", "Text"],
          [[s["code"], s["transcript"], s["start"], s["end"], s["role"], s["coded_by"], s["not_by"], s["text"]]
           for s in segment_entries(pa)], widths={7: 100})
    sheet("Definitions", ["Term", "Definition"], [list(d) for d in DEFINITIONS], widths={0: 32, 1: 140})
    buffer = io.BytesIO()  # finished in memory: a full disk then fails one plain write, not openpyxl
    wb.save(buffer)
    write_bytes(Path(path), buffer.getvalue())


def _shown(value: Any) -> str:
    """A cell's value as a spreadsheet shows it, near enough to size its column."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _xlsx_value(value: Any) -> Any:
    """Numbers as numbers; text without control characters (XML refuses them)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_report(pa: ProjectAgreement, path: Path, fmt: str) -> None:
    if fmt == "md":
        write_markdown(pa, path)
    elif fmt == "xlsx":
        write_xlsx(pa, path)
    else:
        raise UserError(f"the agreement report can be written as {' or '.join(FORMATS)}; not {fmt!r}")


def default_name(project_path: Path | ServerAddress, coders: list[str], fmt: str, *, code: str | None = None,
                 transcripts: list[str] | None = None, stem: str | None = None) -> str:
    """``<project>-agreement-AB-CD[-code][-T1-T2].<fmt>``; ``stem``: the project file's name as the
    report may show it (de-identified: ``ProjectAgreement.file_stem``)."""
    parts = [stem or project_path.stem, "agreement", *coders]
    if code:
        parts.append(code)
    parts += transcripts or []
    return "-".join(_file_part(p) for p in parts) + f".{fmt}"


def default_path(project_path: Path | ServerAddress, coders: list[str], fmt: str, **what) -> Path:
    """:func:`default_name` in ``exports/`` beside the project (the folder is made if missing)."""
    folder = working_folder(project_path) / EXPORTS_FOLDER
    folder.mkdir(exist_ok=True)
    return folder / default_name(project_path, coders, fmt, **what)


def _file_part(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"[^\w.-]+", "_", value).strip("_") or "x"
