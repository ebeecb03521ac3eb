"""Lemma search and keyword-in-context (KWIC) across transcripts.

What a researcher means by a word is found, and no more:

* ``håp`` finds *håp*, *håpet*, *håper* and *håpa*: a noun meets its verb and the verb its
  noun, also where the lemmatiser keeps them apart (*skam*: *skammet*, *skamme*, *skammer*,
  *Skammen*), and a participle used as an adjective meets its verb (*forandret*, *ødelagte* for
  *forandre*, *ødelegge*; ``ødelagt`` finds *ødela*);
* dialect forms the table knows, read in context where one form has two readings: North
  Norwegian *e* is *er* after a subject (*det e bra*, *ho e flink*) and *jeg* before a verb or
  after one (*e trur*, *det sa e*); West Norwegian *eg* at the end of a sentence is found though
  the tokeniser keeps the full stop on it (*det trur eg.*);
* ``fuzzy`` adds spelling variants (rapidfuzz) and the word's compounds and derivations: a
  compound ends with the word as a real part (*delmål*, *hverdagsliv*), with at least three
  letters before it that are not a prefix (*forhold*) or an inflected verb (*spørsmål*); a word
  that begins with it is a derivation only by a derivational ending (*håpløs*, *håpefull*,
  *trofast*, *forandring*), so never *Tromsø* or *troll* for *tro*; names of people and places
  are never compounds (the model's proper nouns and names; capitalised words inside a sentence).

A query of several words (``kjenne seg igjen``) is found as a lemma sequence with small gaps, as
keywords are. Hits can be limited to a speaker role and a focus group; the context never runs
into another speaker's turn.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..core.errors import UserError
from ..store import Project
from .analysis import NOTE, WORD, Analysis, analyse, analyse_texts, get_analysis
from .dialect import (
    DERIVATIONS,
    DIALECT,
    FORMS,
    PREFIXES,
    fold,
    normalise,
    read_e,
    roots,
    stem,
    strip_glued,
)
from .matching import EXACT, Matcher, Pattern, compile_patterns
from .model import Pipeline, load_pipeline

WIDTH = 40
MIN_PART = 3          # letters a compound's other part needs (linking s/e not counted)
MAX_INFLECTION = 3    # letters of inflection after a derivational ending (håpløs-e, forandring-ene)
_ROOT_TAGS = frozenset({"NOUN", "VERB", "ADJ", "X", ""})


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
    patterns = [_widen(patterns[0], analyse_texts(pipeline, [query])[0])]
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
        view = _view(analysis)
        turns = project.turns(transcript.id)
        starts = [t.start for t in turns]
        found = []
        for m in matcher.find(analysis, keys=view.keys):
            how = ("fuzzy" if m.variant and any(h.how == "fuzzy" for h in m.hits)
                   else "dialect" if m.variant else "lemma")
            if how == "fuzzy" and any(view.proper[i] for i in m.tokens):
                continue  # Kari is not a spelling of kart
            found.append((m.tokens, how))
        if fuzzy and single is not None:
            taken = {m[0][0] for m in found}
            found += [((i,), "compound") for i in _compounds(analysis, view, single.keys) if i not in taken]
        for tokens, how in sorted(found):
            start, end = analysis.starts[tokens[0]], analysis.ends[tokens[-1]]
            if view.glued[tokens[-1]]:
                end -= 1  # "eg." at a sentence end: the word, not the full stop
            k = bisect_right(starts, start) - 1
            turn = turns[k] if 0 <= k < len(turns) and start < turns[k].end else None
            if role is not None and (turn is None or (turn.role or "").casefold() != role.casefold()):
                continue
            lo, hi = (turn.start, turn.end) if turn else (0, len(analysis.text))
            hits.append(KwicHit(
                transcript.id, transcript.title, transcript.group, turn.index if turn else None,
                turn.speaker if turn else None, turn.role if turn else None, start, end,
                analysis.text[start:end], " ".join(view.lemmas[i] for i in tokens), how,
                _flat(analysis.text[max(lo, start - width):start]),
                _flat(analysis.text[end:min(hi, end + width)]),
            ))
    return hits


# --- how the words of a text are read for searching ------------------------------------------------


@dataclass(slots=True)
class _View:
    """Each token's search keys (None for what is not a word), the lemma shown for it, whether
    the tokeniser kept a full stop on it, and whether it is a name."""

    keys: list[frozenset[str] | None]
    lemmas: list[str]
    glued: list[bool]
    proper: list[bool]


# The views of the analyses searched last (the TUI searches again and again), each valid for the
# very analysis it was read from.
_VIEWS: OrderedDict[tuple[str, str, str], tuple[Analysis, _View]] = OrderedDict()
_VIEWS_KEPT = 16


def _view(analysis: Analysis) -> _View:
    key = (analysis.checksum, analysis.model, analysis.version)
    found = _VIEWS.get(key)
    if found is None or found[0] is not analysis:
        found = _VIEWS[key] = (analysis, _read(analysis))
        while len(_VIEWS) > _VIEWS_KEPT:
            _VIEWS.popitem(last=False)
    _VIEWS.move_to_end(key)
    return found[1]


def _read(analysis: Analysis) -> _View:
    n = len(analysis)
    keys: list[frozenset[str] | None] = [None] * n
    lemmas = list(analysis.lemma_keys())
    glued = [False] * n
    proper = [False] * n
    named = _named_tokens(analysis)
    lowercase = {f for f in (analysis.form(i) for i in range(n)) if f.islower()} if analysis.basic else set()
    known: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {}  # once per distinct word
    bounds = analysis.sent_starts + [n]
    for s in range(len(analysis.sent_starts)):
        words = [i for i in range(bounds[s], bounds[s + 1])
                 if analysis.flags[i] & WORD and not analysis.flags[i] & NOTE]
        previous: str | None = None   # the word before, as read (an e as "er" or "jeg")
        for k, i in enumerate(words):
            raw = analysis.form(i)
            form = strip_glued(raw)
            glued[i] = form != raw
            folded = fold(form)
            if folded == "e":
                after = words[k + 1] if k + 1 < len(words) else None
                next_word = fold(strip_glued(analysis.form(after))) if after is not None else None
                reading = read_e(previous, next_word, analysis.pos[words[k - 1]] if k else "",
                                 analysis.pos[after] if after is not None else "")
                keys[i] = frozenset({"e", reading})
                lemmas[i] = reading
                previous = "er" if reading == "være" else "jeg"
                continue
            previous = folded
            word = (raw, analysis.lemmas[i], analysis.pos[i])
            found = known.get(word)
            if found is None:
                found = known[word] = _word_keys(analysis, i, form, folded, lemmas[i])
            keys[i], lemmas[i] = found
            proper[i] = _is_name(analysis, i, k, form, named, lowercase)
    return _View(keys, lemmas, glued, proper)


def _word_keys(analysis: Analysis, i: int, form: str, folded: str, shown: str) -> tuple[frozenset[str], str]:
    """A word's search keys (beside the analysis' own: a strong verb's lemma, the roots that meet
    a noun with its verb) and the lemma shown for it."""
    tag = analysis.pos[i]
    lemma = fold(strip_glued(analysis.lemmas[i])) if not analysis.basic else folded
    glued = form != analysis.form(i)
    found = set(analysis.keys(i)) if not glued else {normalise(form), normalise(lemma)}
    if analysis.basic:
        found |= {stem(form)} | _basic_forms(folded)
    else:
        found |= _forms(folded, lemma)
        if tag in _ROOT_TAGS and (tag != "ADJ" or _participle(folded, lemma)):
            found |= {EXACT + r for r in _text_roots(tag, form, folded, lemma)}
    return frozenset(found), DIALECT.get(folded, normalise(lemma)) if glued else shown


def _text_roots(tag: str, form: str, folded: str, lemma: str) -> set[str]:
    """The roots a word of the text meets a query by: a noun by its lemma (*skam*; *Skammen*
    that the model left unlemmatised by its stem), a verb or participle by its verb's roots
    (*skammet*: *skamm*, *skam*). A dialect form goes by the table's lemma, whatever the tag."""
    verbs = _forms(folded, lemma)
    nouns = set()
    if folded in DIALECT:
        verbs.add(DIALECT[folded])
    if tag == "NOUN":
        nouns.add(normalise(lemma))
        if lemma == folded and form[:1].isupper():
            nouns.add(stem(form))
    else:
        verbs |= {normalise(lemma), normalise(form)}
    return nouns | {r for v in verbs for r in roots(v)}


