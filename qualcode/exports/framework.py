"""The framework matrix: rows (speakers, focus groups or roles) × themes, as NVivo's framework
matrices give, in XLSX or DOCX.

Each cell holds what the row's meaning units in that theme say: the condensed meaning of each
unit, or a short excerpt in «…» where a unit has none (``cells="excerpt"``: always the excerpt),
each followed by its unit's reference (``T1, turn 2, unit 5``; the quotes export's source
reference in short), in transcript order. Columns are the codebook's themes (a subtheme's units
count under their theme); with a theme chosen (``--theme``), its subthemes, after the theme itself
when units are coded on it. A passage that several units give the same text in one cell (two
coders, or two subthemes of the theme) appears once, with every unit's number (``units 9, 10``).

A speaker row is one speaker label in one focus group (``P1`` in two groups are two people); its
label is de-identified like every other text (a Teams label is often a name) and shown with the
role and group. Everything comes from :class:`ExportData`, so the unit selection (coder, theme,
role, starred, the consensus layer by default) and de-identification are those of every export.

XLSX: a frozen header row and first column, wrapped text, widths and row heights from the content,
A4 landscape print settings; an *About* sheet says what was exported. DOCX: a table on landscape
A4 pages, its header row repeated on each page, column widths from the content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_bytes
from .base import ExportData, ExportUnit, xml_safe
from .quotes import quote_text

ROWS = ("speaker", "group", "role")
CELLS = ("condensed", "excerpt")
EXCERPT_WORDS = 25
CELL_PT = 8.5  # the table's type size in DOCX


@dataclass(frozen=True, slots=True)
class Row:
    key: tuple[str, ...]
    label: str  # what the first column says: the speaker label, group or role (or "(no group)")
    group: str = ""  # "" when the units have no focus group (or the rows are roles)
    speaker: str = ""
    role: str = ""
    detail: str = ""  # a speaker row's role and group: "pasient, Fokusgruppe 1"

    @property
    def heading(self) -> str:
        """The label with its detail on one line, for a spreadsheet cell."""
        return f"{self.label} ({self.detail})" if self.detail else self.label


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    name: str  # de-identified


@dataclass(frozen=True, slots=True)
class Entry:
    units: tuple[ExportUnit, ...]  # one passage; several units when they say the same in one cell
    text: str  # the condensed meaning, or an excerpt in «…»
    excerpt: bool
    reference: str  # "T1, turn 2, unit 5"

    @property
    def unit(self) -> ExportUnit:
        return self.units[0]

    @property
    def line(self) -> str:
        return f"{self.text} ({self.reference})"


@dataclass(slots=True)
class FrameworkMatrix:
    data: ExportData
    rows_by: str
    cells_by: str
    rows: list[Row]
    columns: list[Column]
    cells: dict[tuple[tuple[str, ...], str], list[Entry]] = field(default_factory=dict)

    def cell(self, row: Row, column: Column) -> list[Entry]:
        return self.cells.get((row.key, column.id), [])

    @property
    def row_header(self) -> str:
        return self.data.labels[f"row {self.rows_by}"]

    @property
    def note(self) -> str:
        return self.data.labels[f"framework note {self.cells_by}"]


def framework_matrix(data: ExportData, *, rows: str = "speaker", cells: str = "condensed") -> FrameworkMatrix:
    """The matrix of ``data``'s units: one row per speaker, group or role; one column per theme."""
    if rows not in ROWS:
        raise ValueError(f"unknown framework rows {rows!r}: use {', '.join(ROWS)}")
    if cells not in CELLS:
        raise ValueError(f"unknown framework cells {cells!r}: use {', '.join(CELLS)}")
    columns, column_of = _columns(data)
    units = list(data.units)
    order = {tid: i for i, tid in enumerate(data.transcripts)}
    units.sort(key=lambda u: (order.get(u.transcript, len(order)), u.start, u.end, u.id))
    t = data.labels
    found: dict[tuple[str, ...], Row] = {}
    counts: dict[tuple[str, ...], int] = {}
    matrix = FrameworkMatrix(data, rows, cells, [], columns)
    for unit in units:
        column = column_of(unit.code)
        if column is None:
            continue
        row = _row(unit, rows, t)
        found.setdefault(row.key, row)
        counts[row.key] = counts.get(row.key, 0) + 1
        entries = matrix.cells.setdefault((row.key, column), [])
        entry = _entry(data, unit, cells)
        same = next((i for i, e in enumerate(entries) if e.unit.span == unit.span and e.text == entry.text), None)
        if same is None:
            entries.append(entry)
        else:
            merged = entries[same].units + (unit,)
            entries[same] = Entry(merged, entry.text, entry.excerpt, _reference(merged, t))
    matrix.rows = _ordered_rows(list(found.values()), rows, counts)
    return matrix


