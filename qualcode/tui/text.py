"""Small text helpers the screens share: counts with their noun, one-line shortening, a
selection trimmed to what was said, search in the spoken text, and the cursor followed through
a repair of the transcript."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from ..core.models import Turn
from ..core.text import plural

__all__ = ["find_in_turns", "follow_offset", "plural", "shorten", "trim_span"]


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters, for tables and lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A selection without the white space at its edges (a unit is what was said)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_in_turns(text: str, query: str, turns: Iterable[Turn]) -> list[tuple[int, int]]:
    """Case-insensitive matches of ``query`` inside the spoken text of ``turns``."""
    folded, needle = text.casefold(), query.casefold()
    if len(folded) != len(text):  # casefold changed lengths (e.g. ß): fall back to lower()
        folded, needle = text.lower(), query.lower()
    out = []
    for turn in turns:
        i = folded.find(needle, turn.start, turn.end)
        while i != -1:
            out.append((i, i + len(needle)))
            i = folded.find(needle, i + 1, turn.end)
    return out


def follow_offset(old_text: str, old_turns: Sequence[Turn], new_text: str, new_turns: Sequence[Turn],
                  offset: int) -> int:
    """Where ``offset`` of ``old_text`` is in ``new_text`` after a repair (or its undo): on the
    same words. With as many turns before as after (a label renamed, a turn's words corrected),
    the offset keeps its place in its own turn; otherwise (a turn split, merged or dropped) the
    text changed in one place, found as the longest common beginning and end. An offset inside
    the changed words goes to where they begin."""
    if old_text == new_text:
        return offset
    if len(old_turns) == len(new_turns) and old_turns:
        i = max(0, bisect_right([t.start for t in old_turns], offset) - 1)
        before, after = old_turns[i], new_turns[i]
        inside = min(max(offset, before.start), before.end) - before.start
        moved = _follow(old_text[before.start:before.end], new_text[after.start:after.end], inside)
        return after.start + moved
    return _follow(old_text, new_text, offset)


def _follow(old: str, new: str, offset: int) -> int:
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    if offset <= head:
        return offset
    if offset >= len(old) - tail:
        return offset + len(new) - len(old)
    return head


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common beginning, by halving (string comparisons run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
