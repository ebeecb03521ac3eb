"""Finding what to de-identify: names of people, places and institutions.

NER alone is not enough on speech (the models are trained on edited text; see the models'
README), so findings come from four sources, each occurrence marked with where it came from:

* ``ner``: the model's entities of the kinds PER, LOC, GPE_LOC, GPE_ORG and ORG, split at
  *og*/commas (``Kari og Karis`` is two names), with the genitive ``-s`` taken off when the
  bare name is known (``Karis`` is a finding for ``Kari``);
* ``speaker``: speaker labels that are names (``Kari Nordmann``, not ``P1`` or ``Intervjuer``),
  and their first names, wherever they occur;
* ``list``: the project's own list (``qualcode names --hide``), with the genitive, and with
  spelling **variants** of listed and found names (*Karri*, *Kary* for *Kari*), which are
  flagged ``variant_of`` for review;
* ``pattern``: capitalised words inside a sentence that NER missed (with a model only those it
  tags as proper nouns; in basic mode, which has no NER, all of them).

Each finding carries the current decision for its term: ``hidden``, ``kept`` or ``pending``.
Accepting is ``store.deid.add_term(term, kind, hide=True, source=...)``; rejecting is
``hide=False``; a variant is hidden with ``variant_of=`` so it shares its name's tag.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz.distance import Levenshtein

from ..core.deid import Term, find_redactions
from ..core.models import MODERATOR_ROLES
from ..store import Project
from ..store import deid as store_deid
from .analysis import NOTE, WORD, Analysis, get_analysis
from .dialect import DIALECT, fold, is_stop
from .model import Pipeline, load_pipeline

NER_KINDS = ("PER", "LOC", "GPE_LOC", "GPE_ORG", "ORG")
SOURCES = ("list", "speaker", "ner", "pattern")  # priority when one place has several

_GENERIC_LABEL = re.compile(
    r"^(?:[a-zæøå]{1,3}\s*\d+|(?:intervjuer|moderator|interviewer|deltaker|deltakar|pasient|ansatt|"
    r"informant|participant|speaker|taler|talar|person|leder|innleder|pårørende|observatør|"
    r"fasilitator|ukjent|unknown|alle|flere|fleire|kvinne|mann|bruker|respondent|tolk|"
    r"medarbeider|sekretær|stemme|voice)\s*\d*)$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|\bog\b|\beller\b|&|/)\s*")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_GENITIVE = re.compile(r"(?:'s|’s|s|')$")
_NOT_NAMES = frozenset({"VERB", "AUX", "ADP", "PRON", "DET", "CCONJ", "SCONJ", "ADV", "PART", "NUM"})


@dataclass(frozen=True, slots=True)
class Finding:
    transcript: str
    start: int
    end: int
    surface: str                    # as it stands in the text: "Karis"
    term: str                       # the name to decide on: "Kari"
    kind: str
    source: str                     # "ner", "speaker", "list" or "pattern"
    decision: str = "pending"       # "hidden", "kept" or "pending"
    sources: tuple[str, ...] = ()
    variant_of: str | None = None   # a spelling variant of this listed or found name
    context: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "transcript": self.transcript, "start": self.start, "end": self.end, "surface": self.surface,
            "term": self.term, "kind": self.kind, "source": self.source, "sources": list(self.sources),
            "decision": self.decision, "variant_of": self.variant_of, "context": self.context,
        }


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    surface: str
    term: str
    kind: str
    sources: set[str] = field(default_factory=set)
    variant_of: str | None = None


def is_name_label(label: str | None) -> bool:
    """Is a speaker label a person's name (``Kari``), not a code (``P1``, ``Ansatt 2``)?"""
    if not label or not any(ch.isalpha() for ch in label):
        return False
    label = label.strip()
    if label.casefold() in MODERATOR_ROLES or _GENERIC_LABEL.match(label):
        return False
    return label[0].isupper()