def _columns(data: ExportData) -> tuple[list[Column], Any]:
    """The matrix's columns and a function from a code id to its column's id (``None``: not shown)."""
    book = data.codebook
    theme = data.selection.theme
    if theme is None:
        ids = [node.id for node in book.children(None)]
        top = {node.id: book.path(node.id)[0].id for node in book.codes}
        return [Column(i, data.code(i).name) for i in ids], top.get
    children = [node.id for node in book.children(theme)]
    own = any(u.code == theme for u in data.units)
    ids = ([theme] if own or not children else []) + children
    below: dict[str, str] = {}
    for node in book.codes:
        path = [n.id for n in book.path(node.id)]
        if theme in path:
            i = path.index(theme)
            below[node.id] = path[i + 1] if i + 1 < len(path) else theme
    return [Column(i, data.code(i).name) for i in ids], below.get


def _row(unit: ExportUnit, rows: str, t: Any) -> Row:
    if rows == "group":
        return Row(("group", unit.group), unit.group or t["no group"], group=unit.group)
    if rows == "role":
        role = unit.role or ""
        return Row(("role", role), role or t["no role"], role=role)
    detail = ", ".join(x for x in (unit.role or "", unit.group) if x)
    return Row(("speaker", unit.group, unit.speaker), unit.speaker or t["no speaker"], group=unit.group,
               speaker=unit.speaker, role=unit.role or "", detail=detail)


def _ordered_rows(rows: list[Row], by: str, counts: dict[tuple[str, ...], int]) -> list[Row]:
    """Speakers in their focus group's order, then as they first speak; groups by name; roles by
    how many units they have; the rows without a group or role last."""
    if by == "role":
        return sorted(rows, key=lambda r: (not r.role, -counts[r.key], r.role))
    groups = sorted({r.group for r in rows}, key=lambda g: (not g, g))
    rank = {g: i for i, g in enumerate(groups)}
    return sorted(rows, key=lambda r: rank[r.group])  # stable: first appearance within a group


def _entry(data: ExportData, unit: ExportUnit, cells: str) -> Entry:
    reference = _reference((unit,), data.labels)
    if cells == "condensed" and unit.condensed.strip():
        return Entry((unit,), " ".join(unit.condensed.split()), False, reference)
    return Entry((unit,), f"«{excerpt(data, unit)}»", True, reference)


def _reference(units: tuple[ExportUnit, ...], t: Any) -> str:
    """``T1, turn 2, unit 5`` (:func:`.base.unit_reference`), or ``units 5, 9`` for one passage
    that several units give the same text."""
    first = units[0]
    parts = [first.transcript]
    if first.turn is not None:
        parts.append(f"{t['turn']} {first.turn}")
    ids = sorted({u.id for u in units})
    parts.append(t.text("unit ref", id=ids[0]) if len(ids) == 1 else t.text("units ref", ids=", ".join(map(str, ids))))
    return ", ".join(parts)


def excerpt(data: ExportData, unit: ExportUnit, words: int = EXCERPT_WORDS) -> str:
    """The unit's words as its speaker said them, at most ``words`` of them (then " …")."""
    said = quote_text(data, unit).replace("«", "‘").replace("»", "’").split()
    return " ".join(said[:words]) + (" …" if len(said) > words else "")


# --- XLSX ------------------------------------------------------------------------------------------