def _forms(folded: str, lemma: str) -> set[str]:
    """The lemma a strong verb's form or a participle stands for (*ødelagte* → *ødelegge*)."""
    return {FORMS[w] for w in (folded, lemma) if w in FORMS}


def _basic_forms(folded: str) -> set[str]:
    """Basic mode: a strong or irregular verb's lemma, and a weak participle's stem (*glemt*)."""
    out = set()
    if folded in FORMS:
        out |= {FORMS[folded], stem(FORMS[folded])}
    if len(folded) >= 5 and folded.endswith("t") and folded[-2] not in "aeiouyæøå":
        base = stem(folded[:-1])
        if len(base) >= 4:
            out.add(base)
    return out


def _participle(folded: str, lemma: str) -> bool:
    """An adjective that is a verb's participle: its lemma is the verb (*forandret*: *forandre*)."""
    return (lemma != folded and lemma.endswith("e")) or folded in FORMS


def _named_tokens(analysis: Analysis) -> set[int]:
    """Tokens inside the model's named entities."""
    out: set[int] = set()
    for start, end, _ in analysis.ents:
        out.update(analysis.tokens_in(start, end))
    return out


def _is_name(analysis: Analysis, i: int, k: int, form: str, named: set[int], lowercase: set[str]) -> bool:
    """A proper noun: the model's, or in a named entity, or capitalised inside a sentence. First
    in a sentence, a capitalised word is a name when the model kept the capital in its lemma
    (*Fredrik*; *Livskvaliteten* has *livskvalitet*), in basic mode unless the text also writes it
    in lowercase."""
    if analysis.pos[i] == "PROPN" or i in named:
        return True
    if not form[:1].isupper() or form.isupper():
        return False
    if k > 0:
        return True
    if analysis.basic:
        return fold(form) not in lowercase
    return analysis.lemmas[i][:1].isupper()