def find_names(project: Project, tids: list[str] | None = None, *,
               pipeline: Pipeline | None = None) -> list[Finding]:
    """Every occurrence of a possible name in the transcripts (all, or ``tids``), in text order."""
    pipeline = pipeline or load_pipeline()
    transcripts = project.transcripts() if tids is None else [project.transcript(t) for t in tids]
    decided = store_deid.terms(project)
    decisions = {t.term.casefold(): t for t in decided}
    listed = [t for t in decided if t.hide]
    speaker_names = sorted({s.label.strip() for t in project.transcripts() for s in t.speakers
                            if is_name_label(s.label)})

    analyses = {t.id: get_analysis(project, t.id, pipeline) for t in transcripts}
    ner_surfaces: dict[str, str] = {}
    for analysis in analyses.values():
        for start, end, label in analysis.ents:
            if label in NER_KINDS:
                for s, e in _split_entity(analysis.text, start, end):
                    ner_surfaces.setdefault(analysis.text[s:e].casefold(), label)
    known = ({n.casefold() for n in speaker_names} | {t.term.casefold() for t in decided}
             | set(ner_surfaces) | {n.split()[0].casefold() for n in speaker_names})

    findings: list[Finding] = []
    for transcript in transcripts:
        analysis = analyses[transcript.id]
        text = analysis.text
        found: dict[tuple[int, int], _Candidate] = {}

        def add(start: int, end: int, term: str, kind: str, source: str, variant_of: str | None = None):
            key = (start, end)
            if key not in found:
                found[key] = _Candidate(start, end, text[start:end], term, kind, variant_of=variant_of)
            found[key].sources.add(source)

        # the project's list and the speakers' names, with the genitive (core's matching)
        for term in listed:
            for edit in find_redactions(text, [Term(term.term, term.kind)]):
                add(edit.start, edit.end, term.term, term.kind, "list")
        for name in speaker_names:
            for variant in {name, name.split()[0]}:
                if len(variant) < 2:
                    continue
                for edit in find_redactions(text, [Term(variant)]):
                    add(edit.start, edit.end, variant, "PER", "speaker")
        # the model's entities
        for start, end, label in analysis.ents:
            if label not in NER_KINDS:
                continue
            for s, e in _split_entity(text, start, end):
                surface = text[s:e]
                add(s, e, _base_name(surface, known), label, "ner")
        for s, e, kind in _capitalised(analysis):
            if not any(s < c.end and c.start < e for c in found.values()):
                add(s, e, _base_name(text[s:e], known), kind, "pattern")
        # spelling variants of every name found or listed
        names = {c.term for c in found.values()} | {t.term for t in listed} | set(speaker_names)
        for s, e, base in _variants(analysis, names):
            if not any(s < c.end and c.start < e for c in found.values()):
                kind = next((c.kind for c in found.values() if c.term == base),
                            decisions[base.casefold()].kind if base.casefold() in decisions else "PER")
                add(s, e, text[s:e] if not _GENITIVE.search(text[s:e]) else _strip_genitive(text[s:e]),
                    kind, "list", variant_of=base)

        redacted = [(r.start, r.end) for r in find_redactions(text, decided)]
        for c in _outermost(found.values()):
            primary = next(s for s in SOURCES if s in c.sources)
            decision = _decision(c, decisions, redacted)
            findings.append(Finding(
                transcript.id, c.start, c.end, c.surface, c.term, c.kind, primary, decision,
                tuple(s for s in SOURCES if s in c.sources), c.variant_of, _context(text, c.start, c.end),
            ))
    return _one_kind_per_term(findings, decisions)


def _one_kind_per_term(findings: list[Finding], decisions: dict[str, Term]) -> list[Finding]:
    """One kind for all occurrences of a term: the decided one, else the most frequent guess
    (NER reads *Ingrids historie* as an institution once and *Ingrid* as a person five times)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        votes[f.term.casefold()][f.kind] += 2 if f.source in ("list", "speaker") else 1
    kinds = {}
    for term, counter in votes.items():
        kinds[term] = decisions[term].kind if term in decisions else counter.most_common(1)[0][0]
    return [f if f.kind == kinds[f.term.casefold()] else replace(f, kind=kinds[f.term.casefold()])
            for f in findings]


def _outermost(candidates) -> list[_Candidate]:
    """Candidates in text order, those lying inside a longer one dropped (``Tommy`` inside
    ``Tommy Hansen``), their sources kept on the longer one."""
    ordered = sorted(candidates, key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Candidate] = []
    for c in ordered:
        outer = next((k for k in kept if k.start <= c.start and c.end <= k.end), None)
        if outer is not None:
            outer.sources |= c.sources
            continue
        kept.append(c)
    return kept


def _decision(c: _Candidate, decisions: dict[str, Term], redacted: list[tuple[int, int]]) -> str:
    term = decisions.get(c.term.casefold()) or decisions.get(c.surface.casefold())
    if term is not None:
        return "hidden" if term.hide else "kept"
    if any(s <= c.start and c.end <= e for s, e in redacted):
        return "hidden"
    return "pending"


def _split_entity(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An entity split at *og*, commas and slashes, its edges trimmed of punctuation; parts
    that cannot be names (lowercase, stop words, dialect pronouns like *Æ*) dropped."""
    parts = []
    pos = start
    for m in [*_SPLIT.finditer(text, start, end), None]:
        s, e = pos, (m.start() if m else end)
        if m:
            pos = m.end()
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not text[e - 1].isalnum():
            e -= 1
        if _could_be_name(text[s:e]):
            parts.append((s, e))
    return parts


