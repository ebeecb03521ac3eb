"""The theme summary: the codebook with what was coded under each theme, as Markdown, DOCX or HTML.

For every theme and subtheme: its definition, how many meaning units and transcripts it has
(counting its subthemes' units too), counts by role (patients vs staff) and by focus group, the
most distinctive words when the NLP layer is available, and two or three exemplar quotes. Before
the themes come two matrices for the whole codebook, themes x roles and themes x focus groups
(what NVivo's matrix coding query gives, counting coded units), and a chart of units per theme by
role, embedded in DOCX and HTML and written beside a Markdown file.

With several coders and no ``--coder``, every coder's units are counted (the header says so);
``--coder consensus`` gives the agreed view.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.models import CodeNode
from . import chart
from .atomic import atomic_paths
from .base import IDENTIFIABLE_WARNING, ExportData, ExportUnit, xml_safe
from .quotes import Quote, make_quote, md_escape, new_document

NO_ROLE = "(no role)"
NO_GROUP = "(no group)"
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
    def top_level(self) -> list[ThemeSummary]:
        return [t for t in self.themes if t.depth == 0]

    def chart(self, fmt: str) -> bytes:
        top = self.top_level
        return chart.units_by_role(
            [t.node.name for t in top], self.roles, [[t.by_role.get(r, 0) for r in self.roles] for t in top],
            fmt=fmt,
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
    roles = _ordered(u.role or NO_ROLE for u in data.units)
    groups = sorted({u.group or NO_GROUP for u in data.units}, key=lambda g: (g == NO_GROUP, g))
    themes: list[ThemeSummary] = []
    for depth, node in book.walk():
        units = per_code.get(node.id, [])
        own = [u for u in units if u.code == node.id]
        summary = ThemeSummary(data.code(node.id), depth, len(units), len(own), len({u.transcript for u in units}))
        for u in units:
            role, group = u.role or NO_ROLE, u.group or NO_GROUP
            summary.by_role[role] = summary.by_role.get(role, 0) + 1
            summary.by_group[group] = summary.by_group.get(group, 0) + 1
        summary.exemplars = [make_quote(data, u) for u in choose_exemplars(own, exemplars)]
        themes.append(summary)
    result = Summary(data, themes, roles, groups)
    if words is None:
        result.words_note = "Distinctive words left out (--no-words)."
    elif isinstance(words, str):
        result.words_note = words
    else:
        _add_distinctive_words(result, words)
    return result


def _ordered(values) -> list[str]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts, key=lambda r: (r == NO_ROLE, -counts[r], r))


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


def _count_list(counts: dict[str, int], order: list[str]) -> str:
    return ", ".join(f"{k} {counts[k]}" for k in order if counts.get(k)) or "none"


def _matrix(summary: Summary, columns: list[str], attr: str) -> tuple[list[str], list[list[Any]]]:
    """Rows of a themes x roles (or groups) matrix: indented code name, one count per column, total."""
    rows = []
    for t in summary.themes:
        counts = getattr(t, attr)
        rows.append(["\u2003" * t.depth + t.node.name, *[counts.get(c, 0) for c in columns], t.units])
    by_column: dict[str, int] = {}
    for u in summary.data.units:
        key = (u.role or NO_ROLE) if attr == "by_role" else (u.group or NO_GROUP)
        by_column[key] = by_column.get(key, 0) + 1
    total = ["All units", *[by_column.get(c, 0) for c in columns], len(summary.data.units)]
    rows.append(total)
    return ["Theme", *columns, "Total"], rows


def _details(summary: Summary, t: ThemeSummary) -> list[tuple[str, str]]:
    """(label, text) lines shown under each theme's heading."""
    out = []
    if t.node.definition:
        out.append(("Definition", t.node.definition))
    sub = " (including subthemes)" if t.units != t.own_units else ""
    out.append(("Units", f"{t.units}{sub} in {t.transcripts} transcript(s)"))
    if t.units:
        out.append(("By role", _count_list(t.by_role, summary.roles)))
        out.append(("By focus group", _count_list(t.by_group, summary.groups)))
    if t.words:
        out.append(("Distinctive words", ", ".join(w for w, _ in t.words)))
    return out


MATRIX_NOTE = ("Counts are coded meaning units; a theme's row includes its subthemes' units. "
               "Several coders' units are all counted unless the export chose one coder.")


