"""Lemma search and keyword-in-context (KWIC) across transcripts.

``håp`` finds *håp*, *håpet*, *håper* and *håpa* (the verb meets its noun), and the dialect
forms the table knows; it does not find *håpløs* or *håpefull* unless ``fuzzy`` is asked for,
which adds compounds and derivations (words that begin or end with the lemma) and spelling
variants (rapidfuzz). A query of several words (``kjenne seg igjen``) is found as a lemma
sequence with small gaps, as keywords are. Hits can be limited to a speaker role and a focus
group; the context never runs into another speaker's turn.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import UserError
from ..store import Project
from .analysis import NOTE, WORD, analyse, get_analysis
from .dialect import fold
from .matching import Matcher, compile_patterns
from .model import Pipeline, load_pipeline

WIDTH = 40


@dataclass(frozen=True, slots=True)
class KwicHit:
    transcript: str
    title: str
    group: str | None
    turn: int | None
    speaker: str | None
    role: str | None
    start: int
    end: int
    word: str             # the words found, as they stand in the text
    lemma: str
    how: str              # "lemma", "dialect", "fuzzy" or "compound"
    left: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "transcript": self.transcript, "title": self.title, "group": self.group, "turn": self.turn,
            "speaker": self.speaker, "role": self.role, "start": self.start, "end": self.end,
            "word": self.word, "lemma": self.lemma, "how": self.how, "left": self.left, "right": self.right,
        }


def search_lemma(project: Project, query: str, *, role: str | None = None, group: str | None = None,
                 fuzzy: bool = False, transcripts: list[str] | None = None, pipeline: Pipeline | None = None,
                 width: int = WIDTH, progress: Callable[[int, int], None] | None = None) -> list[KwicHit]:
    """Every occurrence of ``query`` (a lemma, or a few words) with its context, in text order."""
    pipeline = pipeline or load_pipeline()
    query = " ".join(query.split())
    if not query:
        raise UserError("say what to search for")
    patterns = compile_patterns(pipeline, [("query", query)])
    if not patterns:
        raise UserError(f"{query!r} has no words to search for")
    matcher = Matcher(patterns, fuzzy=fuzzy)
    single = patterns[0].words[0] if len(patterns[0].words) == 1 and not patterns[0].words[0].slot else None
    chosen = project.transcripts() if transcripts is None else [project.transcript(t) for t in transcripts]
    if group is not None:
        groups = {g.name.casefold() for g in project.groups()}
        if group.casefold() not in groups:
            known = ", ".join(g.name for g in project.groups()) or "none"
            raise UserError(f"no focus group named {group!r} (groups: {known})")
        chosen = [t for t in chosen if (t.group or "").casefold() == group.casefold()]
    analyse(project, [t.id for t in chosen], pipeline=pipeline, progress=progress)
    hits: list[KwicHit] = []
    for transcript in chosen:
        analysis = get_analysis(project, transcript.id, pipeline)
        turns = project.turns(transcript.id)
        starts = [t.start for t in turns]
        found = [(m.tokens, "fuzzy" if m.variant and any(h.how == "fuzzy" for h in m.hits)
                  else "dialect" if m.variant else "lemma") for m in matcher.find(analysis)]
        if fuzzy and single is not None:
            taken = {m[0][0] for m in found}
            found += [((i,), "compound") for i in _compounds(analysis, single.keys) if i not in taken]
        for tokens, how in sorted(found):
            start, end = analysis.starts[tokens[0]], analysis.ends[tokens[-1]]
            k = bisect_right(starts, start) - 1
            turn = turns[k] if 0 <= k < len(turns) and start < turns[k].end else None
            if role is not None and (turn is None or (turn.role or "").casefold() != role.casefold()):
                continue
            lo, hi = (turn.start, turn.end) if turn else (0, len(analysis.text))
            hits.append(KwicHit(
                transcript.id, transcript.title, transcript.group, turn.index if turn else None,
                turn.speaker if turn else None, turn.role if turn else None, start, end,
                analysis.text[start:end], " ".join(analysis.lemma_key(i) for i in tokens), how,
                _flat(analysis.text[max(lo, start - width):start]),
                _flat(analysis.text[end:min(hi, end + width)]),
            ))
    return hits


def _compounds(analysis, keys: frozenset[str]) -> list[int]:
    """Words that begin or end with the lemma: *håpløs*, *håpefull*, *livshåp*."""
    stems = [k for k in keys if len(k) >= 3]
    out = []
    for i in range(len(analysis)):
        if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
            continue
        for key in (fold(analysis.form(i)), analysis.lemma_key(i)):
            if any(key != s and (key.startswith(s) or key.endswith(s)) and len(key) >= len(s) + 2 for s in stems):
                out.append(i)
                break
    return out


def _flat(text: str) -> str:
    """Context on one line: runs of white space (line breaks too) as one space; the space next
    to the word is kept, so ``left + word + right`` reads as the text does."""
    return re.sub(r"\s+", " ", text)
