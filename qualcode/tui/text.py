"""Small text helpers the screens share: counts with their noun, one-line shortening, a
selection trimmed to what was said, and search in the spoken text."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.models import Turn


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