# --- Markdown --------------------------------------------------------------------------------------


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    cell = lambda v: md_escape(str(v)).replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(summary: Summary, chart_name: str | None) -> str:
    data = summary.data
    lines = [f"# Theme summary: {md_escape(data.project_name)}", ""]
    if not data.deidentified:
        lines += [f"**{IDENTIFIABLE_WARNING}**", ""]
    lines += [md_escape(x) + "  " for x in data.header_lines() if x != IDENTIFIABLE_WARNING] + [""]
    if chart_name:
        lines += [f"![Meaning units per theme, by role]({chart_name})", ""]
    for title, columns, attr in (("Themes × roles", summary.roles, "by_role"),
                                 ("Themes × focus groups", summary.groups, "by_group")):
        lines += [f"## {title}", ""] + _md_table(*_matrix(summary, columns, attr)) + [""]
    lines += [MATRIX_NOTE, ""]
    if summary.words_note:
        lines += [f"*{md_escape(summary.words_note)}*", ""]
    for t in summary.themes:
        lines += ["#" * min(t.depth + 2, 6) + " " + md_escape(t.node.name), ""]
        lines += [f"**{label}:** {md_escape(text)}  " for label, text in _details(summary, t)] + [""]
        for q in t.exemplars:
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
"""


def _html_table(headers: list[str], rows: list[list[Any]]) -> str:
    e = html.escape
    out = ["<table><thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        css = ' class="total"' if i == len(rows) - 1 else ""
        cells = "".join(f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{e(str(v))}</td>" for v in row)
        out.append(f"<tr{css}>{cells}</tr>")
    return "".join(out) + "</tbody></table>"


def render_html(summary: Summary) -> str:
    data = summary.data
    e = html.escape
    svg = summary.chart("svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype to inline it
    parts = ["<!DOCTYPE html>", '<html lang="nb"><head><meta charset="utf-8">',
             f"<title>Theme summary: {e(data.project_name)}</title><style>{_CSS}</style></head><body>",
             f"<h1>Theme summary: {e(data.project_name)}</h1>"]
    if not data.deidentified:
        parts.append(f'<p class="warning">{e(IDENTIFIABLE_WARNING)}</p>')
    meta = "<br>".join(e(x) for x in data.header_lines() if x != IDENTIFIABLE_WARNING)
    parts.append(f'<p class="meta">{meta}</p>')
    parts.append(f'<figure role="img" aria-label="Meaning units per theme, by role">{svg}</figure>')
    for title, columns, attr in (("Themes × roles", summary.roles, "by_role"),
                                 ("Themes × focus groups", summary.groups, "by_group")):
        parts.append(f"<h2>{e(title)}</h2>" + _html_table(*_matrix(summary, columns, attr)))
    parts.append(f'<p class="meta">{e(MATRIX_NOTE)}</p>')
    if summary.words_note:
        parts.append(f'<p class="meta"><em>{e(summary.words_note)}</em></p>')
    for t in summary.themes:
        level = min(t.depth + 2, 6)
        parts.append(f"<h{level}>{e(t.node.name)}</h{level}><dl>")
        parts += [f"<dt>{e(label)}:</dt><dd>{e(text)}</dd>" for label, text in _details(summary, t)]
        parts.append("</dl>")
        for q in t.exemplars:
            shown = f"«{q.text}»" if not q.long else q.text
            parts.append(f'<blockquote>{e(shown)} {e(q.attribution)}<span class="ref">{e(q.reference)}</span>'
                         "</blockquote>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


# --- DOCX ------------------------------------------------------------------------------------------


def render_docx(summary: Summary) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    data = summary.data
    document = new_document(data, f"Theme summary: {data.project_name}")
    document.add_picture(io.BytesIO(summary.chart("png")), width=Cm(16))
    for title, columns, attr in (("Themes × roles", summary.roles, "by_role"),
                                 ("Themes × focus groups", summary.groups, "by_group")):
        document.add_heading(title, level=1)
        headers, rows = _matrix(summary, columns, attr)
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, headers):
            cell.text = ""
            cell.paragraphs[0].add_run(xml_safe(str(h))).bold = True
        for i, row in enumerate(rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                run = cell.paragraphs[0].add_run(xml_safe(str(value)))
                run.bold = i == len(rows) - 1
                if isinstance(value, int):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    note = document.add_paragraph(MATRIX_NOTE)
    note.runs[0].font.size = Pt(9)
    if summary.words_note:
        document.add_paragraph().add_run(summary.words_note).italic = True
    for t in summary.themes:
        document.add_heading(xml_safe(t.node.name), level=min(t.depth + 1, 9))
        for label, text in _details(summary, t):
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(xml_safe(text))
        for q in t.exemplars:
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(xml_safe(f"«{q.text}»" if not q.long else q.text) + " " + q.attribution)
            ref = paragraph.add_run("\n" + xml_safe(q.reference))
            ref.font.size, ref.font.color.rgb = Pt(8), RGBColor(0x70, 0x70, 0x70)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- writing ---------------------------------------------------------------------------------------


def chart_path_for(path: Path) -> Path:
    """Where a Markdown summary's chart goes: beside it, ``<name>-chart.png``."""
    return path.with_name(f"{path.stem}-chart.png")


def write_summary(data: ExportData, path: Path, fmt: str, *, words: Words = None) -> list[Path]:
    """Write the summary; returns every file written (a Markdown summary has its chart beside it)."""
    summary = summarise(data, words=words)
    if fmt == "md":
        chart_file = chart_path_for(path)
        with atomic_paths(path, chart_file) as (temp, temp_chart):
            temp_chart.write_bytes(summary.chart("png"))
            temp.write_text(render_markdown(summary, chart_file.name), encoding="utf-8")
        return [path, chart_file]
    if fmt == "html":
        content = render_html(summary).encode("utf-8")
    elif fmt == "docx":
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
