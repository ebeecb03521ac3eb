"""What a word is worth in a project's talk: content words of a span, and how common each lemma
is across the speaker turns of every transcript (inverse document frequency).

Suggestions weigh evidence by it: a keyword or a shared word that half the turns contain
(*samme*, *klare*, *liv*) says little about which code a unit belongs to; one that few turns
contain says much. Content words leave out what never tells codes apart in spoken Norwegian:
stop words and fillers (also as phrases: *rett og slett*, *på en måte*), numbers, transcription
notes and names of people and places (*Hilde*, *Tromsø*), which a participant's story shares with
any other unit that happens to mention them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..store import Project
from .analysis import NOTE, NUMBER, WORD, Analysis, get_analysis
from .dialect import fold, is_stop
from .model import Pipeline

# Spoken fillers of several words, as folded forms: their words are never content.
FILLER_PHRASES: tuple[tuple[str, ...], ...] = (
    ("rett", "og", "slett"), ("på", "en", "måte"), ("på", "ein", "måte"), ("sånn", "sett"),
    ("i", "grunnen"), ("i", "grunn"), ("for", "så", "vidt"), ("ikke", "sant"), ("ikkje", "sant"),
    ("med", "en", "gang"), ("i", "hvert", "fall"), ("i", "alle", "fall"), ("i", "allefall"),
    ("på", "sett", "og", "vis"), ("og", "sånn"), ("eller", "noe"), ("eller", "sånn"), ("på", "ett", "vis"),
    ("hva", "skal", "jeg", "si"), ("ka", "ska", "æ", "si"), ("kva", "skal", "eg", "seie"),
    ("det", "er", "klart"), ("det", "e", "klart"), ("vet", "du"), ("veit", "du"), ("skjønner", "du"),
)
_NAME_LABELS = frozenset({"PER", "GPE", "GPE_LOC", "GPE_ORG", "LOC", "ORG", "PROD", "EVT", "DRV"})


_FILLERS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in FILLER_PHRASES:
    _FILLERS_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)


def _filler_tokens(analysis: Analysis, tokens: range) -> set[int]:
    forms = {i: fold(analysis.form(i)) for i in tokens}
    out: set[int] = set()
    for i in tokens:
        for phrase in _FILLERS_BY_FIRST.get(forms[i], ()):
            run = [i + k for k in range(len(phrase))]
            if all(forms.get(j) == word for j, word in zip(run, phrase)):
                out.update(run)
    return out


def _name_tokens(analysis: Analysis, tokens: range) -> set[int]:
    """Names of people and places: the model's proper nouns and name entities; in basic mode, a
    capitalised word that does not begin a sentence."""
    out: set[int] = set()
    if not tokens:
        return out
    if analysis.basic:
        starts = set(analysis.sent_starts)
        for i in tokens:
            form = analysis.form(i)
            if i not in starts and form[:1].isupper() and not form.isupper():
                out.add(i)
        return out
    for i in tokens:
        if analysis.pos[i] == "PROPN":
            out.add(i)
    lo, hi = analysis.starts[tokens[0]], analysis.ends[tokens[-1]]
    for s, e, label in analysis.ents:
        if label in _NAME_LABELS and s < hi and lo < e:
            out.update(i for i in tokens if s <= analysis.starts[i] < e)
    return out


def content_keys(analysis: Analysis, start: int, end: int) -> list[tuple[int, str]]:
    """(token index, lemma key) of the content words in ``[start, end)``, in text order."""
    tokens = analysis.tokens_in(start, end)
    skip = _filler_tokens(analysis, tokens) | _name_tokens(analysis, tokens)
    out = []
    for i in tokens:
        flags = analysis.flags[i]
        if not flags & WORD or flags & (NOTE | NUMBER) or i in skip:
            continue
        # A full stop the tokeniser left on a short word it took for an abbreviation (*eg.*, *i.*,
        # *no.* at a sentence end) is not part of the word.
        key = analysis.lemma_key(i).rstrip(".")
        form = analysis.form(i).rstrip(".")
        if len(key) < 3 or is_stop(key) or is_stop(form):
            continue
        out.append((i, key))
    return out


def content_bag(analysis: Analysis, start: int, end: int) -> Counter[str]:
    return Counter(key for _, key in content_keys(analysis, start, end))


@dataclass(slots=True)
class CorpusStats:
    """Document frequencies of lemmas, a document being one speaker turn, and a sample of
    participants' turns as bags of content lemmas (``baseline``)."""

    docs: int
    df: Counter[str]
    turns: list[Counter[str]]  # a sample of participants' turns as bags (baselines of codes)

    def idf(self, key: str) -> float:
        return math.log((self.docs + 1) / (self.df.get(key, 0) + 1)) + 1.0

    def baseline(self, similarities: list[float]) -> float:
        """How alike an ordinary turn of the project is to something, from its similarity to each
        turn of the sample (in :attr:`turns` order): the mean, shrunk towards 0 in a project of
        few turns (where the sample is mostly the very span asked about)."""
        return sum(similarities) / (len(similarities) + PRIOR_TURNS) if similarities else 0.0

    def rarity(self, key: str) -> float:
        """0 for a word in every turn, 1 for a word in none: ``(idf - 1) / log(docs + 1)``; in a
        project of few turns closer to 1 (a handful of turns says little about a word)."""
        top = math.log(self.docs + 1)
        measured = (self.idf(key) - 1.0) / top if top > 0 else 1.0
        return (measured * self.docs + PRIOR_TURNS) / (self.docs + PRIOR_TURNS)


PRIOR_TURNS = 30  # how many turns of a word's being unknown the rarity starts from
_STATS: dict[tuple, CorpusStats] = {}
SAMPLE_TURNS = 400


def corpus_stats(project: Project, pipeline: Pipeline) -> CorpusStats:
    """The project's statistics, worked out once per set of texts and model (cached)."""
    transcripts = project.transcripts()
    key = (str(project.path), pipeline.name, pipeline.version, pipeline.basic,
           tuple((t.id, t.checksum) for t in transcripts))
    found = _STATS.get(key)
    if found is not None:
        return found
    df: Counter[str] = Counter()
    docs = 0
    bags: list[Counter[str]] = []
    for t in transcripts:
        analysis = get_analysis(project, t.id, pipeline)
        for turn in project.turns(t.id):
            words = {analysis.lemma_key(i) for i in analysis.tokens_in(turn.start, turn.end)
                     if analysis.flags[i] & WORD and not analysis.flags[i] & NOTE}
            if not words:
                continue
            docs += 1
            df.update(words)  # every word, stop words too: a keyword can be one (*tid*)
            bag = content_bag(analysis, turn.start, turn.end)
            if not bag:
                continue
            if turn.speaker is not None and (turn.role or "").casefold() not in ("moderator", "intervjuer"):
                bags.append(bag)
    step = max(1, len(bags) // SAMPLE_TURNS)
    stats = CorpusStats(docs, df, bags[::step][:SAMPLE_TURNS])
    if len(_STATS) > 8:
        _STATS.clear()
    _STATS[key] = stats
    return stats
