"""Tables that fit the screen: the long columns (a title, a quote) are cut to the room left beside
the short ones, so no column a coder looks for (units, coded %, the code) is pushed out of view on
a narrow terminal. Cells are cut with :func:`~qualcode.tui.text.shorten` (an ellipsis at the end),
and filled anew when the width changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.cells import cell_len
from textual.widgets import DataTable

from .text import shorten

LEAST = 8  # a cut column keeps at least this many cells
SCROLLBAR = 2  # cells kept free for the table's scroll bar


def fit_widths(natural: Mapping[str, int], shrink: Mapping[str, float], width: int, pad: int) -> dict[str, int]:
    """Widths for the ``shrink`` columns (each with its share of the room) so that every column of
    ``natural`` (widths of the longest cell or label) fits ``width``; {} if all fit as they are."""
    room = width - SCROLLBAR - sum(w + pad for c, w in natural.items() if c not in shrink) - pad * len(shrink)
    if sum(natural[c] for c in shrink) <= room:
        return {}
    widths = {c: max(LEAST, int(room * share)) for c, share in shrink.items()}
    spare = 0
    for c in shrink:  # a column that needs less than its share gives the rest to the others
        if natural[c] < widths[c]:
            spare += widths[c] - natural[c]
            widths[c] = natural[c]
    wanting = [c for c in shrink if natural[c] > widths[c]]
    for c in wanting:
        widths[c] += spare // len(wanting)
    return widths


def fill(table: DataTable, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[object]]],
         shrink: Mapping[str, float], width: int, cell: Callable[[object], object] = lambda value: value,
         ) -> dict[str, int]:
    """Fill ``table`` with ``rows`` (key, cells), the ``shrink`` columns cut to fit ``width``;
    the cursor stays on its row. ``cell`` makes each shown cell (``Text``: shown as written).
    Returns the widths the cut columns got."""
    natural = {c: max([cell_len(c), *(cell_len(str(values[i])) for _, values in rows)]) for i, c in enumerate(columns)}
    widths = fit_widths(natural, shrink, width, 2 * table.cell_padding)
    row = table.cursor_row
    table.clear(columns=True)  # (a column keeps the width of the longest value it ever had)
    for column in columns:
        table.add_column(column, key=column)
    for key, values in rows:
        cells = (shorten(str(v), widths[c]) if c in widths else v for c, v in zip(columns, values, strict=True))
        table.add_row(*(cell(value) for value in cells), key=key)
    if table.row_count:
        table.move_cursor(row=min(max(row, 0), table.row_count - 1))
    return widths
