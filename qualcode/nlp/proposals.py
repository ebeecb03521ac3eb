"""Meaning-unit proposals: where a participant's turn could be cut into units.

Only participants' turns are proposed (never the interviewer's; unattributed text such as a
title only when the transcript has no speakers at all, as in a Whisper SRT).

A unit is a meaning, not a cue. Caption files (WebVTT, SRT) leave one speaker's talk in several
turns when the importer could not join the cues: a line the recogniser invented was dropped
between them, or a cue had no voice and was attributed later. So proposals work on *stretches*:
consecutive turns of one named speaker are one stretch, as the importer makes one turn of a
speaker's consecutive cues; in a transcript without speakers a turn joins the one before only
where that one's last sentence goes on (no full stop), since a sentence end there may be a change
of speaker. Within a stretch:

1. each turn is cut into sentences (the model's, or rule-based in basic mode), and a sentence
   that runs on into the next turn is one sentence with its continuation;
2. a sentence with fewer than ``min_words`` words (*Nei, altså...*, *Ja.*) is a fragment and is
   merged with the sentence after it (the last one with the one before);
3. a stretch of up to ``max_words`` words is one unit; a longer one is split at sentence
   boundaries into as few parts as keep each near ``max_words`` or under, as even as the
   sentences allow (never a fragment alone);
4. stretches with fewer than ``min_turn_words`` words (*Duk! [latter]*) are not proposed.

A unit over several turns runs from its first word to its last, labels and times between the
turns included, as a coded span does; its ``text`` is the words alone (the turns' pieces joined by
a space), and ``turn``/``last_turn`` say where it starts and ends.

Units start and end on words: transcription notes (``[latter]``) and spaces at the edges are
trimmed. A proposal says which units already overlap it, so the coder can see what is done. The
coder accepts (``qualcode code ... --start --end``), adjusts or ignores each proposal; nothing
is stored by proposing.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from ..core.models import MODERATOR_ROLES, Turn
from ..importers.marks import ends_sentence
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
    part: int = 1            # which part of a split stretch (1 of 1 for a whole one)
    parts: int = 1
    text: str = ""
    coded: tuple[int, ...] = ()   # ids of units that overlap it already
    last_turn: int | None = None  # the turn it ends in (None: the one it starts in)

    def to_dict(self) -> dict:
        return {
            "transcript": self.transcript, "start": self.start, "end": self.end, "turn": self.turn,
            "last_turn": self.turn if self.last_turn is None else self.last_turn,
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
    for members, sentences in _stretches(analysis, turns, no_speakers):
        first = members[0]
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
            inside = [t for t in members if t.start < end and start < t.end]
            text = " ".join(analysis.text[max(start, t.start):min(end, t.end)].strip() for t in inside)
            out.append(Proposal(transcript.id, start, end, inside[0].index, first.speaker, first.role, words,
                                count, k, len(groups), text, coded, inside[-1].index))
    return out


def _stretches(analysis: Analysis, turns: list[Turn], no_speakers: bool
               ) -> list[tuple[list[Turn], list[tuple[int, int, int]]]]:
    """Runs of consecutive proposable turns that are one speaker's talk (see the module
    docstring) with their sentences, in order; a sentence that goes on into the next turn of the
    run is one sentence with its continuation."""
    runs: list[tuple[list[Turn], list[tuple[int, int, int]]]] = []
    previous: Turn | None = None
    for turn in turns:
        if (turn.role or "").casefold() in MODERATOR_ROLES or (turn.speaker is None and not no_speakers):
            previous = None
            continue
        sentences = _sentences(analysis, turn.start, turn.end)
        if not sentences:
            continue  # a turn of nothing but marks neither joins nor breaks a run
        if previous is not None and previous.speaker == turn.speaker:
            members, found = runs[-1]
            last = found[-1]
            goes_on = not ends_sentence(analysis.text[last[0]:last[1]])
            if goes_on or turn.speaker is not None:
                if goes_on:  # one sentence over the turn boundary
                    found[-1] = (last[0], sentences[0][1], last[2] + sentences[0][2])
                    sentences = sentences[1:]
                members.append(turn)
                found.extend(sentences)
                previous = turn
                continue
        runs.append(([turn], sentences))
        previous = turn
    return runs


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
