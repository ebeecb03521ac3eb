"""The transcript as a Line API widget: only visible lines are rendered, each from a cache.

The cursor and the selection are offsets into the stored text (the same offsets codings use).
A rendered line is cached under everything that decides how it looks (its row, the width, the
part of the selection and cursor on it, whether the current unit is on it, and the versions of
codings and search matches), so a keystroke re-renders only the lines whose look changed, and
scrolling renders only new lines. One unit added, changed or removed (:meth:`add_span`,
:meth:`remove_span`) or a new current unit (:meth:`set_current`) repaints only its own rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from itertools import pairwise

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.models import MODERATOR_ROLES, Turn, format_timestamp
from ..layout import HEADER, TEXT, Layout

GUTTER = 6  # line number and a space
STRIPES = 4  # margin stripes: one cell per overlapping code, in the code's colour
CACHE_LINES = 4000

ROLE_COLOURS = {"pasient": "#56B4E9", "ansatt": "#E69F00", "moderator": "#999999", "intervjuer": "#999999"}
OTHER_ROLE_COLOURS = ["#009E73", "#CC79A7", "#F0E442", "#D55E00", "#0072B2"]


def role_colour(role: str | None) -> str:
    if not role:
        return "#BBBBBB"
    key = role.casefold()
    return ROLE_COLOURS.get(key) or OTHER_ROLE_COLOURS[sum(map(ord, key)) % len(OTHER_ROLE_COLOURS)]


@dataclass(frozen=True, slots=True)
class Span:
    """A coded span as the view draws it."""

    unit_id: int
    start: int
    end: int
    colour: str


class TranscriptView(ScrollView, can_focus=True):
    KEYS_TITLE = "In the transcript"  # (the keys panel's heading for these keys)
    DEFAULT_CSS = """
    TranscriptView { background: $surface; overflow-x: hidden; }
    TranscriptView:focus { background-tint: $foreground 3%; }
    """

    BINDINGS = [
        Binding("left", "move('char', -1)", "Left", show=False),
        Binding("right", "move('char', 1)", "Right", show=False),
        Binding("up", "move('line', -1)", "Up", show=False),
        Binding("down", "move('line', 1)", "Down", show=False),
        Binding("shift+left", "extend('char', -1)", "Extend left", show=False),
        Binding("shift+right", "extend('char', 1)", "Extend right", show=False),
        Binding("shift+up", "extend('line', -1)", "Extend up", show=False),
        Binding("shift+down", "extend('line', 1)", "Extend down", show=False),
        Binding("ctrl+right,w", "move('word', 1)", "Next word", id="view.word_next", show=False),
        Binding("ctrl+left,b", "move('word', -1)", "Previous word", id="view.word_prev", show=False),
        Binding("ctrl+shift+right,W", "extend('word', 1)", "Extend by word", id="view.extend_word", show=False),
        Binding("ctrl+shift+left,B", "extend('word', -1)", "Shrink by word", id="view.shrink_word", show=False),
        Binding("full_stop", "move('sentence', 1)", "Next sentence", id="view.sentence_next", show=False),
        Binding("comma", "move('sentence', -1)", "Previous sentence", id="view.sentence_prev", show=False),
        Binding("greater_than_sign", "extend('sentence', 1)", "Extend by sentence", id="view.extend_sentence",
                show=False),
        Binding("less_than_sign", "extend('sentence', -1)", "Shrink by sentence", id="view.shrink_sentence",
                show=False),
        Binding("right_square_bracket", "move('turn', 1)", "Next turn", id="view.turn_next", show=False),
        Binding("left_square_bracket", "move('turn', -1)", "Previous turn", id="view.turn_prev", show=False),
        Binding("right_curly_bracket", "extend('turn', 1)", "Extend by turn", id="view.extend_turn", show=False),
        Binding("left_curly_bracket", "extend('turn', -1)", "Shrink by turn", id="view.shrink_turn", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "move('home', 0)", "Line start", show=False),
        Binding("end", "move('end', 0)", "Line end", show=False),
        Binding("ctrl+home", "edge(0)", "Start of the transcript", id="view.start", show=False),
        Binding("ctrl+end", "edge(1)", "End of the transcript", id="view.end", show=False),
        Binding("v", "mark", "Mark selection start", id="view.mark", show=False),
        Binding("x", "select_sentence", "Select sentence", id="view.select_sentence"),
        Binding("t", "select_turn", "Select turn", id="view.select_turn"),
        Binding("escape", "clear_selection", "Clear selection", id="view.clear", show=False),
    ]

    @dataclass
    class CursorMoved(Message):
        view: TranscriptView
        offset: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.turns: list[Turn] = []
        self.layout_: Layout | None = None
        self.cursor = 0
        self.anchor_at: int | None = None  # where the selection began; the selection is anchor_at..cursor
        self.spans: list[Span] = []
        self._span_starts: list[int] = []
        self._longest_span = 0
        self.current_unit: int | None = None
        self._current_rows: tuple[int, int] | None = None  # the rows the current unit is on
        self._row_versions: dict[int, int] = {}  # rows repainted for a span added or removed
        self.matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._versions = [0, 0]  # codings, search
        self._cache: OrderedDict[tuple, Strip] = OrderedDict()
        self._goal_column: int | None = None
        self._dragging = False
        self._center_on_layout = False
        self._drawn: tuple[int, int | None] = (0, None)  # (cursor, anchor) as last drawn

    # --- content -----------------------------------------------------------------------------

    def load(self, text: str, turns: list[Turn], cursor: int | None = None) -> None:
        self.text, self.turns = text, turns
        self.cursor = cursor if cursor is not None else (turns[0].start if turns else 0)
        self.anchor_at = None
        self._center_on_layout = cursor is not None
        if self.size.width:
            self._relayout()
        # else: laid out once, by on_resize, when the widget knows its width

    def reload(self, text: str, turns: list[Turn], cursor: int) -> None:
        """The transcript repaired (a turn split, merged, dropped or corrected; undone): laid out
        anew, with the cursor at ``cursor`` on the same row of the screen as before, so the words
        under it do not jump. Turns whose spans did not change (a speaker or a role): see
        :meth:`set_turns`."""
        keep = None
        if self.layout_ is not None:
            keep = self.layout_.row_of(self.cursor) - self.scroll_offset.y
        self.text, self.turns = text, turns
        self.cursor, self.anchor_at = cursor, None
        if self.size.width:
            self._relayout(keep_row=keep)
        self._drawn = (self.cursor, None)
        self.post_message(self.CursorMoved(self, self.cursor))

    def set_turns(self, turns: list[Turn]) -> None:
        """The same turns (the same spans of the same text) by other speakers or roles: only the
        headers and the colours change, so the layout stays and the visible rows are drawn again."""
        self.turns = turns
        if self.layout_ is not None:
            self.layout_.turns = turns
        self._cache.clear()
        self.refresh()

    def _relayout(self, keep_row: int | None = None) -> None:
        width = max(20, self.size.width - GUTTER - STRIPES - 2)
        self.layout_ = Layout(self.text, self.turns, width)
        self._cache.clear()
        self._row_versions.clear()
        self._current_rows = self._rows_of_unit(self.current_unit)
        self.virtual_size = Size(self.size.width, len(self.layout_.lines))
        self.cursor = self.layout_.clamp(self.cursor)
        if keep_row is not None and 0 <= keep_row < self.size.height:
            self.scroll_to(y=max(0, self.layout_.row_of(self.cursor) - keep_row), animate=False)
        else:
            self.scroll_to_cursor(center=self._center_on_layout)
            if self._center_on_layout:  # (the first layout of the screen may scroll it back to the top)
                self.call_after_refresh(self.scroll_to_cursor, center=True)
        self._center_on_layout = False
        self.refresh()

    def set_spans(self, spans: list[Span], current: int | None = None) -> None:
        """All the coded spans anew (every line is drawn again)."""
        self.spans = sorted(spans, key=_span_order)
        self._span_starts = [s.start for s in self.spans]
        self._longest_span = max((s.end - s.start for s in self.spans), default=0)
        self.current_unit = current
        self._current_rows = self._rows_of_unit(current)
        self._versions[0] += 1
        self.refresh()

    def add_span(self, span: Span) -> None:
        """One coded span more: only its rows (and its turn's header) are drawn again."""
        i = bisect_right(self.spans, _span_order(span), key=_span_order)
        self.spans.insert(i, span)
        self._span_starts.insert(i, span.start)
        self._longest_span = max(self._longest_span, span.end - span.start)
        if span.unit_id == self.current_unit:
            self._current_rows = self._rows_of_unit(span.unit_id)
        self._touch(span.start, span.end)

    def remove_span(self, unit_id: int) -> Span | None:
        """The span of ``unit_id`` goes; returns it (None if it was not shown)."""
        i = next((k for k, s in enumerate(self.spans) if s.unit_id == unit_id), None)
        if i is None:
            return None
        span = self.spans.pop(i)
        del self._span_starts[i]
        if span.end - span.start == self._longest_span:
            self._longest_span = max((s.end - s.start for s in self.spans), default=0)
        if unit_id == self.current_unit:
            self.set_current(None)
        self._touch(span.start, span.end)
        return span

    def set_current(self, unit_id: int | None) -> None:
        """Make ``unit_id`` the current unit (drawn stronger); only its rows and the previous
        current unit's are drawn again."""
        if unit_id == self.current_unit:
            return
        before = self._current_rows
        self.current_unit = unit_id
        self._current_rows = self._rows_of_unit(unit_id)
        for rows in (before, self._current_rows):
            if rows is not None:
                self._refresh_rows(*rows)

    def spans_at(self, offset: int) -> list[Span]:
        """The coded spans that contain ``offset``."""
        lo = bisect_left(self._span_starts, offset - self._longest_span)
        hi = bisect_right(self._span_starts, offset)
        return [s for s in self.spans[lo:hi] if s.start <= offset < s.end]

    def _rows_of_unit(self, unit_id: int | None) -> tuple[int, int] | None:
        if unit_id is None or self.layout_ is None:
            return None
        span = next((s for s in self.spans if s.unit_id == unit_id), None)
        if span is None:
            return None
        return self.layout_.row_of(span.start), self.layout_.row_of(max(span.start, span.end - 1))

    def _touch(self, start: int, end: int) -> None:
        """Draw again the rows showing ``start..end`` and the headers of their turns (whose margin
        stripes show the codes of the turn)."""
        layout = self.layout_
        if layout is None:
            return
        first, last = layout.row_of(start), layout.row_of(max(start, end - 1))
        rows = set(range(first, last + 1))
        turns = {layout.lines[first].turn, layout.lines[last].turn}
        rows.update(layout.turn_row(t) for t in range(min(turns), max(turns) + 1))
        for row in rows:
            self._row_versions[row] = self._row_versions.get(row, 0) + 1
        top, height = self.scroll_offset.y, self.size.height
        for row in rows:
            if top <= row < top + height:
                self.refresh_lines(row)

    def _refresh_rows(self, first: int, last: int) -> None:
        top, height = self.scroll_offset.y, self.size.height
        first, last = max(first, top), min(last, top + height - 1)
        if last >= first:
            self.refresh_lines(first, last - first + 1)

    def set_matches(self, matches: list[tuple[int, int]]) -> None:
        self.matches = matches
        self._match_starts = [s for s, _ in matches]
        self._versions[1] += 1
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and (self.layout_ is None or event.size.width != self.virtual_size.width):
            self._relayout()
        elif self._center_on_layout and event.size.height:  # laid out before it had a height
            self._center_on_layout = False
            self.scroll_to_cursor(center=True)

    # --- selection ---------------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        if self.anchor_at is None or self.anchor_at == self.cursor:
            return None
        return (min(self.anchor_at, self.cursor), max(self.anchor_at, self.cursor))

    def select(self, start: int, end: int) -> None:
        self.anchor_at, self.cursor = start, end
        self._moved()

    def go_to(self, offset: int, *, center: bool = False) -> None:
        self.anchor_at = None
        self.cursor = self.layout_.clamp(offset) if self.layout_ else offset
        if self.layout_ is None or not self.size.height:  # not laid out yet: in view once it is
            self._center_on_layout = self._center_on_layout or center
        self._moved(center=center)

    # --- actions -----------------------------------------------------------------------------

    def _target(self, unit: str, direction: int, *, extending: bool) -> int:
        """Where a move by ``unit`` lands. Extending forward stops at ends (of a word, sentence,
        turn) so the selection covers whole units; moving stops at starts."""
        layout, offset = self.layout_, self.cursor
        assert layout is not None  # (the callers return early without a layout)
        if unit == "char":
            return layout.step(offset, direction)
        if unit == "line":
            return layout.vertical(offset, direction, self._goal_column)
        forward = direction > 0
        if unit == "word":
            if not forward:
                return layout.previous_word(offset)
            return layout.word_end(offset) if extending else layout.next_word(offset)
        if unit == "sentence":
            if not forward:
                return layout.previous_sentence(offset)
            if not extending:
                return layout.next_sentence(offset)
            end = layout.sentence_bounds(offset)[1]
            return end if end > offset else layout.sentence_bounds(layout.next_sentence(offset))[1]
        if unit == "turn":
            if not forward:
                return layout.previous_turn(offset)
            turn = self.turns[layout.turn_at(offset) or 0]
            return turn.end if extending and offset < turn.end else layout.next_turn(offset)
        row, _ = layout.position(offset)
        line = layout.lines[row]
        return line.start if unit == "home" else line.end

    def action_move(self, unit: str, direction: int) -> None:
        self._go(unit, direction, extending=False)

    def action_extend(self, unit: str, direction: int) -> None:
        self._go(unit, direction, extending=True)

    def _go(self, unit: str, direction: int, *, extending: bool) -> None:
        if self.layout_ is None:
            return
        keep_column = unit == "line"
        if keep_column and self._goal_column is None:
            self._goal_column = self.layout_.position(self.cursor)[1]
        if extending and self.anchor_at is None:
            self.anchor_at = self.cursor
        self.cursor = self._target(unit, direction, extending=extending)
        if not extending:
            self.anchor_at = None
        self._moved(keep_goal=keep_column)

    def action_page(self, direction: int) -> None:
        if self.layout_ is None:
            return
        self.anchor_at = None
        self.cursor = self.layout_.vertical(self.cursor, direction * max(1, self.size.height - 2))
        self._moved()

    def action_edge(self, end: int) -> None:
        """ctrl+home, ctrl+end: the first or the last words of the transcript."""
        if self.layout_ is None or not self.turns:
            return
        self.go_to(self.turns[-1].end if end else self.turns[0].start)

    def action_mark(self) -> None:
        self.anchor_at = None if self.anchor_at is not None else self.cursor
        self._moved()

    def action_select_sentence(self) -> None:
        if self.layout_ is not None:
            self.select(*self.layout_.sentence_bounds(self.cursor))

    def action_select_turn(self) -> None:
        if self.layout_ is not None and self.turns:
            turn = self.turns[self.layout_.turn_at(self.cursor) or 0]
            self.select(turn.start, turn.end)

    def action_clear_selection(self) -> None:
        if self.anchor_at is None:
            raise SkipAction()  # nothing selected: let the screen use Escape
        self.anchor_at = None
        self._moved()

    def _moved(self, *, keep_goal: bool = False, center: bool = False) -> None:
        if not keep_goal:
            self._goal_column = None
        if self.layout_ is not None:
            top = self.scroll_offset.y
            self.scroll_to_cursor(center=center)
            if self.scroll_offset.y == top:
                self._refresh_changed_rows()  # a scroll repaints the view by itself
        self._drawn = (self.cursor, self.anchor_at)
        self.post_message(self.CursorMoved(self, self.cursor))

    def _refresh_changed_rows(self) -> None:
        """Repaint only the rows whose cursor or selection changed."""
        old_cursor, old_anchor = self._drawn
        layout = self.layout_
        assert layout is not None
        rows = []
        for cursor, anchor in ((old_cursor, old_anchor), (self.cursor, self.anchor_at)):
            first = layout.row_of(min(cursor, anchor if anchor is not None else cursor))
            last = layout.row_of(max(cursor, anchor if anchor is not None else cursor))
            rows.append((first, last))
        (a0, a1), (b0, b1) = rows
        if a0 == b0:  # the selection grew or shrank at its end: only the rows in between
            changed = [(min(a1, b1), max(a1, b1))]
        elif a1 == b1:
            changed = [(min(a0, b0), max(a0, b0))]
        else:
            changed = rows
        for first, last in changed:
            self.refresh_lines(first, last - first + 1)

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        if self.layout_ is None or not self.size.height:
            return
        row, _ = self.layout_.position(self.cursor)
        top = self.scroll_offset.y
        height = self.size.height
        if center:
            self.scroll_to(y=max(0, row - height // 3), animate=False)
        elif row < top:
            self.scroll_to(y=max(0, row - 1), animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 2, animate=False)

    # --- mouse -------------------------------------------------------------------------------

    def _offset_at_mouse(self, event: events.MouseEvent) -> int:
        row = self.scroll_offset.y + event.y
        return self.layout_.offset_at(row, event.x - GUTTER - STRIPES) if self.layout_ else 0

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self.layout_ is None:
            return
        self.focus()
        self.anchor_at = self.cursor = self._offset_at_mouse(event)
        self._dragging = True
        self.capture_mouse()
        self._moved()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging and self.layout_ is not None:
            self.cursor = self._offset_at_mouse(event)
            self._moved()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()
            if self.anchor_at == self.cursor:
                self.anchor_at = None
            self._moved()

    # --- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if self.layout_ is None or row >= len(self.layout_.lines):
            return Strip.blank(width, base)
        line = self.layout_.lines[row]
        selection = self.selection
        sel_part = None
        cursor_col = None
        if line.kind == TEXT:
            if selection and selection[0] <= line.end and line.start <= selection[1]:
                sel_part = (max(selection[0], line.start), min(selection[1], line.end))
            if line.start <= self.cursor <= line.end and self.layout_.row_of(self.cursor) == row:
                cursor_col = self.cursor - line.start
        current = self._current_rows
        current_here = self.current_unit if current and line.kind == TEXT and current[0] <= row <= current[1] else None
        key = (row, width, sel_part, cursor_col, current_here, self._versions[0], self._versions[1],
               self._row_versions.get(row, 0), self.has_focus, base)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, line, width, base, sel_part, cursor_col)
            self._cache[key] = strip
            if len(self._cache) > CACHE_LINES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return strip

    def _spans_on(self, start: int, end: int) -> list[Span]:
        lo = bisect_left(self._span_starts, start - self._longest_span)
        hi = bisect_left(self._span_starts, end + 1)
        return [s for s in self.spans[lo:hi] if (s.start < end and start < s.end) or (s.start == s.end == start)]

    def _render_row(self, row, line, width, base: Style, sel_part, cursor_col) -> Strip:
        turn = self.turns[line.turn]
        muted = (turn.role or "").casefold() in MODERATOR_ROLES or turn.speaker is None
        dim = Style(dim=True)
        segments = [Segment(f"{row + 1:>{GUTTER - 1}} ", base + dim)]
        if line.kind == TEXT:
            spans = self._spans_on(line.start, line.end if line.end > line.start else line.start + 1)
        elif line.kind == HEADER:
            spans = self._spans_on(turn.start, turn.end)
        else:
            spans = []
        stripe_colours = []
        for s in spans:
            if s.colour not in stripe_colours:
                stripe_colours.append(s.colour)
        stripes = [Segment("▌", base + Style(color=c)) for c in stripe_colours[:STRIPES]]
        segments += stripes + [Segment(" " * (STRIPES - len(stripes)), base)]
        if line.kind == HEADER:
            segments += self._header(turn, line.turn, base, muted)
        elif line.kind == TEXT:
            segments += self._text(line, base, muted, spans, sel_part, cursor_col)
        strip = Strip(segments)
        return strip.adjust_cell_length(width, base)

    def _header(self, turn: Turn, index: int, base: Style, muted: bool) -> list[Segment]:
        colour = role_colour(turn.role)
        label = turn.speaker or "(no speaker)"
        out = [Segment(label, base + Style(color=colour, bold=not muted, dim=muted))]
        if turn.role:
            out.append(Segment(f" · {turn.role}", base + Style(color=colour, dim=True)))
        stamp = format_timestamp(turn.time_start)
        if stamp:
            out.append(Segment(f"  [{stamp}]", base + Style(dim=True)))
        out.append(Segment(f"  #{index}", base + Style(dim=True)))
        return out

    def _text(self, line, base: Style, muted: bool, spans: list[Span], sel_part, cursor_col) -> list[Segment]:
        start, end = line.start, line.end
        text = self.text[start:end].replace("\t", " ")
        bg = base.bgcolor.get_truecolor() if base.bgcolor else None
        # Boundaries where the look changes.
        cuts = {0, len(text)}
        for span in spans:
            cuts.update((max(0, span.start - start), min(len(text), span.end - start)))
        matches = self._matches_on(start, end)
        for s, e in matches:
            cuts.update((max(0, s - start), min(len(text), e - start)))
        if sel_part:
            cuts.update((sel_part[0] - start, sel_part[1] - start))
        if cursor_col is not None:
            cuts.update((cursor_col, min(len(text), cursor_col + 1)))
        points = sorted(c for c in cuts if 0 <= c <= len(text))
        text_style = base + Style(dim=True) if muted else base
        out: list[Segment] = []
        for a, b in pairwise(points):
            if a == b:
                continue
            pos = start + a
            style = text_style
            covering = [s for s in spans if s.start <= pos < s.end]
            if covering:
                strong = any(s.unit_id == self.current_unit for s in covering)
                style = style + Style(bgcolor=_tint(covering[0].colour, bg, 0.45 if strong else 0.28))
            if any(s <= pos < e for s, e in matches):
                style = style + Style(bgcolor="#7a6a00", color="#ffffff")
            if sel_part and sel_part[0] <= pos < sel_part[1]:
                style = style + Style(reverse=True)
            if cursor_col is not None and a == cursor_col and self.has_focus:
                style = style + Style(reverse=not (sel_part and sel_part[0] <= pos < sel_part[1]), underline=True)
            out.append(Segment(text[a:b], style))
        if cursor_col is not None and cursor_col >= len(text) and self.has_focus:
            out.append(Segment(" ", base + Style(reverse=True)))
        return out

    def _matches_on(self, start: int, end: int) -> list[tuple[int, int]]:
        if not self.matches:
            return []
        i = bisect_left(self._match_starts, start - 200)
        out = []
        while i < len(self.matches) and self.matches[i][0] < end:
            s, e = self.matches[i]
            if e > start:
                out.append((s, e))
            i += 1
        return out


def _span_order(span: Span) -> tuple[int, int, int]:
    """Spans in the order the store lists units: by start, end and id."""
    return (span.start, span.end, span.unit_id)


def _tint(colour: str, background: tuple[int, int, int] | None, strength: float) -> Color:
    """``colour`` blended into the background: a highlight that keeps the text readable."""
    fg = Color.parse(colour).get_truecolor()
    bg = background or (30, 30, 30)
    return Color.from_rgb(*(round(b + (f - b) * strength) for f, b in zip(fg, bg)))
