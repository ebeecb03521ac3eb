"""How a transcript is laid out on screen, and how the cursor moves through it.

Pure Python (no Textual), so it is tested and benchmarked on its own. A transcript becomes a list
of display lines: for each turn a header (speaker, role, time), its text wrapped to the width,
and a blank line. Text lines carry the code-point offsets they show, so the cursor and the
selection are offsets into the stored text, the same offsets codings use. Only the spoken text
of turns is shown as text; labels and timestamps appear in the headers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..core.models import Turn

HEADER, TEXT, BLANK = range(3)
_WORD_START = re.compile(r"(?<!\S)\S")
# A sentence ends at . ! ? … (possibly doubled, possibly closed by a quote or bracket) followed
# by white space; spoken transcripts also end a thought with "--".
_SENTENCE_END = re.compile(r"(?:[.!?…]+[»”\"')\]]*|--)(?=\s)")


@dataclass(frozen=True, slots=True)
class Line:
    kind: int
    turn: int  # index into the layout's turns
    start: int = 0  # text lines: offsets [start, end) of the stored text shown on this line
    end: int = 0


class Layout:
    """Display lines of a transcript at one width, with offset <-> position mapping."""

    def __init__(self, text: str, turns: list[Turn], width: int):
        self.text = text
        self.turns = turns
        self.width = max(10, width)
        self.lines: list[Line] = []
        self._text_rows: list[int] = []  # indexes of TEXT lines, in offset order
        self._row_starts: list[int] = []  # their start offsets
        self._turn_rows: list[int] = []  # first row (the header) of each turn
        self._build()

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        lines, width = self.lines, self.width
        for t_index, turn in enumerate(self.turns):
            self._turn_rows.append(len(lines))
            lines.append(Line(HEADER, t_index))
            paragraph_start = turn.start
            for paragraph in self.text[turn.start:turn.end].split("\n"):
                paragraph_end = paragraph_start + len(paragraph)
                for start, end in _wrap(self.text, paragraph_start, paragraph_end, width):
                    self._text_rows.append(len(lines))
                    self._row_starts.append(start)
                    lines.append(Line(TEXT, t_index, start, end))
                paragraph_start = paragraph_end + 1
            lines.append(Line(BLANK, t_index))

    # --- mapping ---------------------------------------------------------------------------

    def row_of(self, offset: int) -> int:
        """The display row showing ``offset`` (the nearest text row for offsets between turns)."""
        if not self._row_starts:
            return 0
        i = max(0, bisect_right(self._row_starts, offset) - 1)
        return self._text_rows[i]

    def position(self, offset: int) -> tuple[int, int]:
        """(row, column) of ``offset``."""
        row = self.row_of(offset)
        line = self.lines[row]
        return row, max(0, min(offset, line.end) - line.start)

    def offset_at(self, row: int, column: int) -> int:
        """The offset shown at (row, column); headers and blanks snap to the next text row."""
        if not self.lines:
            return 0
        row = max(0, min(row, len(self.lines) - 1))
        line = self.lines[row]
        if line.kind != TEXT:
            following = [r for r in self._text_rows if r > row][:1] or self._text_rows[-1:]
            return self.lines[following[0]].start if following else 0
        return min(line.start + max(0, column), line.end)

    def turn_at(self, offset: int) -> int | None:
        """Index of the turn whose text contains ``offset`` (or that it closes)."""
        if not self.turns:
            return None
        return self.lines[self.row_of(offset)].turn

    def _turn(self, offset: int) -> int:
        """:meth:`turn_at` for a layout known to have turns."""
        return self.lines[self.row_of(offset)].turn

    # --- movement --------------------------------------------------------------------------

    def clamp(self, offset: int) -> int:
        """Snap an offset into the spoken text of a turn."""
        if not self.turns:
            return 0
        t = self.turns[self._turn(offset)]
        return max(t.start, min(offset, t.end))

    def step(self, offset: int, delta: int) -> int:
        """One character left or right, jumping the gap between turns."""
        index = self.turn_at(offset)
        if index is None:
            return 0
        turn = self.turns[index]
        moved = offset + delta
        if moved > turn.end:
            return self.turns[index + 1].start if index + 1 < len(self.turns) else turn.end
        if moved < turn.start:
            return self.turns[index - 1].end if index > 0 else turn.start
        return moved

    def vertical(self, offset: int, rows: int, column: int | None = None) -> int:
        """Move ``rows`` text rows up or down, keeping ``column`` (or the current column)."""
        if not self._text_rows:
            return offset
        row, col = self.position(offset)
        i = bisect_left(self._text_rows, row)
        i = i if i < len(self._text_rows) and self._text_rows[i] == row else 0
        j = max(0, min(len(self._text_rows) - 1, i + rows))
        return self.offset_at(self._text_rows[j], col if column is None else column)

    def next_word(self, offset: int) -> int:
        match = _WORD_START.search(self.text, offset + 1)
        return self._into_turns(match.start() if match else len(self.text), forward=True)

    def previous_word(self, offset: int) -> int:
        starts = [m.start() for m in _WORD_START.finditer(self.text, max(0, offset - 200), offset)]
        if starts:
            return self._into_turns(starts[-1], forward=False)
        return self._into_turns(max(0, offset - 1), forward=False)

    def word_end(self, offset: int) -> int:
        """End of the word at or after ``offset`` (for extending a selection word by word)."""
        match = re.compile(r"\S+").search(self.text, offset)
        end = match.end() if match else len(self.text)
        return self.clamp_end(end)

    def sentence_bounds(self, offset: int) -> tuple[int, int]:
        """The sentence around ``offset`` inside its turn, without surrounding white space."""
        index = self.turn_at(offset)
        if index is None:
            return offset, offset
        turn = self.turns[index]
        start = turn.start
        for m in _SENTENCE_END.finditer(self.text, turn.start, turn.end):
            if m.end() > offset:
                end = m.end()
                break
            start = m.end()
        else:
            end = turn.end
        while start < end and self.text[start].isspace():
            start += 1
        return start, end

    def next_sentence(self, offset: int) -> int:
        start, end = self.sentence_bounds(offset)
        if not self.turns:
            return offset
        if start > offset:  # in the space before a sentence (where x leaves the cursor): that one
            return start
        index = self._turn(offset)
        turn = self.turns[index]
        probe = end
        while probe < turn.end and self.text[probe].isspace():
            probe += 1
        if probe >= turn.end:
            return self.turns[index + 1].start if index + 1 < len(self.turns) else turn.end
        return probe

    def previous_sentence(self, offset: int) -> int:
        start, _ = self.sentence_bounds(offset)
        if start < offset or not self.turns:
            return start
        index = self._turn(offset)
        turn = self.turns[index]
        if offset <= turn.start:
            if index == 0:
                return turn.start
            return self.sentence_bounds(self.turns[index - 1].end - 1)[0]
        probe = start - 1  # back over the gap into the sentence before
        while probe > turn.start and self.text[probe].isspace():
            probe -= 1
        return self.sentence_bounds(max(turn.start, probe))[0]

    def next_turn(self, offset: int) -> int:
        index = self.turn_at(offset)
        if index is None:
            return 0
        return self.turns[index + 1].start if index + 1 < len(self.turns) else self.turns[index].end

    def previous_turn(self, offset: int) -> int:
        index = self.turn_at(offset)
        if index is None:
            return 0
        if offset > self.turns[index].start:
            return self.turns[index].start
        return self.turns[index - 1].start if index > 0 else self.turns[0].start

    def clamp_end(self, offset: int) -> int:
        index = self.turn_at(max(0, offset - 1))
        if index is None:
            return 0
        return min(offset, self.turns[index].end)

    def _into_turns(self, offset: int, *, forward: bool) -> int:
        index = self.turn_at(offset)
        if index is None:
            return 0
        turn = self.turns[index]
        if offset < turn.start:
            return turn.start if forward else (self.turns[index - 1].end if index else turn.start)
        if offset > turn.end:
            return self.turns[index + 1].start if forward and index + 1 < len(self.turns) else turn.end
        return offset

    def turn_row(self, index: int) -> int:
        return self._turn_rows[index]


def _wrap(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]``: (start, end) offsets per row.

    A row breaks after the last space that keeps its visible text within ``width`` (the spaces
    stay at the end of the row); a word longer than a row is cut. Every offset of the paragraph
    lands on exactly one row. Rows are found by searching back from the row's limit, so the cost
    grows with the number of rows, not of words.
    """
    rows: list[tuple[int, int]] = []
    row_start = start
    while end - row_start > width:
        limit = row_start + width
        cut = max(text.rfind(" ", row_start, limit + 1), text.rfind("\t", row_start, limit + 1))
        if cut <= row_start:
            row_end = limit  # no space in the row: cut the word
        else:
            row_end = cut + 1
            while row_end < end and text[row_end] in " \t":
                row_end += 1
        if row_end >= end:
            break
        rows.append((row_start, row_end))
        row_start = row_end
    rows.append((row_start, end))
    return rows
