"""The theme summary: the codebook with what was coded under each theme, as Markdown, DOCX or HTML.

For every theme and subtheme: its definition, how many meaning units and transcripts it has
(counting its subthemes' units too), counts by role (patients vs staff) and by focus group, the
most distinctive words when the NLP layer is available, and two or three exemplar quotes. Before
the themes come two matrices for the whole codebook, themes x roles and themes x focus groups
(what NVivo's matrix coding query gives, counting coded units), and a chart of units per theme by
role, embedded in DOCX and HTML and written beside a Markdown file (and beside an HTML file as a
PNG, for programs that do not show the inline SVG). Headings, labels and counts are in the export's
language (``nb`` or ``en``): ``Fokusgruppe 1: 1 enhet``, never ``Fokusgruppe 1 1``.

With several coders and no ``--coder``, every coder's units are counted (the header says so);
``--coder consensus`` gives the agreed view.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.models import CodeNode
from . import chart
from .atomic import atomic_paths
from .base import ExportData, ExportUnit, xml_safe
from .labels import Labels
from .quotes import Quote, make_quote, md_escape, new_document

EXEMPLARS = 3


@dataclass(slots=True)
class ThemeSummary:
    node: CodeNode  # de-identified texts
    depth: int
    units: int = 0  # this code's and its subcodes' units
    own_units: int = 0
    transcripts: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)
    words: list[tuple[str, float]] = field(default_factory=list)
    exemplars: list[Quote] = field(default_factory=list)


@dataclass(slots=True)
class Summary:
    data: ExportData
    themes: list[ThemeSummary]
    roles: list[str]
    groups: list[str]
    words_note: str | None = None  # why there are no distinctive words, if there are none

    @property
    def labels(self) -> Labels:
        return self.data.labels

    @property
    def top_level(self) -> list[ThemeSummary]:
        return [t for t in self.themes if t.depth == 0]

    def chart(self, fmt: str) -> bytes:
        top = self.top_level
        t = self.labels
        return chart.units_by_role(
            [x.node.name for x in top], self.roles, [[x.by_role.get(r, 0) for r in self.roles] for x in top],
            fmt=fmt, title=t["chart title"], axis=t["chart axis"], legend=t["chart legend"], empty=t["chart empty"],
        )


# Distinctive words per code id, as the command got them from the NLP layer; or a sentence saying
# why there are none. Exports never import the NLP layer themselves.
Words = Mapping[str, Sequence[tuple[str, float]]] | str | None


def summarise(data: ExportData, *, words: Words = None, exemplars: int = EXEMPLARS) -> Summary:
    book = data.codebook
    ancestors = {node.id: [n.id for n in book.path(node.id)] for node in book.codes}
    per_code: dict[str, list[ExportUnit]] = {}
    for unit in data.units:
        for code_id in ancestors[unit.code]:
            per_code.setdefault(code_id, []).append(unit)
    no_role, no_group = data.labels["no role"], data.labels["no group"]
    roles = _ordered((u.role or no_role for u in data.units), no_role)
    groups = sorted({u.group or no_group for u in data.units}, key=lambda g: (g == no_group, g))
    themes: list[ThemeSummary] = []
    for depth, node in book.walk():
        units = per_code.get(node.id, [])
        own = [u for u in units if u.code == node.id]
        summary = ThemeSummary(data.code(node.id), depth, len(units), len(own), len({u.transcript for u in units}))
        for u in units:
            role, group = u.role or no_role, u.group or no_group
            summary.by_role[role] = summary.by_role.get(role, 0) + 1
            summary.by_group[group] = summary.by_group.get(group, 0) + 1
        summary.exemplars = [make_quote(data, u) for u in choose_exemplars(own, exemplars)]
        themes.append(summary)
    result = Summary(data, themes, roles, groups)
    if words is None:
        result.words_note = data.labels["words left out"]
    elif isinstance(words, str):
        result.words_note = words
    else:
        _add_distinctive_words(result, words)
    return result


def _ordered(values, last: str) -> list[str]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts, key=lambda r: (r == last, -counts[r], r))


def choose_exemplars(units: list[ExportUnit], n: int = EXEMPLARS) -> list[ExportUnit]:
    """Up to ``n`` units that show a theme well: starred ones first, then ones of a quotable length
    (8 to 60 words), spread over transcripts and roles; one per span when coders agree."""
    by_span: dict[tuple[str, int, int], ExportUnit] = {}
    for u in units:
        by_span.setdefault(u.span, u)

    def rank(u: ExportUnit) -> tuple:
        words = len(u.text.split())
        return (not u.starred, not 8 <= words <= 60, abs(words - 25), u.transcript, u.start)

    candidates = sorted(by_span.values(), key=rank)
    chosen: list[ExportUnit] = []
    seen: set[tuple] = set()
    for u in candidates:  # first pass: a new transcript and role each time
        if len(chosen) == n:
            break
        key = (u.transcript, u.role)
        if key not in seen:
            chosen.append(u)
            seen.add(key)
    for u in candidates:  # then fill up
        if len(chosen) == n:
            break
        if u not in chosen:
            chosen.append(u)
    return chosen


def _add_distinctive_words(summary: Summary, found: Mapping[str, Sequence[tuple[str, float]]]) -> None:
    """Each theme's most distinctive words, without any word the redactor hides."""
    for theme in summary.themes:
        words = [(w, s) for w, s in found.get(theme.node.id, []) if summary.data.redactor.allows_word(w)]
        theme.words = words[:10]


