"""The talk around a span: what the Suggester counts beside the span's own words.

A short answer ("Ja, alltid.") is about what was being talked about: the rest of its turn and
the turn before count beside the span's own words. In a focus group the moderator's question sets
the topic for the turns that answer it, often several turns after it, when the turn before is
another participant's answer; so the moderator's last question before the span counts too (a
moderator turn with a question mark and content words: "Hva skjedde da?" asks about what was said,
so the question before it counts), and another participant's turn before counts less. The other
answers to the same question, and the turn after (a reply, or the speaker going on after a short
interruption), count a little: the coder reads them too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from ..core.models import MODERATOR_ROLES, Turn

# Tuned on the tuning study only (bench/gold/studies/hjemmetjeneste; the old gold set has no
# moderator): a question counting less for every turn said since it did worse.
QUESTION_WEIGHT = 1.0   # the moderator's last question, when it is not the turn before
PREVIOUS_WEIGHT = 0.25  # another participant's turn before the span, when the question is known
# Chosen on the tuning studies (hjemmetjeneste, lar-hverdag, overgang-kommune), cold and coding
# forward (only the units before a span coded): each helped in all three.
ANSWERS_WEIGHT = 0.15   # the other answers to the same question, before the span's turn
NEXT_WEIGHT = 0.5       # a participant's turn right after: the talk goes on about the same


def is_moderator(turn: Turn) -> bool:
    return (turn.role or "").casefold() in MODERATOR_ROLES


def _question(turns: Sequence[Turn], i: int, has_words: Callable[[int, int], bool] | None) -> int | None:
    """The index of the moderator's last question before turn ``i``: the last moderator turn
    that asks something (a question mark) about something (content words)."""
    for j in range(i - 1, -1, -1):
        turn = turns[j]
        if is_moderator(turn) and "?" in turn.text and (
                has_words is None or has_words(turn.start, turn.end)):
            return j
    return None


def talk_around(turns: Sequence[Turn], starts: Sequence[int], start: int, end: int, *,
                has_words: Callable[[int, int], bool] | None = None) -> list[tuple[int, int, float]]:
    """Spans around ``[start, end)`` with how much each counts (1: as much as the span's turn):
    the rest of its turn, the turn before it, and the moderator's last question before it
    (``has_words``: whether a span has content words) when that is not the turn before; then
    another participant's turn before counts less (``PREVIOUS_WEIGHT``), and so do the other
    answers to that question (``ANSWERS_WEIGHT``) and a participant's turn right after the span's
    (``NEXT_WEIGHT``)."""
    i = bisect_right(starts, start) - 1
    if not 0 <= i < len(turns):
        return []
    turn = turns[i]
    out = [(turn.start, start, 1.0), (end, turn.end, 1.0)]
    asked = _question(turns, i, has_words) if QUESTION_WEIGHT > 0 and not is_moderator(turn) else None
    if i > 0:
        before = turns[i - 1]
        out.append((before.start, before.end, 1.0 if asked is None or is_moderator(before) else PREVIOUS_WEIGHT))
    if asked is not None and asked < i - 1:
        out.append((turns[asked].start, turns[asked].end, QUESTION_WEIGHT))
        out += [(turns[j].start, turns[j].end, ANSWERS_WEIGHT) for j in range(asked + 1, i - 1)
                if not is_moderator(turns[j])]
    if i + 1 < len(turns) and not is_moderator(turns[i + 1]):
        out.append((turns[i + 1].start, turns[i + 1].end, NEXT_WEIGHT))
    return [(lo, hi, w) for lo, hi, w in out if hi > lo and w > 0]
