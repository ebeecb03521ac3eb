"""What a coder's own units teach: a linear classifier over lemmas, beside the hand-weighted score.

Each unit the coder has coded is a row of lemma TF-IDF (its own words, and the talk around it at
a lower weight); its codes are its labels (a unit with several codes counts for each). The
classifier is complement naive Bayes (Rennie et al. 2003; scikit-learn's ``ComplementNB``): a
code's weight for a lemma is how rare the lemma is in the units of the *other* codes. It is sums
and logarithms, no fitting loop, so the Suggester is rebuilt after every new unit and learns from
it at once. Its prediction is linear in the span's lemmas, so every contribution can be shown:
the lemmas of the span with the largest weight x value for a code are its evidence (``learned``).

The suggester adds the prediction (a probability over the codes the coder has used) to its
hand-weighted score with a weight that grows with the units per code. The weights were tuned on
the tuning studies only (bench/bench_suggest.py; bench/gold/suggestions.yaml).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from .analysis import Analysis
from .corpus import content_keys
from .evidence import Evidence, Word

LEARNED_CONTEXT = 0.3    # a word of the talk around a span counts this much (its own words: 1)
LEARNED_SMOOTHING = 0.3  # added to every lemma's count (ComplementNB's alpha)
LEARNED_WEIGHT = 1.0     # the most the classifier adds to the score ...
LEARNED_HALF = 10        # ... of which it adds half with this many units per code


class LearnedModel:
    """Complement naive Bayes over lemma vectors (``rows``: vector, codes), the codes of
    ``codes`` that some row has."""

    def __init__(self, rows: Sequence[tuple[Mapping[str, float], Collection[str]]], codes: Sequence[str]):
        self.codes = [c for c in codes if any(c in labels for _, labels in rows)]
        self.n = len(rows)
        per_code = self.n / max(1, len(self.codes))  # how much there is to learn from
        self.weight = LEARNED_WEIGHT * per_code / (per_code + LEARNED_HALF) if len(self.codes) > 1 else 0.0
        self.vocab: dict[str, int] = {}
        for vector, _ in rows:
            for key in vector:
                self.vocab.setdefault(key, len(self.vocab))
        self.coef = np.zeros((len(self.vocab), len(self.codes)))
        if not self.weight:
            return
        index = {c: i for i, c in enumerate(self.codes)}
        counts = np.zeros((len(self.vocab), len(self.codes)))
        for vector, labels in rows:
            cols = [index[c] for c in labels if c in index]
            for key, value in vector.items():
                counts[self.vocab[key], cols] += value
        complement = counts.sum(axis=1, keepdims=True) + LEARNED_SMOOTHING - counts
        coef = -np.log(complement / complement.sum(axis=0, keepdims=True))
        # Less each lemma's mean over the codes: the same probabilities, and a lemma's pull
        # towards a code (above 0) or away from it (below).
        self.coef = coef - coef.mean(axis=1, keepdims=True)

    def scores(self, query: Mapping[str, float]) -> dict[str, float]:
        """Per code, its probability for a lemma vector (none when nothing is learned yet or
        no lemma of the vector has been seen)."""
        total = np.zeros(len(self.codes))
        seen = False
        for key, value in query.items():
            j = self.vocab.get(key)
            if j is not None:
                total += value * self.coef[j]
                seen = True
        if not self.weight or not seen:
            return {}
        total = np.exp(total - total.max())
        total /= total.sum()
        return {c: float(v) for c, v in zip(self.codes, total)}

    def reasons(self, query: Mapping[str, float], code: str, top: int = 3) -> list[tuple[float, str]]:
        """The lemmas of ``query`` that pull most towards ``code``: (weight x value, lemma)."""
        if not self.weight or code not in self.codes:
            return []
        c = self.codes.index(code)
        found = [(value * float(self.coef[self.vocab[key], c]), key) for key, value in query.items()
                 if key in self.vocab]
        return sorted((f for f in found if f[0] > 0), reverse=True)[:top]


def learned_evidence(model: LearnedModel, analysis: Analysis, keys: list[tuple[int, str]],
                     query: Mapping[str, float], code: str, weight: float) -> Evidence:
    """The lemmas of the span (``keys``: token index, lemma) that pulled most towards ``code``,
    as words with their offsets; else those of the talk around it, by name."""
    own = {k for _, k in keys}
    reasons = model.reasons({k: v for k, v in query.items() if k in own}, code)
    if not reasons:
        around = model.reasons(query, code)
        return Evidence("learned", ", ".join(k for _, k in around) + " (in the talk around it)", (), weight)
    wanted = [k for _, k in reasons]
    words: list[Word] = []
    for i, key in keys:
        if key in wanted and all(w.lemma != key for w in words):
            words.append(Word(analysis.form(i), analysis.starts[i], analysis.ends[i], analysis.lemma_key(i)))
    return Evidence("learned", ", ".join(wanted), tuple(words), weight)


_AROUND: dict[tuple, tuple[Analysis, Counter[str]]] = {}


def around_keys(analysis: Analysis, spans: list[tuple[int, int]]) -> Counter[str]:
    """The content lemmas of the talk around a unit (remembered: the Suggester is rebuilt after
    every unit, and the talk around the other units has not changed)."""
    key = (id(analysis), tuple(spans))
    found = _AROUND.get(key)
    if found is None or found[0] is not analysis:
        if len(_AROUND) > 20000:
            _AROUND.clear()
        found = _AROUND[key] = (analysis, Counter(k for lo, hi in spans for _, k in content_keys(analysis, lo, hi)))
    return found[1]