def _matrix(summary: Summary, columns: list[str], attr: str) -> tuple[list[str], list[list[Any]]]:
    """Rows of a themes x roles (or groups) matrix: indented code name, one count per column, total."""
    t = summary.labels
    rows = []
    for theme in summary.themes:
        counts = getattr(theme, attr)
        rows.append(["\u2003" * theme.depth + theme.node.name, *[counts.get(c, 0) for c in columns], theme.units])
    by_column: dict[str, int] = {}
    for u in summary.data.units:
        key = (u.role or t["no role"]) if attr == "by_role" else (u.group or t["no group"])
        by_column[key] = by_column.get(key, 0) + 1
    total = [t["all units"], *[by_column.get(c, 0) for c in columns], len(summary.data.units)]
    rows.append(total)
    return [t["theme"], *columns, t["total"]], rows


def _matrices(summary: Summary) -> list[tuple[str, list[str], str]]:
    """(heading, columns, ThemeSummary attribute) of the two matrices."""
    t = summary.labels
    return [(t["themes x roles"], summary.roles, "by_role"), (t["themes x groups"], summary.groups, "by_group")]


def _details(summary: Summary, theme: ThemeSummary) -> list[tuple[str, str]]:
    """(label, text) lines shown under each theme's heading; every count with its noun."""
    t = summary.labels
    out = []
    if theme.node.definition:
        out.append((t["definition"], theme.node.definition))
    units = t.count(theme.units, "unit")
    if theme.units != theme.own_units:
        units += f" ({t['including subthemes']})"
    out.append((t["units"], t.text("units in", units=units, transcripts=t.count(theme.transcripts, "transcript"))))
    if theme.units:
        out.append((t["by role"], t.counts(theme.by_role, summary.roles)))
        out.append((t["by group"], t.counts(theme.by_group, summary.groups)))
    if theme.words:
        out.append((t["distinctive words"], ", ".join(w for w, _ in theme.words)))
    return out


