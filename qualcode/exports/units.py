"""Coded meaning units as a table: CSV, XLSX or JSON, one row per unit.

Columns: unit id, transcript, title, focus group and one column per group attribute, turn,
speaker, role, timestamp, start, end, text, condensed meaning, theme, subtheme, code, code path,
coder, memo, starred. ``start``/``end`` are offsets into the stored transcript (see README, "Text
and offsets"); the text is de-identified unless the export says otherwise.

* **CSV** is UTF-8 with a byte-order mark, so Excel shows æøå right when the file is opened with
  a double click; ``delimiter=';'`` suits Excel with Norwegian settings. A cell that would start
  with ``= + - @`` gets a leading apostrophe, so a spreadsheet does not run it as a formula
  (transcripts often start a line with ``--``); JSON is the format for scripts.
* **XLSX** has a bold header row, frozen panes, an autofilter, sized and wrapped columns (each
  row as high as its wrapped text needs), A4 landscape print settings with the header row on every
  page, an *About* sheet saying what was exported, and on request one sheet per theme. Its headers
  and sheet names are in the export's language (CSV and JSON keep the English column names, for
  scripts). Cells are written as text, never as formulas.
* **JSON** is an object with the export's description and a ``units`` list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from copy import copy
from functools import cache
from pathlib import Path
from typing import Any

from .atomic import write_bytes, write_text
from .base import IDENTIFIABLE_WARNING, XML_ILLEGAL, ExportData, ExportUnit, xml_safe
from .labels import UNIT_COLUMNS_NB
from .xlsx_layout import row_height, set_language, setup_print

# (header, ExportUnit attribute); the group attributes are inserted after "group". A row's values
# are in this order (:func:`_row`).
_COLUMNS = [
    ("unit", "id"), ("transcript", "transcript"), ("title", "title"), ("group", "group"),
    ("turn", "turn"), ("speaker", "speaker"), ("role", "role"), ("timestamp", "timestamp"),
    ("start", "start"), ("end", "end"), ("text", "text"), ("condensed meaning", "condensed"),
    ("theme", "theme"), ("subtheme", "subtheme"), ("code", "code"), ("code path", "code_path"),
    ("coder", "coder"), ("memo", "memo"), ("starred", "starred"),
]
_WIDE = {"text": 80, "condensed": 45, "memo": 45, "code_path": 45, "title": 30}  # by attribute; wrapped
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767


def columns(data: ExportData, *, localised: bool = False) -> list[tuple[str, str | tuple[str, str]]]:
    """(header, key) pairs; a key is an :class:`ExportUnit` attribute or ("attr", name) for a
    group attribute. Headers are English (CSV, JSON) unless ``localised`` (XLSX), then in the
    export's language."""
    nb = localised and data.lang == "nb"
    out: list[tuple[str, str | tuple[str, str]]] = []
    for header, key in _COLUMNS:
        out.append((UNIT_COLUMNS_NB[key] if nb else header, key))
        if key == "group":
            prefix = "gruppe" if nb else "group"
            out.extend((f"{prefix}: {name}", ("attr", name)) for name in data.attribute_keys())
    return out


def _row(u: ExportUnit, attribute_keys: list[str]) -> list[Any]:
    """A unit's cells in :func:`columns`' order: ``None`` as "", the code path joined, a star as "yes"."""
    attributes = u.group_attributes
    return [
        u.id, u.transcript, u.title, u.group, *[attributes.get(k, "") for k in attribute_keys],
        "" if u.turn is None else u.turn, u.speaker, u.role or "", u.timestamp or "", u.start, u.end, u.text,
        u.condensed, u.theme, u.subtheme, u.code, " > ".join(u.code_path), u.coder, u.memo,
        "yes" if u.starred else "",
    ]


def rows(data: ExportData, units: list[ExportUnit] | None = None) -> tuple[list[str], list[list[Any]]]:
    keys = data.attribute_keys()
    return [h for h, _ in columns(data)], [_row(u, keys) for u in (data.units if units is None else units)]


