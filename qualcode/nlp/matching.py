"""Finding keywords in analysed text: lemmas, word sequences with small gaps, spelling variants.

A keyword (``håp``, ``kjenne seg igjen``, ``min egen historie``) is compiled once into a
:class:`Pattern` of :class:`KeyWord` s, each with the keys it may be met by (its form and lemma,
dialect-normalised; see :mod:`.dialect`). ``seg`` in a keyword stands for any reflexive and
``sin``/``min`` for any possessive, so *kjenne seg igjen* is found in *jeg kjente meg faktisk
igjen*: the words in order, inside one sentence, with at most ``max_gap`` other words between
neighbours.

A word of the text fills a keyword word:

* by lemma or form (``lemma``): *kjente* (lemma *kjenne*);
* through the dialect table (``dialect``): *ikkje* for *ikke*, *kvardag* for *hverdag*;
* as a spelling variant (``fuzzy``, rapidfuzz): *høyrt*/*hørt*, *håpe*/*håp*; never for stop
  words, and short words only by one added letter at the end, so *tro* does not meet *tre*.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .analysis import NOTE, WORD, Analysis, analyse_texts
from .dialect import DIALECT, family, fills, fold, is_stop, slot
from .model import Pipeline

FUZZY_CUTOFF = 84  # rapidfuzz ratio (0-100) for words of five letters or more
MAX_GAP = 2
# Keys that begin with this mark are met exactly, never as spelling variants (lemma search's
# noun-and-verb roots, ``~skam``, live in their own space so they never meet a word's form).
EXACT = "~"


@dataclass(frozen=True, slots=True)
class KeyWord:
    text: str
    keys: frozenset[str]
    slot: str | None = None
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    term: str                  # the keyword as the codebook writes it
    words: tuple[KeyWord, ...]
    owner: str = ""            # e.g. the code id the keyword belongs to


@dataclass(frozen=True, slots=True)
class Hit:
    token: int
    quality: float
    how: str                   # "lemma", "slot", "dialect" or "fuzzy"


@dataclass(frozen=True, slots=True)
class Match:
    pattern: Pattern
    hits: tuple[Hit, ...]

    @property
    def quality(self) -> float:
        return sum(h.quality for h in self.hits) / len(self.hits)

    @property
    def variant(self) -> bool:
        return any(h.how in ("dialect", "fuzzy") for h in self.hits)

    @property
    def tokens(self) -> tuple[int, ...]:
        return tuple(h.token for h in self.hits)


def variant_quality(a: str, b: str) -> float:
    """How surely two keys are spellings of one word (0: not at all)."""
    if a == b:
        return 1.0
    if len(a) < 3 or len(b) < 3 or a[0] != b[0]:
        return 0.0
    short, long = sorted((a, b), key=len)
    if len(short) <= 3:  # only an inflection letter added: håp/håpe, mor/mora; not vei/veit, tro/tre
        return 0.85 if long.startswith(short) and len(long) == len(short) + 1 and long[-1] in "aenr" else 0.0
    if len(short) == 4:  # one letter more, nothing changed: hørt/høyrt, jobb/jobbe; not kari/kart
        return 0.85 if len(long) == 5 and Levenshtein.distance(short, long, score_cutoff=1) == 1 else 0.0
    ratio = fuzz.ratio(a, b)
    return round(ratio / 100 * 0.95, 3) if ratio >= FUZZY_CUTOFF else 0.0


def compile_patterns(pipeline: Pipeline, terms: Iterable[tuple[str, str]]) -> list[Pattern]:
    """Patterns for ``(owner, keyword)`` pairs; keywords are lemmatised by the pipeline."""
    terms = [(owner, " ".join(term.split())) for owner, term in terms if term and term.strip()]
    analyses = analyse_texts(pipeline, [term for _, term in terms])
    patterns = []
    for (owner, term), analysis in zip(terms, analyses):
        words = []
        for i in range(len(analysis)):
            if analysis.flags[i] & NOTE or not analysis.flags[i] & WORD:
                continue
            form = analysis.form(i)
            keys = set(analysis.keys(i))
            keys |= {family(k) for k in list(keys)}
            words.append(KeyWord(form, frozenset(keys), slot(form), is_stop(form)))
        if words:
            patterns.append(Pattern(term, tuple(words), owner))
    return patterns


class Matcher:
    """Finds many patterns at once in spans of analysed text.

    An inverted index from keys to (pattern, position) makes a span's cost depend on its words,
    not on the size of the codebook; spelling variants are looked up once per distinct key.
    """

    def __init__(self, patterns: list[Pattern], *, fuzzy: bool = True, max_gap: int = MAX_GAP):
        self.patterns = patterns
        self.fuzzy = fuzzy
        self.max_gap = max_gap
        self._index: dict[str, list[tuple[int, int]]] = {}
        self._slots: dict[str, list[tuple[int, int]]] = {}
        fuzzy_keys: dict[str, list[tuple[int, int]]] = {}
        for p, pattern in enumerate(patterns):
            for w, word in enumerate(pattern.words):
                if word.slot:
                    self._slots.setdefault(word.slot, []).append((p, w))
                    continue
                for key in word.keys:
                    self._index.setdefault(key, []).append((p, w))
                    if not word.stop and not key.startswith(EXACT):
                        fuzzy_keys.setdefault(key, []).append((p, w))
        self._fuzzy_keys = fuzzy_keys
        self._fuzzy_choices = list(fuzzy_keys)
        self._variants: dict[str, list[tuple[str, float]]] = {}

    def _variants_of(self, key: str) -> list[tuple[str, float]]:
        found = self._variants.get(key)
        if found is None:
            found = []
            if len(key) >= 3 and self._fuzzy_choices:
                near = process.extract(key, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=60, limit=None)
                for choice, _, _ in near:
                    q = variant_quality(key, choice)
                    if q and q < 1.0:
                        found.append((choice, q))
            self._variants[key] = found
        return found

    def _token_hits(self, analysis: Analysis, i: int,
                    keys: frozenset[str] | None = None) -> dict[tuple[int, int], Hit]:
        """Which (pattern, position) token ``i`` can fill, and how well (by ``keys``, or the
        analysis' own keys of the token)."""
        out: dict[tuple[int, int], Hit] = {}
        form = analysis.form(i)
        folded = fold(form)
        if folded.endswith(".") and folded[:-1].isalpha():  # "eg." that the tokeniser kept whole
            folded = folded[:-1]
        if keys is None:
            keys = analysis.keys(i)
        for key in keys:
            for pw in self._index.get(key, ()):
                if pw not in out:
                    word = self.patterns[pw[0]].words[pw[1]]
                    direct = folded in word.keys or fold(analysis.lemmas[i]) in word.keys
                    how = "dialect" if not direct and folded in DIALECT else "lemma"
                    out[pw] = Hit(i, 1.0 if how == "lemma" else 0.95, how)
        for slot_name, positions in self._slots.items():
            if fills(slot_name, form):
                for pw in positions:
                    out.setdefault(pw, Hit(i, 1.0, "slot"))
        if self.fuzzy and not is_stop(form) and folded not in DIALECT:  # a dialect form has its reading
            for key in keys:
                if key.startswith(EXACT):
                    continue
                for choice, q in self._variants_of(key):
                    for pw in self._fuzzy_keys[choice]:
                        if pw not in out or out[pw].quality < q:
                            out[pw] = Hit(i, q, "fuzzy")
        return out

    def find(self, analysis: Analysis, start: int = 0, end: int | None = None, *,
             keys: Sequence[frozenset[str] | None] | None = None) -> list[Match]:
        """Every pattern occurrence inside ``[start, end)`` of the analysed text; ``keys``, when
        given, are each token's keys instead of the analysis' (lemma search reads dialect *e* by
        its context, for one)."""
        end = len(analysis.text) if end is None else end
        tokens = [i for i in analysis.tokens_in(start, end)
                  if analysis.flags[i] & WORD and not analysis.flags[i] & NOTE]
        if not tokens:
            return []
        sentence_of = [bisect_right(analysis.sent_starts, i) for i in tokens]
        hits = [self._token_hits(analysis, i, None if keys is None else keys[i]) for i in tokens]
        matches: list[Match] = []
        for n, token_hits in enumerate(hits):
            for (p, w), hit in token_hits.items():
                if w != 0:
                    continue
                pattern = self.patterns[p]
                chain = [hit]
                m = n
                for k in range(1, len(pattern.words)):
                    nxt = None
                    for m2 in range(m + 1, min(len(tokens), m + 2 + self.max_gap)):
                        if sentence_of[m2] != sentence_of[n]:
                            break
                        found = hits[m2].get((p, k))
                        if found is not None:
                            nxt = (m2, found)
                            break
                    if nxt is None:
                        chain = []
                        break
                    m, found = nxt
                    chain.append(found)
                if chain:
                    matches.append(Match(pattern, tuple(chain)))
        return _drop_contained(matches)


def _drop_contained(matches: list[Match]) -> list[Match]:
    """One occurrence per place: of two matches of one owner where one's words lie inside the
    other's (``håp`` inside ``gi håp``), keep the longer."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (-len(m.hits), m.tokens)):
        tokens = set(match.tokens)
        if any(k.pattern.owner == match.pattern.owner and tokens <= set(k.tokens) for k in kept):
            continue
        kept.append(match)
    return sorted(kept, key=lambda m: m.tokens)
