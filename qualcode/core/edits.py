"""Changing a transcript's stored text without detaching its codings.

The stored text only changes through :func:`apply_edits`: it returns the new text and a map from
old offsets to new ones, which the store applies to every turn and coding in the same
transaction. Redaction (replacing a name by ``[Navn 1]``) is the main user of this.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .errors import UserError


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``text[start:end]`` with ``replacement``."""

    start: int
    end: int
    replacement: str


class OffsetMap:
    """Maps offsets of the old text to the new text after non-overlapping edits.

    An offset before or after an edit moves with the text around it. An offset inside a
    replaced stretch goes to the start of the replacement when it opens a span and to its end
    when it closes one, so a coded span that touched a redacted name still covers its
    replacement.
    """

    def __init__(self, edits: list[TextEdit]):
        self._edits = edits
        self._starts = [edit.start for edit in edits]
        shifts = []
        total = 0
        for edit in edits:
            total += len(edit.replacement) - (edit.end - edit.start)
            shifts.append(total)
        self._shifts = shifts

    def _locate(self, offset: int) -> tuple[int, int]:
        """(index of the last edit starting at or before offset, shift before that edit)."""
        i = bisect_right(self._starts, offset) - 1
        return i, (self._shifts[i - 1] if i > 0 else 0)

    def start(self, offset: int) -> int:
        i, before = self._locate(offset)
        if i < 0:
            return offset
        edit = self._edits[i]
        if offset < edit.end or (offset == edit.start):
            return edit.start + before
        return offset + self._shifts[i]

    def end(self, offset: int) -> int:
        i, before = self._locate(offset - 1 if offset > 0 else 0)
        if i < 0:
            return offset
        edit = self._edits[i]
        if offset <= edit.start:
            return offset + before
        if offset <= edit.end:
            return edit.start + before + len(edit.replacement)
        return offset + self._shifts[i]


def apply_edits(text: str, edits: list[TextEdit]) -> tuple[str, OffsetMap]:
    """Apply non-overlapping edits to ``text``; return the new text and the offset map."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    previous_end = 0
    parts: list[str] = []
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise UserError(f"edit {edit.start}-{edit.end} lies outside the text (length {len(text)})")
        if edit.start < previous_end:
            raise UserError(f"edits overlap at offset {edit.start}")
        parts.append(text[previous_end:edit.start])
        parts.append(edit.replacement)
        previous_end = edit.end
    parts.append(text[previous_end:])
    return "".join(parts), OffsetMap(ordered)