# --- Markdown --------------------------------------------------------------------------------------


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    cell = lambda v: md_escape(str(v)).replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(summary: Summary, chart_name: str | None) -> str:
    data = summary.data
    t = summary.labels
    lines = [f"# {t['theme summary']}: {md_escape(data.project_name)}", ""]
    if not data.deidentified:
        lines += [f"**{data.warning}**", ""]
    lines += [md_escape(x) + "  " for x in data.header_lines() if x != data.warning] + [""]
    if chart_name:
        lines += [f"![{t['chart title']}]({chart_name})", ""]
    for title, columns, attr in _matrices(summary):
        lines += [f"## {title}", ""] + _md_table(*_matrix(summary, columns, attr)) + [""]
    lines += [t["matrix note"], ""]
    if summary.words_note:
        lines += [f"*{md_escape(summary.words_note)}*", ""]
    for theme in summary.themes:
        lines += ["#" * min(theme.depth + 2, 6) + " " + md_escape(theme.node.name), ""]
        lines += [f"**{label}:** {md_escape(text)}  " for label, text in _details(summary, theme)] + [""]
        for q in theme.exemplars:
            lines += [f"> «{md_escape(q.text)}» {q.attribution}" if not q.long else
                      f"> {md_escape(q.text)} {q.attribution}", ">", f"> <small>{md_escape(q.reference)}</small>", ""]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ------------------------------------------------------------------------------------------


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.5rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
blockquote { margin: 0.5rem 0 0.8rem 1.5rem; padding-left: 0.8rem; border-left: 3px solid #ccc; }
.ref { display: block; font-size: 0.75rem; color: #666; }
.warning { color: #b00; font-weight: bold; border: 2px solid #b00; padding: 0.5rem; }
.meta { font-size: 0.85rem; color: #555; }
dt { font-weight: bold; float: left; clear: left; margin-right: 0.4rem; }
dd { margin: 0 0 0.2rem 0; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.8rem; color: #555; }
@supports (display: flex) { div.chart-svg { display: block !important; } img.chart-png { display: none; } }
"""


def _html_table(headers: list[str], rows: list[list[Any]]) -> str:
    e = html.escape
    out = ["<table><thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        css = ' class="total"' if i == len(rows) - 1 else ""
        cells = "".join(f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{e(str(v))}</td>" for v in row)
        out.append(f"<tr{css}>{cells}</tr>")
    return "".join(out) + "</tbody></table>"


def render_html(summary: Summary, chart_name: str | None = None) -> str:
    """The summary as one HTML page with the chart inline as SVG; ``chart_name``: the PNG beside
    the page, shown instead by programs that do not draw inline SVG (word processors, mail
    programs: those without modern CSS, which also hide the SVG) and linked under the chart."""
    data = summary.data
    t = summary.labels
    e = html.escape
    svg = summary.chart("svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype to inline it
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)  # what matplotlib made it with
    title = f"{t['theme summary']}: {data.project_name}"
    parts = ["<!DOCTYPE html>", f'<html lang="{t.lang}"><head><meta charset="utf-8">',
             f"<title>{e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>"]
    if not data.deidentified:
        parts.append(f'<p class="warning">{e(data.warning)}</p>')
    meta = "<br>".join(e(x) for x in data.header_lines() if x != data.warning)
    parts.append(f'<p class="meta">{meta}</p>')
    if chart_name:
        name = e(chart_name)
        inches = chart.figure_size(len(summary.top_level))
        w, h = 600, round(600 * inches[1] / inches[0])  # both given: a word processor then scales it
        figure = (f'<figure role="img" aria-label="{e(t["chart title"])}">'
                  f'<div class="chart-svg" style="display: none">{svg}</div>'
                  f'<img class="chart-png" src="{name}" alt="{e(t["chart title"])}" width="{w}" height="{h}">'
                  f'<figcaption><a href="{name}">{e(t["chart fallback"])}</a></figcaption>')
    else:
        figure = f'<figure role="img" aria-label="{e(t["chart title"])}">{svg}'
    parts.append(figure + "</figure>")
    for heading, columns, attr in _matrices(summary):
        parts.append(f"<h2>{e(heading)}</h2>" + _html_table(*_matrix(summary, columns, attr)))
    parts.append(f'<p class="meta">{e(t["matrix note"])}</p>')
    if summary.words_note:
        parts.append(f'<p class="meta"><em>{e(summary.words_note)}</em></p>')
    for theme in summary.themes:
        level = min(theme.depth + 2, 6)
        parts.append(f"<h{level}>{e(theme.node.name)}</h{level}><dl>")
        parts += [f"<dt>{e(label)}:</dt><dd>{e(text)}</dd>" for label, text in _details(summary, theme)]
        parts.append("</dl>")
        for q in theme.exemplars:
            shown = f"«{q.text}»" if not q.long else q.text
            parts.append(f'<blockquote>{e(shown)} {e(q.attribution)}<span class="ref">{e(q.reference)}</span>'
                         "</blockquote>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


# --- DOCX ------------------------------------------------------------------------------------------


TABLE_PT = 10  # the matrices' type size in DOCX


def render_docx(summary: Summary) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    from .docx_layout import Cell, column_widths, fit_table, usable_width_cm

    data = summary.data
    t = summary.labels
    document = new_document(data, f"{t['theme summary']}: {data.project_name}")
    width = usable_width_cm()
    document.add_picture(io.BytesIO(summary.chart("png")), width=Cm(width))
    for heading, columns, attr in _matrices(summary):
        document.add_heading(heading, level=1)
        headers, rows = _matrix(summary, columns, attr)
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, headers):
            cell.text = ""
            run = cell.paragraphs[0].add_run(xml_safe(str(h)))
            run.bold, run.font.size = True, Pt(TABLE_PT)
        for i, row in enumerate(rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                run = paragraph.add_run(xml_safe(str(value)))
                run.bold, run.font.size = i == len(rows) - 1, Pt(TABLE_PT)
                if isinstance(value, int):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        last = len(rows) - 1  # the totals, in bold
        texts: list[list[Cell]] = [[str(h), *[(str(r[j]), i == last) for i, r in enumerate(rows)]]
                                   for j, h in enumerate(headers)]
        fit_table(table, column_widths(texts, width, TABLE_PT))
    note = document.add_paragraph(t["matrix note"])
    note.runs[0].font.size = Pt(9)
    note.paragraph_format.space_before = Pt(4)
    if summary.words_note:
        document.add_paragraph().add_run(summary.words_note).italic = True
    for theme in summary.themes:
        document.add_heading(xml_safe(theme.node.name), level=min(theme.depth + 1, 9))
        for label, text in _details(summary, theme):
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(xml_safe(text))
        for q in theme.exemplars:
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(xml_safe(f"«{q.text}»" if not q.long else q.text) + " " + q.attribution)
            ref = paragraph.add_run("\n" + xml_safe(q.reference))
            ref.font.size, ref.font.color.rgb = Pt(8), RGBColor(0x70, 0x70, 0x70)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- writing ---------------------------------------------------------------------------------------


def chart_path_for(path: Path) -> Path:
    """Where a Markdown or HTML summary's chart goes: beside it, ``<name>-chart.png``."""
    return path.with_name(f"{path.stem}-chart.png")


def write_summary(data: ExportData, path: Path, fmt: str, *, words: Words = None) -> list[Path]:
    """Write the summary; returns every file written (a Markdown or HTML summary has its chart
    beside it as a PNG)."""
    summary = summarise(data, words=words)
    if fmt in ("md", "html"):
        chart_file = chart_path_for(path)
        render = render_markdown if fmt == "md" else render_html
        with atomic_paths(path, chart_file) as (temp, temp_chart):
            temp_chart.write_bytes(summary.chart("png"))
            temp.write_text(render(summary, chart_file.name), encoding="utf-8")
        return [path, chart_file]
    if fmt == "docx":
        content = render_docx(summary)
    else:
        raise ValueError(f"unknown summary format {fmt!r}")
    with atomic_paths(path) as (temp,):
        temp.write_bytes(content)
    return [path]


def write_chart(data: ExportData, path: Path, fmt: str) -> None:
    summary = summarise(data, words=None, exemplars=0)
    with atomic_paths(path) as (temp,):
        temp.write_bytes(summary.chart(fmt))
