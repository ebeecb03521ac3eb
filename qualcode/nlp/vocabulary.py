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
from collections import Counter

from ..store import Project
from .analysis import NOTE, WORD, Analysis, cached_analysis, get_analysis
from .dialect import is_stop
from .model import Pipeline, load_pipeline

PRIOR_SIZE = 500.0
AUTO_CODER = "auto"


def distinctive_words(project: Project, *, coder: str | None = None, top: int = 10,
                      pipeline: Pipeline | None = None) -> dict[str, list[tuple[str, float]]]:
    """Code id → its ``top`` most distinctive lemmas with their scores (z), best first.

    Every code of the codebook is a key; a code without units has an empty list. ``pipeline``
    chooses the analysis (made if missing); without it the cached analyses are used when every
    transcript involved has one by the same model, and basic mode otherwise.
    """
    book = project.codebook()
    codings = [c for c in project.codings(coder=coder) if coder is not None or c.coder != AUTO_CODER]
    result: dict[str, list[tuple[str, float]]] = {c.id: [] for c in book.codes}
    if not codings:
        return result
    tids = sorted({c.transcript for c in codings})
    analyses = _analyses(project, tids, pipeline)
    names = {tid: _name_tokens(a) for tid, a in analyses.items()}

    def counts(tid: str, i: int) -> bool:
        return i not in names[tid] and _counts(analyses[tid], i)

    # Tokens (transcript, index) per code, each code with its subcodes' units.
    subtree = {c.id: {c.id} | {d.id for d in book.descendants(c.id)} for c in book.codes}
    own: dict[str, set[tuple[str, int]]] = {}
    for coding in codings:
        analysis = analyses[coding.transcript]
        tokens = own.setdefault(coding.code, set())
        for i in analysis.tokens_in(coding.start, coding.end):
            if counts(coding.transcript, i):
                tokens.add((coding.transcript, i))
    coded = set().union(*own.values()) if own else set()

    def key(token: tuple[str, int]) -> str:
        return analyses[token[0]].lemma_key(token[1])

    background: Counter[str] = Counter()
    for tid, analysis in analyses.items():
        background.update(analysis.lemma_key(i) for i in range(len(analysis)) if counts(tid, i))
    total = sum(background.values()) or 1
    alpha = {w: PRIOR_SIZE * n / total for w, n in background.items()}

    for code in result:
        inside = set().union(*(own.get(c, set()) for c in subtree[code]))
        if not inside:
            continue
        y_in = Counter(key(t) for t in inside)
        y_out = Counter(key(t) for t in coded - inside)
        n_in, n_out = sum(y_in.values()), sum(y_out.values())
        scored = []
        for word, count in y_in.items():
            a = alpha.get(word, PRIOR_SIZE / total)
            other = y_out.get(word, 0)
            delta = (math.log((count + a) / (n_in + PRIOR_SIZE - count - a))
                     - math.log((other + a) / (n_out + PRIOR_SIZE - other - a)))
            z = delta / math.sqrt(1.0 / (count + a) + 1.0 / (other + a))
            if z > 0:
                scored.append((word, round(z, 3)))
        scored.sort(key=lambda ws: (-ws[1], ws[0]))
        result[code] = scored[:top]
    return result


def _name_tokens(analysis: Analysis) -> set[int]:
    """Tokens that are (part of) names: inside an entity, tagged as a proper noun, or in basic
    mode capitalised inside a sentence; and every other occurrence of a word seen as a name
    that way (*Sigrun* opening a sentence). Names never make a theme's vocabulary."""
    named: set[int] = set()
    for start, end, _ in analysis.ents:
        named.update(analysis.tokens_in(start, end))
    sentence_starts = set(analysis.sent_starts)
    if analysis.basic:
        named.update(i for i in range(len(analysis))
                     if i not in sentence_starts and analysis.form(i)[:1].isupper() and analysis.flags[i] & WORD)
    keys = {analysis.lemma_key(i) for i in named}
    named.update(i for i in range(len(analysis))
                 if analysis.pos[i] == "PROPN" or (analysis.form(i)[:1].isupper() and analysis.lemma_key(i) in keys))
    return named


def _counts(analysis: Analysis, i: int) -> bool:
    if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
        return False
    key = analysis.lemma_key(i)
    return len(key) >= 2 and not is_stop(key) and not is_stop(analysis.form(i))


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
