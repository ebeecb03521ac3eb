"""The coding screen's list of meaning units: one line each, drawn with the Line API.

A list of a thousand units must not be rebuilt when one is added: :meth:`UnitList.insert_unit`,
:meth:`UnitList.remove_unit` and :meth:`UnitList.replace_unit` change one entry and repaint only the
visible rows from there down, and a row's look is cached under the unit itself (a frozen
:class:`~qualcode.core.units.MeaningUnit`), so rows that only moved down by one are not drawn
again. The user's words are shown as written, never read as markup.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.units import MeaningUnit

CACHE_ROWS = 2000
QUOTE = 40  # characters of the quote shown


def unit_label(unit: MeaningUnit, coder: str | None) -> str:
    """``★ hap-gjen [CD] · P1: «Eh, jeg kjente meg igjen…»``: the star, the code, another
    coder's initials, the speaker and the start of the quote."""
    star = "★ " if unit.starred else ""
    who = "" if unit.coder == coder else f" [{unit.coder}]"
    quote = unit.text.replace("\n", " ")
    cut = f"{quote[:QUOTE]}{'…' if len(quote) > QUOTE else ''}"
    return f"{star}{unit.code}{who} · {unit.speaker or '?'}: «{cut}»"


class UnitList(ScrollView, can_focus=True):
    """Meaning units in text order; the cursor row is the highlighted unit."""

    KEYS_TITLE = "In the list of units"  # (the keys panel's heading for these keys)

    DEFAULT_CSS = """
    UnitList { background: $surface; color: $foreground; overflow-x: hidden; }
    UnitList > .unit-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    UnitList:focus { background-tint: $foreground 5%; }
    UnitList:focus > .unit-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES = {"unit-list--cursor"}

    BINDINGS = [
        Binding("down", "move(1)", "Next unit", show=False),
        Binding("up", "move(-1)", "Previous unit", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "edge(0)", "First unit", show=False),
        Binding("end", "edge(1)", "Last unit", show=False),
        Binding("enter", "select", "Select the unit's text", id="units.select", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to the unit ``unit_id`` (by a key or the mouse in the list)."""

        unit_list: UnitList
        unit_id: int

    @dataclass
    class Selected(Message):
        """Enter or a click on the unit ``unit_id``."""

        unit_list: UnitList
        unit_id: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units: list[MeaningUnit] = []
        self.coder: str | None = None
        self.cursor = 0
        self._cache: OrderedDict[tuple[object, ...], Strip] = OrderedDict()

    # --- content -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.units)

    def set_units(self, units: list[MeaningUnit], coder: str | None) -> None:
        """Show ``units`` (in text order), keeping the cursor on the same row number."""
        self.units, self.coder = list(units), coder
        self.cursor = max(0, min(self.cursor, len(self.units) - 1))
        self._resized()
        self.refresh()

    def insert_unit(self, index: int, unit: MeaningUnit) -> None:
        self.units.insert(index, unit)
        if index <= self.cursor and len(self.units) > 1:
            self.cursor += 1
        self._resized()
        self._refresh_from(index)

    def remove_unit(self, index: int) -> None:
        del self.units[index]
        if index < self.cursor or self.cursor >= len(self.units):
            self.cursor = max(0, self.cursor - 1)
        self._resized()
        self._refresh_from(index)

    def replace_unit(self, index: int, unit: MeaningUnit) -> None:
        self.units[index] = unit
        self.refresh_lines(index)

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        """Put the cursor on ``row`` (the screen follows the text cursor this way: no message)."""
        if not self.units:
            return
        row = max(0, min(row, len(self.units) - 1))
        if row != self.cursor:
            old, self.cursor = self.cursor, row
            self.refresh_lines(old)
            self.refresh_lines(row)
        if scroll:
            self._scroll_to_cursor()

    def _resized(self) -> None:
        # The list's height comes from the layout, not from its rows, and it shows no scroll bar
        # (styles): a new row count needs no new layout of the screen, only new scroll limits.
        self.set_reactive(UnitList.virtual_size, Size(self.size.width, len(self.units)))

    def _refresh_from(self, index: int) -> None:
        top = self.scroll_offset.y
        first = max(index, top)
        last = min(len(self.units), top + self.size.height)
        if last >= first:
            self.refresh_lines(first, last - first + 1)

    def _scroll_to_cursor(self) -> None:
        top, height = self.scroll_offset.y, self.size.height
        if not height:
            return
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    # --- keys and mouse ----------------------------------------------------------------------

    def _highlight(self, row: int) -> None:
        if not self.units:
            return
        self.move_cursor(row)
        self.post_message(self.Highlighted(self, self.units[self.cursor].id))

    def action_move(self, delta: int) -> None:
        self._highlight(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._highlight(self.cursor + direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self._highlight(len(self.units) - 1 if end else 0)

    def action_select(self) -> None:
        if self.units:
            self.post_message(self.Selected(self, self.units[self.cursor].id))

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.units):
            self._highlight(row)
            self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self._resized()

    def on_focus(self) -> None:
        self.refresh_lines(self.cursor)

    def on_blur(self) -> None:
        self.refresh_lines(self.cursor)

    # --- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self.units):
            return Strip.blank(width, base)
        unit = self.units[row]
        cursor = row == self.cursor
        style = base + self.get_component_rich_style("unit-list--cursor") if cursor else base
        key = (unit, self.coder, width, style)
        strip = self._cache.get(key)
        if strip is None:
            label = unit_label(unit, self.coder)
            room = max(1, width - 1)
            if cell_len(label) > room:
                label = set_cell_size(label, room - 1) + "…"
            strip = Strip([Segment(f" {label}", style)]).adjust_cell_length(width, style)
            self._cache[key] = strip
            if len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return strip