def write_xlsx(matrix: FrameworkMatrix, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .xlsx_layout import content_width, row_height, set_language, setup_print

    data = matrix.data
    t = data.labels
    book = Workbook()
    set_language(book, t.locale)
    ws = book.active
    ws.title = t["framework sheet"]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDDDDD")
    wrap = Alignment(wrap_text=True, vertical="top")
    first = 1
    if not data.deidentified:
        ws.append([data.warning])
        ws["A1"].font = Font(bold=True, color="C00000")
        first = 2
    ws.append([matrix.row_header] + [c.name for c in matrix.columns])
    for cell in ws[first]:
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    body = []
    for row in matrix.rows:
        values = [row.heading] + ["\n".join(f"• {e.line}" for e in matrix.cell(row, c)) or None
                                  for c in matrix.columns]
        body.append(values)
        ws.append([xml_safe(v) if v else v for v in values])
        for cell in ws[ws.max_row]:
            cell.alignment = wrap
        ws[f"A{ws.max_row}"].font = bold
    widths = [content_width([r[0] for r in body], header=matrix.row_header, cap=24, minimum=12)]
    for j, column in enumerate(matrix.columns, 1):  # narrow enough to print a few themes on a page
        widths.append(max(16, content_width([r[j] for r in body], header=column.name, cap=30)))
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    everything = list(range(len(widths)))
    header_height = row_height([matrix.row_header] + [c.name for c in matrix.columns], widths, everything)
    if header_height:
        ws.row_dimensions[first].height = header_height
    for n, values in enumerate(body, first + 1):
        height = row_height(values, widths, everything)
        if height:
            ws.row_dimensions[n].height = height
    ws.freeze_panes = f"B{first + 1}"
    setup_print(ws, fit_width=True, title_rows=f"{first}:{first}", title_cols="A:A")
    about = book.create_sheet(t["about sheet"])
    about.column_dimensions["A"].width = 110
    for line in data.header_lines() + ["", matrix.note]:
        about.append([line])
        about.cell(about.max_row, 1).alignment = wrap
        if line == data.warning:
            about.cell(about.max_row, 1).font = Font(bold=True, color="C00000")
        height = row_height([line], [110], [0])
        if height:
            about.row_dimensions[about.max_row].height = height
    setup_print(about, landscape=False, title_rows=None)
    buffer = io.BytesIO()  # finished in memory: a full disk then fails one plain write, not openpyxl
    book.save(buffer)
    write_bytes(path, buffer.getvalue())


# --- DOCX ------------------------------------------------------------------------------------------


def render_docx(matrix: FrameworkMatrix) -> bytes:
    from docx.shared import Pt, RGBColor

    from .docx_layout import Cell, column_widths, fit_table, usable_width_cm
    from .quotes import new_document

    data = matrix.data
    t = data.labels
    document = new_document(data, f"{t['framework']}: {data.project_name}", landscape=True)
    note = document.add_paragraph(matrix.note)
    for run in note.runs:
        run.font.size = Pt(9)
    table = document.add_table(rows=1, cols=1 + len(matrix.columns))
    table.style = "Table Grid"
    grey = RGBColor(0x60, 0x60, 0x60)

    def paragraph(cell: Any, first: bool) -> Any:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(3)
        p.paragraph_format.space_before = Pt(0)
        return p

    for cell, heading in zip(table.rows[0].cells, [matrix.row_header] + [c.name for c in matrix.columns]):
        run = paragraph(cell, True).add_run(xml_safe(heading))
        run.bold, run.font.size = True, Pt(CELL_PT + 0.5)
    texts: list[list[Cell]] = [[matrix.row_header]]
    texts += [[c.name] for c in matrix.columns]
    for row in matrix.rows:
        cells = table.add_row().cells
        label = paragraph(cells[0], True)
        run = label.add_run(xml_safe(row.label))
        run.bold, run.font.size = True, Pt(CELL_PT)
        texts[0].append((row.label, True))
        if row.detail:
            detail = label.add_run("\n" + xml_safe(row.detail))
            detail.font.size, detail.font.color.rgb = Pt(CELL_PT - 1), grey
            texts[0].append(row.detail)
        for j, (cell, column) in enumerate(zip(cells[1:], matrix.columns), 1):
            for k, entry in enumerate(matrix.cell(row, column)):
                p = paragraph(cell, k == 0)
                p.add_run(xml_safe(entry.text)).font.size = Pt(CELL_PT)
                ref = p.add_run(" (" + xml_safe(entry.reference) + ")")
                ref.font.size, ref.font.color.rgb = Pt(CELL_PT - 1.5), grey
                texts[j].append(entry.line)
    fit_table(table, column_widths(texts, usable_width_cm(landscape=True), CELL_PT, typical_cap=200, equal_from=1))
    if not matrix.rows:
        document.add_paragraph(t["none match"])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(matrix: FrameworkMatrix, path: Path) -> None:
    write_bytes(path, render_docx(matrix))


def write_framework(data: ExportData, path: Path, fmt: str, *, rows: str = "speaker",
                    cells: str = "condensed") -> None:
    matrix = framework_matrix(data, rows=rows, cells=cells)
    if fmt == "xlsx":
        write_xlsx(matrix, path)
    elif fmt == "docx":
        write_docx(matrix, path)
    else:
        raise ValueError(f"unknown framework format {fmt!r}")
