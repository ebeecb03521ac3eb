"""How every XLSX export is laid out: A4 print settings, column widths and row heights from the
content, so that what a spreadsheet shows (and prints) is whole.

Column widths are in Excel's unit, about the width of one digit of the default font (Calibri 11).
A column gets room for its longest word and, up to a cap, its typical text; a wrapped cell's row
is given the height its lines need, since LibreOffice does not grow a row for wrapped text when
it opens a file (Excel does), and a row of default height hides all but the first line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

LINE_POINTS = 15.0  # one line of Calibri 11
MAX_ROW_POINTS = 409.0  # Excel's limit
PAPER_A4 = 9  # SpreadsheetML's code for A4 paper
CHARS_PER_UNIT = 1.15  # characters of running text per width unit (Calibri 11: about 1.2)
WRAP_LOSS = 3  # characters a wrapped line leaves empty at its end, on average


def content_width(values: Iterable[Any], *, header: str = "", cap: int = 60, minimum: int = 6) -> int:
    """A column's width: its header, its longest word and its typical length (up to ``cap``)."""
    longest_word = max((len(w) for w in header.split()), default=0)
    typical = len(header)
    for value in values:
        text = "" if value is None else str(value)
        for line in text.split("\n"):
            typical = max(typical, min(len(line), cap))
            for word in line.split():
                longest_word = max(longest_word, len(word))
    return max(minimum, min(max(typical, longest_word), max(cap, longest_word)) + 2)


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (estimated)."""
    per_line = max(1.0, (width - 1) * CHARS_PER_UNIT - WRAP_LOSS)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))


def row_height(values: Sequence[Any], widths: Sequence[float], wrapped: Iterable[int]) -> float | None:
    """The height (points) a row needs for its wrapped cells, or ``None`` when one line is enough."""
    lines = 1
    for i in wrapped:
        value = values[i] if i < len(values) else None
        if isinstance(value, str) and value:
            if len(value) < widths[i] * CHARS_PER_UNIT and "\n" not in value:
                continue
            lines = max(lines, lines_needed(value, widths[i]))
    if lines == 1:
        return None
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 2)


def setup_print(ws: Any, *, landscape: bool = True, fit_width: bool = False, title_rows: str | None = "1:1",
                title_cols: str | None = None) -> None:
    """A4 paper, landscape or portrait, the header row (and first column) printed on every page;
    ``fit_width``: the columns scaled to the paper's width (pages run downwards)."""
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.7


def set_language(book: Any, locale: str) -> None:
    """The workbook's language in its document properties (``dc:language``)."""
    book.properties.language = locale