def _could_be_name(surface: str) -> bool:
    if len(surface) < 2 or not surface[0].isupper():
        return False
    words = surface.split()
    if all(is_stop(w) or fold(w) in DIALECT for w in words):
        return False
    return any(ch.isalpha() for ch in surface)


def _strip_genitive(surface: str) -> str:
    return _GENITIVE.sub("", surface)


def _base_name(surface: str, known: set[str]) -> str:
    """``Karis`` → ``Kari`` when ``Kari`` is a known name; ``Hans`` stays ``Hans``."""
    bare = _strip_genitive(surface)
    if bare != surface and len(bare) >= 2 and bare.casefold() in known:
        return bare
    return surface


_DOUBLE_NAME = re.compile(r"^[A-ZÆØÅ][a-zæøåéü]+-[A-ZÆØÅ][a-zæøåéü]+$")
_PLACE_WORDS = frozenset({"i", "på", "fra", "ifra", "frå", "til", "ved", "utenfor", "nær", "mot"})


def _capitalised(analysis: Analysis) -> list[tuple[int, int, str]]:
    """Capitalised words inside a sentence (runs of them joined) that NER left out: in basic
    mode all of them, with a model only those it tags as proper nouns (*Mona* in a sentence
    the model read as having no entity). After *i*, *på*, *fra* ... the guess is a place."""
    out: list[tuple[int, int, str]] = []
    sentence_starts = set(analysis.sent_starts)
    previous_end = -1
    for i in range(len(analysis)):
        if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
            continue
        form = analysis.form(i)
        double = _DOUBLE_NAME.match(form) is not None  # Per-Ivar, Anne-Lise: a name wherever it stands
        if i in sentence_starts and not double:
            continue
        if not double and (not form[0].isupper() or not _could_be_name(form)
                           or (not analysis.basic and analysis.pos[i] != "PROPN")):
            continue
        start, end = analysis.starts[i], analysis.ends[i]
        if out and analysis.text[previous_end:start].strip() == "":
            out[-1] = (out[-1][0], end, out[-1][2])
        else:
            place = i > 0 and fold(analysis.form(i - 1)) in _PLACE_WORDS
            out.append((start, end, "GPE_LOC" if place else "PER"))
        previous_end = end
    return out


def _variants(analysis: Analysis, names: set[str]) -> list[tuple[int, int, str]]:
    """Capitalised words spelled nearly like a name (one edit; two for long names)."""
    singles: dict[str, str] = {}
    for name in names:
        for part in name.split():
            if len(part) >= 4:
                singles[fold(part)] = name if len(name.split()) == 1 else part
    by_letter: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for single, base in singles.items():
        by_letter[single[0]].append((single, base))
    out = []
    for i in range(len(analysis)):
        if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
            continue
        form = analysis.form(i)
        if not form[:1].isupper() or is_stop(form) or fold(form) in DIALECT or analysis.pos[i] in _NOT_NAMES:
            continue
        word = fold(_strip_genitive(form)) if len(form) > 4 else fold(form)
        if word in singles or fold(form) in singles:
            continue
        for name, base in by_letter.get(word[:1], ()):
            if abs(len(name) - len(word)) > 2:
                continue
            limit = 1 if len(name) < 8 else 2
            if Levenshtein.distance(word, name, score_cutoff=limit) <= limit:
                out.append((analysis.starts[i], analysis.ends[i], base))
                break
    return out


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"{left}[{text[start:end]}]{right}"
