"""Meaning-unit proposals: where a participant's turn could be cut into units.

Only participants' turns are proposed (never the interviewer's; unattributed text such as a
title only when the transcript has no speakers at all, as in a Whisper SRT). Within a turn:

1. the turn is cut into sentences (the model's, or rule-based in basic mode);
2. a sentence with fewer than ``min_words`` words (*Nei, altså...*, *Ja.*) is a fragment and is
   merged with the sentence after it (the last one with the one before);
3. a turn of up to ``max_words`` words is one unit; a longer one is split at sentence boundaries
   into as few parts as keep each near ``max_words`` or under, as even as the sentences allow
   (never a fragment alone);
4. turns with fewer than ``min_turn_words`` words (*Duk! [latter]*) are not proposed.

Units start and end on words: transcription notes (``[latter]``) and spaces at the edges are
trimmed. A proposal says which units already overlap it, so the coder can see what is done. The
coder accepts (``qualcode code ... --start --end``), adjusts or ignores each proposal; nothing
is stored by proposing.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from ..core.models import MODERATOR_ROLES
from ..store import Project
from .analysis import NOTE, WORD, Analysis, get_analysis
from .model import Pipeline

MIN_WORDS = 6
MIN_TURN_WORDS = 4
MAX_WORDS = 60


@dataclass(frozen=True, slots=True)
class Proposal:
    transcript: str
    start: int
    end: int
    turn: int
    speaker: str | None
    role: str | None
    words: int
    sentences: int
    part: int = 1            # which part of a split turn (1 of 1 for a whole turn)
    parts: int = 1
    text: str = ""
    coded: tuple[int, ...] = ()   # ids of units that overlap it already

    def to_dict(self) -> dict:
        return {
            "transcript": self.transcript, "start": self.start, "end": self.end, "turn": self.turn,
            "speaker": self.speaker, "role": self.role, "words": self.words, "sentences": self.sentences,
            "part": self.part, "parts": self.parts, "text": self.text, "coded": list(self.coded),
        }


def propose_units(project: Project, tid: str, *, pipeline: Pipeline | None = None,
                  min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
                  min_turn_words: int = MIN_TURN_WORDS) -> list[Proposal]:
    """Proposed meaning units of transcript ``tid``, in text order."""
    transcript = project.transcript(tid)
    analysis = get_analysis(project, transcript.id, pipeline)
    turns = project.turns(transcript.id)
    no_speakers = all(t.speaker is None for t in turns)
    codings = [(c.start, c.end, c.id) for c in project.codings(transcript=transcript.id)]
    out: list[Proposal] = []
    for turn in turns:
        if (turn.role or "").casefold() in MODERATOR_ROLES:
            continue
        if turn.speaker is None and not no_speakers:
            continue
        sentences = _sentences(analysis, turn.start, turn.end)
        total = sum(n for _, _, n in sentences)
        if total < min_turn_words:
            continue
        blocks = _merge_fragments(sentences, min_words)
        groups = [blocks] if total <= max_words else _split(blocks, max_words)
        for k, group in enumerate(groups, 1):
            start, end = group[0][0], group[-1][1]
            words = sum(b[2] for b in group)
            count = sum(b[3] for b in group)
            coded = tuple(cid for s, e, cid in codings if s < end and start < e)
            out.append(Proposal(transcript.id, start, end, turn.index, turn.speaker, turn.role, words, count,
                                k, len(groups), analysis.text[start:end], coded))
    return out


def _sentences(analysis: Analysis, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of each sentence in the span, trimmed to its first and last word."""
    by_sentence: dict[int, list[int]] = {}
    for k in analysis.tokens_in(start, end):
        by_sentence.setdefault(bisect_right(analysis.sent_starts, k), []).append(k)
    out = []
    for tokens in by_sentence.values():
        words = [k for k in tokens if analysis.flags[k] & WORD and not analysis.flags[k] & NOTE]
        if not words:
            continue
        # Keep closing punctuation after the last word, never trailing notes.
        last = words[-1]
        for k in tokens[tokens.index(last) + 1:]:
            if analysis.flags[k] & NOTE:
                break
            last = k
        out.append((analysis.starts[words[0]], analysis.ends[last], len(words)))
    return out


def _merge_fragments(sentences, min_words: int) -> list[tuple[int, int, int, int]]:
    """Blocks (start, end, words, sentences): fragments joined to the next sentence."""
    blocks: list[list[int]] = []
    pending: list[int] | None = None
    for s, e, n in sentences:
        if pending is not None:
            pending = [pending[0], e, pending[2] + n, pending[3] + 1]
        else:
            pending = [s, e, n, 1]
        if pending[2] >= min_words:
            blocks.append(pending)
            pending = None
    if pending is not None:
        if blocks:
            last = blocks[-1]
            blocks[-1] = [last[0], pending[1], last[2] + pending[2], last[3] + pending[3]]
        else:
            blocks.append(pending)
    return [(b[0], b[1], b[2], b[3]) for b in blocks]


def _split(blocks, maximum: int) -> list[list[tuple[int, int, int, int]]]:
    """The fewest consecutive groups of blocks with about ``maximum`` words or fewer each,
    as even in size as the sentence boundaries allow."""
    n = len(blocks)
    total = sum(b[2] for b in blocks)
    k = min(n, math.ceil(total / maximum))
    if k <= 1:
        return [list(blocks)]
    target = total / k
    prefix = [0]
    for b in blocks:
        prefix.append(prefix[-1] + b[2])
    inf = float("inf")
    # best[g][j]: the cost of cutting blocks[:j] into g groups
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for g in range(1, k + 1):
        for j in range(g, n + 1):
            for i in range(g - 1, j):
                if best[g - 1][i] == inf:
                    continue
                cost = best[g - 1][i] + (prefix[j] - prefix[i] - target) ** 2
                if cost < best[g][j]:
                    best[g][j], back[g][j] = cost, i
    groups = []
    j = n
    for g in range(k, 0, -1):
        i = back[g][j]
        groups.append(list(blocks[i:j]))
        j = i
    return groups[::-1]