def _widen(pattern: Pattern, query: Analysis) -> Pattern:
    """The query's words with the keys they meet in the text (see :func:`_read`): a noun's and
    a verb's roots (not an adjective's: *fin* must not meet *finne*), a strong verb's lemma."""
    tokens = [i for i in range(len(query)) if query.flags[i] & WORD and not query.flags[i] & NOTE]
    words = []
    for word, i in zip(pattern.words, tokens):
        if word.slot:
            words.append(word)
            continue
        folded = fold(query.form(i))
        lemma = fold(query.lemmas[i]) if not query.basic else folded
        extra: set[str] = set()
        if query.basic:
            extra |= _basic_forms(folded)
        else:
            forms = _forms(folded, lemma)
            extra |= forms
            tag = query.pos[i]
            if tag in _ROOT_TAGS and (tag != "ADJ" or _participle(folded, lemma)):
                bases = {normalise(lemma), normalise(folded)} | forms  # as a noun, and as a verb
                extra |= {EXACT + r for b in bases for r in roots(b) | {b}}
        words.append(replace(word, keys=word.keys | extra))
    return replace(pattern, words=tuple(words))


# --- compounds and derivations (fuzzy) --------------------------------------------------------------


def _compounds(analysis: Analysis, view: _View, keys: frozenset[str]) -> list[int]:
    """Words that are compounds with the query word as their head (*delmål*, *hverdagsliv*) or
    its derivations (*håpløs*, *forandring*); never names (see the module docstring)."""
    plain = {k for k in keys if len(k) >= 3 and k.isalpha()}
    bases = plain | {k[len(EXACT):] for k in keys if k.startswith(EXACT) and len(k) > len(EXACT) + 2}
    bases |= {b + b[-1] for b in plain if b[-1] not in "aeiouyæøå"}  # skam: skamm-elig
    out = []
    known: dict[tuple[str, str, str], bool] = {}
    for i in range(len(analysis)):
        if view.keys[i] is None or view.proper[i]:
            continue
        word = (analysis.form(i), analysis.lemmas[i], view.lemmas[i])
        found = known.get(word)
        if found is None:
            form = strip_glued(fold(word[0]))
            candidates = {form, fold(word[2]), fold(strip_glued(word[1]))}
            if analysis.basic:
                candidates.add(stem(form))
            found = known[word] = any(_is_compound(c, plain) or _is_derivation(c, bases) for c in candidates)
        if found:
            out.append(i)
    return out


def _is_compound(word: str, heads: set[str]) -> bool:
    for head in heads:
        if word == head or not word.endswith(head) or head in DERIVATIONS:
            continue
        part = word[:-len(head)]
        core = part[:-1] if part[-1] in "se" and len(part) > MIN_PART else part
        if len(core) >= MIN_PART and not {part, core} & PREFIXES and core not in FORMS and part not in FORMS:
            return True
    return False


def _is_derivation(word: str, bases: set[str]) -> bool:
    for base in bases:
        if word == base or not word.startswith(base):
            continue
        rest = word[len(base):]
        for ending in DERIVATIONS:
            for linked in (rest, rest[1:] if rest[:1] == "e" else None):
                if linked and linked.startswith(ending) and len(linked) - len(ending) <= MAX_INFLECTION:
                    return True
    return False


def _flat(text: str) -> str:
    """Context on one line: runs of white space (line breaks too) as one space; the space next
    to the word is kept, so ``left + word + right`` reads as the text does."""
    return re.sub(r"\s+", " ", text)