# --- CSV -------------------------------------------------------------------------------------------


def write_csv(data: ExportData, path: Path, *, delimiter: str = ",") -> None:
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"unusable CSV delimiter {delimiter!r}")
    headers, body = rows(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if not data.deidentified:
        headers = ["WARNING"] + headers
        body = [[IDENTIFIABLE_WARNING if i == 0 else "identifiable"] + row for i, row in enumerate(body)] or \
            [[IDENTIFIABLE_WARNING] + [""] * (len(headers) - 1)]
    writer.writerow(headers)
    writer.writerows([_csv_safe(v) for v in row] for row in body)
    write_text(path, buffer.getvalue(), bom=True)


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- JSON ------------------------------------------------------------------------------------------


def write_json(data: ExportData, path: Path) -> None:
    document = {
        "project": data.project_name,
        "exported_at": data.exported_at.isoformat(),
        "deidentified": data.deidentified,
        "hidden_terms": data.redactor.reviewed_count if data.deidentified else None,
        "hidden_unreviewed": data.redactor.unreviewed_count if data.deidentified else None,
        "coders_note": data.coders_note(),
        "warning": None if data.deidentified else IDENTIFIABLE_WARNING,
        "selection": {
            "coder": data.selection.coder, "theme": data.selection.theme, "role": data.selection.role,
            "starred": data.selection.starred,
        },
        "units": [u.as_dict() for u in data.units],
    }
    write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


# --- XLSX ------------------------------------------------------------------------------------------


def write_xlsx(data: ExportData, path: Path, *, sheet_per_theme: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    t = data.labels
    keys = [key for _, key in columns(data)]
    headers = [h for h, _ in columns(data, localised=True)]
    wrap_columns = [i for i, k in enumerate(keys) if isinstance(k, str) and k in _WIDE]
    book = Workbook(write_only=True)
    set_language(book, t.locale)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    warning_font = Font(bold=True, color="C00000")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def sheet(title: str, units: list[ExportUnit]) -> None:
        ws = book.create_sheet(title)
        _, body = rows(data, units)
        widths = [min(max(len(h) + 2, 8), 40) for h in headers]
        for row in body[:500]:  # a sample is enough to size the columns
            for i, value in enumerate(row):
                widths[i] = max(widths[i], min(len(str(value)) + 2, 40))
        for i, key in enumerate(keys):
            if isinstance(key, str) and key in _WIDE:
                widths[i] = _WIDE[key]
            ws.column_dimensions[get_column_letter(i + 1)].width = widths[i]
        first = 1 if data.deidentified else 2  # the header's row: below the warning, if there is one
        ws.freeze_panes = f"A{first + 1}"  # before the first row: a write-only sheet writes its views then
        setup_print(ws, title_rows=f"{first}:{first}", title_cols="A:A")  # each page: the header, unit ids
        for n, row in enumerate(body, first + 1):  # rows as high as their wrapped text (LibreOffice)
            height = row_height(row, widths, wrap_columns)
            if height:
                ws.row_dimensions[n].height = height
        if not data.deidentified:
            banner = WriteOnlyCell(ws, value=data.warning)
            banner.font = warning_font
            ws.append([banner])
        last = get_column_letter(len(headers))
        ws.auto_filter.ref = f"A{first}:{last}{first + max(len(body), 1)}"
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font, cell.fill = bold, header_fill
            header_cells.append(cell)
        ws.append(header_cells)
        styles = []
        wrap_set = set(wrap_columns)
        for i in range(len(headers)):
            template = WriteOnlyCell(ws)
            template.alignment = wrap if i in wrap_set else top
            styles.append(template)
        _append_rows(ws, body, styles)

    sheet(t["units sheet"], data.units)
    if sheet_per_theme:
        taken = {t["units sheet"].casefold(), t["about sheet"].casefold()}
        theme_of = {node.id: data.codebook.path(node.id)[0].id for node in data.codebook.codes}
        for root in data.codebook.children(None):
            name = data.redactor.text(root.name)
            units = [u for u in data.units if theme_of[u.code] == root.id]
            sheet(_sheet_title(name, taken), units)
    about = book.create_sheet(t["about sheet"])
    about.column_dimensions["A"].width = 110
    setup_print(about, landscape=False, title_rows=None)
    for n, line in enumerate(data.header_lines(), 1):
        height = row_height([line], [110], [0])
        if height:
            about.row_dimensions[n].height = height
        cell = WriteOnlyCell(about, value=line)
        cell.data_type = "s"
        cell.alignment = wrap
        if line == data.warning:
            cell.font = warning_font
        about.append([cell])
    about.append([])
    about.append([t["offsets note"]])
    buffer = io.BytesIO()  # finished in memory: a full disk then fails one plain write, not openpyxl
    book.save(buffer)
    write_bytes(path, buffer.getvalue())


def _xlsx_value(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    if len(value) > XLSX_CELL_LIMIT:
        value = value[: XLSX_CELL_LIMIT - 20] + " … [cut: too long]"
    return value


# Refill one cell per column for every row (below); False: openpyxl's public way, a new styled cell
# for each value (the tests compare the two).
FAST_ROWS = True


def _append_rows(ws: Any, body: list[list[Any]], styles: list[Any]) -> None:
    """Append the units' rows to a write-only sheet: each cell styled as its column's template, a
    text always text (never a formula).

    openpyxl's public way, a styled ``WriteOnlyCell`` for each value, costs more than the rest of
    the file: every cell is bound to its value twice (once failing, with an exception) and its
    style hashed again. Here one cell per column, its style's index known, is refilled for each
    row through the write-only sheet's row hook (``_values_to_row``); openpyxl still writes every
    cell, so the XML is the same."""
    if not body:
        return
    if not FAST_ROWS or not callable(getattr(ws, "_values_to_row", None)):
        for row in body:
            cells = []
            for value, template in zip(row, styles):
                cell = type(template)(ws, row=1, column=1, value=_xlsx_value(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with "="
                cell._style = copy(template._style)
                cells.append(cell)
            ws.append(cells)
        return
    cell_class = _column_cell()
    book = ws.parent
    cells = []
    for column, template in enumerate(styles, 1):
        cell = cell_class(ws, row=1, column=column, style_array=copy(template._style))
        cell.style_index = book._cell_styles.add(cell._style)  # what style_id would add, in the same order
        cells.append(cell)
    has_illegal = XML_ILLEGAL.search

    def refill(values: list[Any], row: int) -> Iterator[Any]:
        for cell, value in zip(cells, values):
            if value is None:  # as openpyxl: no cell at all
                continue
            cell.row = row
            kind = type(value)
            if kind is str:
                if len(value) > XLSX_CELL_LIMIT or has_illegal(value):
                    value = _xlsx_value(value)
                cell._value, cell.data_type = value, "s"
            elif kind is int:
                cell._value, cell.data_type = value, "n"
            else:
                cell.value = value  # openpyxl's own binding
            yield cell

    ws._values_to_row = refill
    for row in body:
        ws.append(row)


@cache
def _column_cell() -> type:
    from openpyxl.cell import Cell

    class ColumnCell(Cell):
        """A cell whose style's index in the workbook is known: openpyxl would hash the style
        again for each of a million cells to find it."""

        __slots__ = ("style_index",)

        @property
        def style_id(self) -> int:
            return self.style_index

        @property
        def has_style(self) -> bool:
            return True

    return ColumnCell


def _sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip().strip("'") or "Theme"
    base = base[:31]
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.casefold())
    return title


def write_units(data: ExportData, path: Path, fmt: str, *, delimiter: str = ",", sheet_per_theme: bool = False) -> None:
    if fmt == "csv":
        write_csv(data, path, delimiter=delimiter)
    elif fmt == "xlsx":
        write_xlsx(data, path, sheet_per_theme=sheet_per_theme)
    elif fmt == "json":
        write_json(data, path)
    else:
        raise ValueError(f"unknown units format {fmt!r}")
