"""How much of the participants' talk a coder has coded."""

from __future__ import annotations

from collections.abc import Iterable

from .models import MODERATOR_ROLES, Turn


def participant_spans(turns: Iterable[Turn]) -> list[tuple[int, int]]:
    """Spans of what participants said: attributed turns whose role is not the interviewer's."""
    return [
        (t.start, t.end) for t in turns
        if t.speaker is not None and (t.role or "").casefold() not in MODERATOR_ROLES and t.end > t.start
    ]


def coded_fraction(spans: list[tuple[int, int]], codings: Iterable[tuple[int, int]]) -> float:
    """Share (0..1) of the characters in ``spans`` covered by at least one coding span."""
    total = sum(e - s for s, e in spans)
    if total == 0:
        return 0.0
    merged: list[list[int]] = []
    for s, e in sorted(codings):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    covered = 0
    i = 0
    for s, e in spans:  # both lists are sorted by start
        while i < len(merged) and merged[i][1] <= s:
            i += 1
        j = i
        while j < len(merged) and merged[j][0] < e:
            covered += min(e, merged[j][1]) - max(s, merged[j][0])
            j += 1
    return covered / total
