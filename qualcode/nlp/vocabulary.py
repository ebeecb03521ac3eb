"""Theme vocabulary: the words that set one code's units apart from all other coded text.

For each code, its units (with the units of its subcodes, so a theme speaks for its subthemes)
are compared with all other coded text by the weighted log-odds ratio with an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the prior is each lemma's
share of all analysed text of the transcripts involved, scaled to ``PRIOR_SIZE`` pseudo-counts,
which keeps rare words from topping the list on one occurrence. The score is the z-score of
the log-odds difference; only words with a positive score are listed.

A word counts once per place even when overlapping units of one code cover it. Stop words,
fillers, dialect function words and transcription notes are left out, and so are names (the
model's entities and proper nouns; in basic mode capitalised words inside a sentence), so a
theme summary never lists a participant's name. With a model the words
are lemmas; in basic mode lowercased word forms (dialect forms mapped to Bokmål).

Units by the ``auto`` coder are left out unless asked for (``coder="auto"``): the summaries
describe what people coded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..store import Project
from ..store.dialect import sql_for
from .analysis import NOTE, WORD, Analysis, cached_analysis, get_analysis
from .defaults import AUTO_CODER
from .dialect import is_stop
from .model import Pipeline, load_pipeline

PRIOR_SIZE = 500.0


def distinctive_words(project: Project, *, coder: str | None = None, top: int = 10,
                      pipeline: Pipeline | None = None) -> dict[str, list[tuple[str, float]]]:
    """Code id → its ``top`` most distinctive lemmas with their scores (z), best first.

    Every code of the codebook is a key; a code without units has an empty list. ``pipeline``
    chooses the analysis (made if missing); without it the cached analyses are used when every
    transcript involved has one by the same model, and basic mode otherwise.
    """
    import numpy as np

    book = project.codebook()
    result: dict[str, list[tuple[str, float]]] = {c.id: [] for c in book.codes}
    # The units' offsets, one row per code and transcript (50,000 rows of units would cost more
    # than the counting); group_concat feeds both columns the group's rows in the same order.
    where, value = ("coder = ?", coder) if coder is not None else ("coder != ?", AUTO_CODER)
    joined = sql_for(project.conn).JOINED_OFFSETS
    groups = project.conn.execute(
        f"SELECT code_id, transcript_id, {joined} FROM codings"
        f" WHERE {where} GROUP BY code_id, transcript_id", (value,)).fetchall()
    tids = sorted({tid for _, tid, _, _ in groups})
    if not tids:
        return result
    analyses = _analyses(project, tids, pipeline)

    # Each token's word as a number (its counting key's index in ``words``), -1 where it does
    # not count: worked out once per token, so a unit is a stretch of this column however many
    # units overlap there.
    vocabulary: dict[str, int] = {}
    ids: dict[str, Any] = {}
    for tid, analysis in analyses.items():
        column = _counted_keys(analysis, _name_tokens(analysis))
        ids[tid] = np.fromiter((-1 if k is None else vocabulary.setdefault(k, len(vocabulary)) for k in column),
                               dtype=np.int64, count=len(column))
    words = list(vocabulary)

    # Which tokens each code's own units cover, per transcript: a token once, however many units
    # cover it. A unit's tokens are those lying wholly inside it (Analysis.tokens_in).
    bounds = {tid: (np.asarray(a.starts), np.asarray(a.ends)) for tid, a in analyses.items()}
    covered: dict[str, dict[str, Any]] = {}
    for code, tid, opened, closed in groups:
        starts, ends = bounds[tid]
        first = np.searchsorted(starts, _numbers(opened), side="left")
        last = np.searchsorted(ends, _numbers(closed), side="right")
        some = last > first
        size = len(starts) + 1
        depth = np.cumsum(np.bincount(first[some], minlength=size) - np.bincount(last[some], minlength=size))
        covered.setdefault(code, {})[tid] = depth[:-1] > 0

    def tally(codes: Iterable[str]) -> Any:
        """How often each word occurs in the units of ``codes``, indexed as ``words``."""
        union: dict[str, Any] = {}
        for code in codes:
            for tid, mask in covered.get(code, {}).items():
                union[tid] = mask | union[tid] if tid in union else mask
        counts = np.zeros(len(words), dtype=np.int64)
        for tid, mask in union.items():
            found = ids[tid][mask]
            counts += np.bincount(found[found >= 0], minlength=len(words))
        return counts

    background = np.zeros(len(words), dtype=np.int64)
    for token_ids in ids.values():
        background += np.bincount(token_ids[token_ids >= 0], minlength=len(words))
    total = int(background.sum()) or 1

    coded = tally(covered)
    n_coded = int(coded.sum())
    for code in result:
        y_in = tally([code, *(d.id for d in book.descendants(code))])
        n_in = int(y_in.sum())
        if not n_in:
            continue
        n_out = n_coded - n_in  # the code's tokens are among the coded ones
        scored = []
        for w in np.flatnonzero(y_in).tolist():
            count, prior = int(y_in[w]), int(background[w])
            a = PRIOR_SIZE * prior / total if prior else PRIOR_SIZE / total
            other = int(coded[w]) - count
            delta = (math.log((count + a) / (n_in + PRIOR_SIZE - count - a))
                     - math.log((other + a) / (n_out + PRIOR_SIZE - other - a)))
            z = delta / math.sqrt(1.0 / (count + a) + 1.0 / (other + a))
            if z > 0:
                scored.append((words[w], round(z, 3)))
        scored.sort(key=lambda ws: (-ws[1], ws[0]))
        result[code] = scored[:top]
    return result


def _numbers(joined: str) -> Any:
    """``"12,40,7"`` (SQLite's group_concat of whole numbers) as an array."""
    import numpy as np

    return np.array(joined.split(","), dtype=np.int64)


def _name_tokens(analysis: Analysis) -> set[int]:
    """Tokens that are (part of) names: inside an entity, tagged as a proper noun, or in basic
    mode capitalised inside a sentence; and every other occurrence of a word seen as a name
    that way (*Sigrun* opening a sentence). Names never make a theme's vocabulary."""
    named: set[int] = set()
    for start, end, _ in analysis.ents:
        named.update(analysis.tokens_in(start, end))
    text = analysis.text
    capital = [e > s and text[s].isupper() for s, e in zip(analysis.starts, analysis.ends)]  # form(i)[:1].isupper()
    if analysis.basic:
        sentence_starts = set(analysis.sent_starts)
        flags = analysis.flags
        named.update(i for i, upper in enumerate(capital) if upper and i not in sentence_starts and flags[i] & WORD)
    lemmas = analysis.lemma_keys()
    keys = {lemmas[i] for i in named}
    named.update(i for i, (upper, pos, key) in enumerate(zip(capital, analysis.pos, lemmas))
                 if pos == "PROPN" or (upper and key in keys))
    return named


def _counted_keys(analysis: Analysis, names: set[int]) -> list[str | None]:
    """Each token's counting key (:meth:`Analysis.lemma_key`), or None for a token that does not
    count: not a word, inside a transcription note, a name, shorter than two letters, or a stop
    word (by its key or by its form). Decided once per distinct key and form."""
    decided: dict[tuple[str, str], str | None] = {}

    def decide(key: str, form: str) -> str | None:
        found = decided.get((key, form), "")
        if found == "":
            found = decided[(key, form)] = key if len(key) >= 2 and not is_stop(key) and not is_stop(form) else None
        return found

    text = analysis.text
    out = [decide(key, text[start:end]) if flag & WORD and not flag & NOTE else None
           for flag, start, end, key in zip(analysis.flags, analysis.starts, analysis.ends, analysis.lemma_keys())]
    for i in names:
        out[i] = None
    return out


def analysis_model(project: Project, *, coder: str | None = None,
                   pipeline: Pipeline | None = None) -> tuple[str, str, bool]:
    """(model, version, basic mode?) of the analyses :func:`distinctive_words` would use."""
    tids = sorted({c.transcript for c in project.codings(coder=coder)})
    if pipeline is not None:
        return pipeline.name, pipeline.version, pipeline.basic
    found = [cached_analysis(project, tid) for tid in tids]
    models = {(a.model, a.version) for a in found if a is not None}
    if found and all(a is not None and not a.basic for a in found) and len(models) == 1:
        name, version = models.pop()
        return name, version, False
    basic = load_pipeline(basic=True)
    return basic.name, basic.version, True


def _analyses(project: Project, tids: list[str], pipeline: Pipeline | None) -> dict[str, Analysis]:
    if pipeline is not None:
        return {tid: get_analysis(project, tid, pipeline) for tid in tids}
    found = {tid: cached_analysis(project, tid) for tid in tids}
    models = {(a.model, a.version) for a in found.values() if a is not None}
    if all(a is not None and not a.basic for a in found.values()) and len(models) == 1:
        return found  # type: ignore[return-value]
    basic = load_pipeline(basic=True)
    return {tid: get_analysis(project, tid, basic) for tid in tids}
