"""Coded meaning units as a table: CSV, XLSX or JSON, one row per unit.

Columns: unit id, transcript, title, focus group and one column per group attribute, turn,
speaker, role, timestamp, start, end, text, condensed meaning, theme, subtheme, code, code path,
coder, memo, starred. ``start``/``end`` are offsets into the stored transcript (see README, "Text
and offsets"); the text is de-identified unless the export says otherwise.

* **CSV** is UTF-8 with a byte-order mark, so Excel shows æøå right when the file is opened with
  a double click; ``delimiter=';'`` suits Excel with Norwegian settings. A cell that would start
  with ``= + - @`` gets a leading apostrophe, so a spreadsheet does not run it as a formula
  (transcripts often start a line with ``--``); JSON is the format for scripts.
* **XLSX** has a bold header row, frozen panes, an autofilter, sized and wrapped columns, an
  *About* sheet saying what was exported, and on request one sheet per theme. Cells are written as
  text, never as formulas.
* **JSON** is an object with the export's description and a ``units`` list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from copy import copy
from pathlib import Path
from typing import Any

from .atomic import write_bytes, write_text
from .base import IDENTIFIABLE_WARNING, ExportData, xml_safe

# (header, key in the unit dict); the group attributes are inserted after "group".
_COLUMNS = [
    ("unit", "id"), ("transcript", "transcript"), ("title", "title"), ("group", "group"),
    ("turn", "turn"), ("speaker", "speaker"), ("role", "role"), ("timestamp", "timestamp"),
    ("start", "start"), ("end", "end"), ("text", "text"), ("condensed meaning", "condensed"),
    ("theme", "theme"), ("subtheme", "subtheme"), ("code", "code"), ("code path", "code_path"),
    ("coder", "coder"), ("memo", "memo"), ("starred", "starred"),
]
_WIDE = {"text": 80, "condensed meaning": 45, "memo": 45, "code path": 45, "title": 30}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767


def columns(data: ExportData) -> list[tuple[str, Any]]:
    """(header, key) pairs; a key is a unit-dict key or ("attr", name) for a group attribute."""
    out: list[tuple[str, Any]] = []
    for header, key in _COLUMNS:
        out.append((header, key))
        if key == "group":
            out.extend((f"group: {name}", ("attr", name)) for name in data.attribute_keys())
    return out


def _value(unit: dict[str, Any], key: Any) -> Any:
    if isinstance(key, tuple):
        return unit["group_attributes"].get(key[1], "")
    value = unit[key]
    if key == "code_path":
        return " > ".join(value)
    if key == "starred":
        return "yes" if value else ""
    return "" if value is None else value


def rows(data: ExportData, units: list[dict[str, Any]] | None = None) -> tuple[list[str], list[list[Any]]]:
    cols = columns(data)
    return [h for h, _ in cols], [[_value(u, k) for _, k in cols] for u in (data.units if units is None else units)]


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
        "units": data.units,
    }
    write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


# --- XLSX ------------------------------------------------------------------------------------------


def write_xlsx(data: ExportData, path: Path, *, sheet_per_theme: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers, _ = rows(data, [])
    wrap_columns = {i for i, h in enumerate(headers) if h in _WIDE}
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    warning_font = Font(bold=True, color="C00000")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def sheet(title: str, units: list[dict[str, Any]]) -> None:
        ws = book.create_sheet(title)
        _, body = rows(data, units)
        widths = [min(max(len(h) + 2, 8), 40) for h in headers]
        for row in body[:500]:  # a sample is enough to size the columns
            for i, value in enumerate(row):
                widths[i] = max(widths[i], min(len(str(value)) + 2, 40))
        for i, header in enumerate(headers):
            ws.column_dimensions[get_column_letter(i + 1)].width = _WIDE.get(header, widths[i])
        first = 1 if data.deidentified else 2  # the header's row: below the warning, if there is one
        ws.freeze_panes = f"A{first + 1}"  # before the first row: a write-only sheet writes its views then
        if not data.deidentified:
            banner = WriteOnlyCell(ws, value=IDENTIFIABLE_WARNING)
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
        # Each cell takes a copy of its column's style array: the same result as setting
        # ``cell.alignment``, without openpyxl hashing the style again for 100,000 cells.
        styles = []
        for i in range(len(headers)):
            template = WriteOnlyCell(ws)
            template.alignment = wrap if i in wrap_columns else top
            styles.append(template._style)
        for row in body:
            cells = []
            for value, style in zip(row, styles):
                cell = WriteOnlyCell(ws, value=_xlsx_value(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with "="
                cell._style = copy(style)
                cells.append(cell)
            ws.append(cells)

    sheet("Units", data.units)
    if sheet_per_theme:
        taken = {"units", "about"}
        for root in data.codebook.children(None):
            name = data.redactor.text(root.name)
            units = [u for u in data.units if data.codebook.path(u["code"])[0].id == root.id]
            sheet(_sheet_title(name, taken), units)
    about = book.create_sheet("About")
    about.column_dimensions["A"].width = 110
    for line in data.header_lines():
        cell = WriteOnlyCell(about, value=line)
        cell.data_type = "s"
        if line == IDENTIFIABLE_WARNING:
            cell.font = warning_font
        about.append([cell])
    about.append([])
    about.append(["start and end are character offsets into the stored transcript (see 'qualcode show')."])
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
