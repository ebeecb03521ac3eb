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

To keep the review short:

* **header lines** (the unattributed text before the first speaker: the title, the date,
  ``Deltakere:``, ``Transkribert av ...``) offer no header words, months or dates as names; a
  name inside them (a place in the title) is still offered, on its own;
* the **kind** is guessed from the word and its context: ``-senter``, ``-klinikk``,
  ``-sykehus``, ``-stiftelsen`` ... make an institution, ``på X``, ``i X``, ``fra X`` a place,
  then the model's label, and a speaker's or listed name a person (:func:`guess_kind`);
* a **first name said aloud** (*Kari*) is linked to the speaker whose label is the full name
  (*Kari Nordmann*) as ``variant_of``: one person, one tag.

:func:`refresh_findings` runs the finder over the transcripts *and* the texts around them
(titles, focus groups and their attributes, memos, condensed meanings and notes) and keeps the
result in the project (:func:`qualcode.store.deid.save_findings`), so every export hides the
names nobody has reviewed yet (private by default).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz.distance import Levenshtein

from ..core.deid import Term, find_redactions, is_generic_label, is_name_label
from ..store import Project
from ..store import deid as store_deid
from .analysis import NOTE, WORD, Analysis, analyse_texts, get_analysis
from .dialect import DIALECT, fold, is_stop
from .model import Pipeline, load_pipeline

__all__ = ["Finding", "find_names", "found_names", "free_text_names", "guess_kind", "is_name_label",
           "refresh_findings"]

NER_KINDS = ("PER", "LOC", "GPE_LOC", "GPE_ORG", "ORG")
SOURCES = ("list", "speaker", "ner", "pattern")  # priority when one place has several
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
    variant_of: str | None = None   # a spelling variant of this name, or the speaker's full name
    context: str = ""
    votes: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

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
    votes: Counter = field(default_factory=Counter)  # kind -> weight of the evidence for it


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
    first_names = store_deid.first_names(speaker_names)

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
        header = _header_lines(project, transcript.id, text)

        def add(start: int, end: int, term: str, kind: str, source: str, variant_of: str | None = None,
                *, found: dict[tuple[int, int], _Candidate] = found, text: str = text) -> None:
            key = (start, end)
            if key not in found:
                found[key] = _Candidate(start, end, text[start:end], term, kind, variant_of=variant_of)
            found[key].sources.add(source)
            found[key].votes[kind] += _WEIGHTS[source]
            place = _context_kind(text, start)
            if place and source in ("ner", "pattern"):
                found[key].votes[place] += 2

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
        # the model's entities (in header lines: only the words that can be names)
        for start, end, label in analysis.ents:
            if label not in NER_KINDS:
                continue
            for s, e in _split_entity(text, start, end):
                for s2, e2 in _trim_header(text, s, e, header):
                    add(s2, e2, _base_name(text[s2:e2], known), label, "ner")
        for s, e, kind in _capitalised(analysis, openers=False):
            for s2, e2 in _trim_header(text, s, e, header):
                if not any(s2 < c.end and c.start < e2 for c in found.values()):
                    add(s2, e2, _base_name(text[s2:e2], known), kind, "pattern")
        # spelling variants of every name found or listed
        names = {c.term for c in found.values()} | {t.term for t in listed} | set(speaker_names)
        for s, e, base in _variants(analysis, names):
            if not any(s < c.end and c.start < e for c in found.values()) and _trim_header(text, s, e, header):
                kind = next((c.kind for c in found.values() if c.term == base),
                            decisions[base.casefold()].kind if base.casefold() in decisions else "PER")
                add(s, e, text[s:e] if not _GENITIVE.search(text[s:e]) else _strip_genitive(text[s:e]),
                    kind, "list", variant_of=base)
        # proper nouns opening a sentence (with a model), unless a variant or a name covers them
        for s, e, kind in _capitalised(analysis, openers=True):
            for s2, e2 in _trim_header(text, s, e, header):
                if not any(s2 < c.end and c.start < e2 for c in found.values()):
                    add(s2, e2, _base_name(text[s2:e2], known), kind, "pattern")

        redacted = [(r.start, r.end) for r in find_redactions(text, decided)]
        for c in _outermost(found.values()):
            primary = next(s for s in SOURCES if s in c.sources)
            decision = _decision(c, decisions, redacted)
            variant_of = c.variant_of or _first_name_of(c.term, first_names)
            findings.append(Finding(
                transcript.id, c.start, c.end, c.surface, c.term, c.kind, primary, decision,
                tuple(s for s in SOURCES if s in c.sources), variant_of, _context(text, c.start, c.end),
                dict(c.votes),
            ))
    return _one_kind_per_term(findings, decisions)


def _first_name_of(term: str, first_names: dict[str, str]) -> str | None:
    """The speaker's full name a first name said aloud belongs to (*Kari* → *Kari Nordmann*)."""
    return next((full for first, full in first_names.items() if first.casefold() == term.casefold()), None)


def _one_kind_per_term(findings: list[Finding], decisions: dict[str, Term]) -> list[Finding]:
    """One kind for all occurrences of a term: the decided one, else the best guess from all of
    them (:func:`guess_kind`: NER reads *Ingrids historie* as an institution once and *Ingrid* as
    a person five times; *på Lysheim* says place; *Lysheimsenteret* is an institution)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        votes[f.term.casefold()].update(f.votes or {f.kind: 1})
    kinds = {}
    for term, counter in votes.items():
        kinds[term] = decisions[term].kind if term in decisions else guess_kind(term, counter)
    return [f if f.kind == kinds[f.term.casefold()] else replace(f, kind=kinds[f.term.casefold()])
            for f in findings]


# --- guessing the kind ------------------------------------------------------------------------------

# Any: the votes are Counters of float weights, and typeshed types a Counter's values as int.
# attribute: a focus group's attribute such as institusjon=X
_WEIGHTS: dict[str, Any] = {"list": 3, "speaker": 3, "attribute": 10, "ner": 1, "pattern": 0.5}
_PLACE_WORDS = frozenset({"i", "på", "fra", "ifra", "frå", "til", "ved", "utenfor", "nær", "mot", "rundt"})
_ORG_SUFFIXES = (
    "senter", "senteret", "sentret", "klinikk", "klinikken", "sykehus", "sykehuset", "sjukehus", "sjukehuset",
    "sykehjem", "sykehjemmet", "stiftelse", "stiftelsen", "forening", "foreningen", "institusjon",
    "institusjonen", "avdeling", "avdelingen", "skole", "skolen", "universitet", "universitetet", "høgskole",
    "høgskolen", "høyskole", "høyskolen", "kollektiv", "kollektivet", "tjeneste", "tjenesten", "tjenestene",
    "kontor", "kontoret", "poliklinikk", "poliklinikken", "behandlingshjem", "behandlingshjemmet",
    "bofellesskap", "bofellesskapet", "barnevern", "barnevernet", "helseforetak", "helseforetaket",
)
_ORG_WORDS = frozenset({"dps", "nav", "as", "asa", "hf", "ans", "iks"})
_ORG_FIRST_WORDS = frozenset({"kafé", "kafe", "café", "cafe", "hotell", "restaurant", "butikk", "stiftelsen",
                              "foreningen", "klinikken", "senteret", "kollektivet", "kirkens", "frelsesarmeens"})
_GPE_ORG_WORDS = frozenset({"kommune", "kommunen", "fylkeskommune", "fylkeskommunen", "bydel"})
_PLACE_SUFFIXES = (
    "vik", "viken", "dal", "dalen", "fjord", "fjorden", "øy", "øya", "øyene", "nes", "neset", "stad", "sund",
    "sand", "våg", "vågen", "strand", "vann", "vatnet", "holm", "bygd", "gate", "gata", "veien", "vegen",
    "torg", "torget", "plass", "plassen",
)


def _suffix_kind(term: str) -> str | None:
    """An institution or a municipality by its last word (*Lysheimsenteret*, *Fjellvik kommune*,
    *Blå Kors DPS*)."""
    words = [fold(w) for w in re.findall(r"\w+", term)]
    if not words:
        return None
    last = words[-1]
    if any(w in _ORG_WORDS for w in words[1:]) or (len(words) == 1 and last in _ORG_WORDS):
        return "ORG"
    if len(words) > 1 and words[0] in _ORG_FIRST_WORDS:  # Kafé Brua, Stiftelsen Lysheim
        return "ORG"
    if len(words) > 1 and last in _GPE_ORG_WORDS:
        return "GPE_ORG"
    if any(last.endswith(x) for x in _ORG_SUFFIXES):
        return "ORG"
    return None


def guess_kind(term: str, votes: Counter | dict[str, float] | None = None) -> str:
    """The kind of a name: by its last word first (institutions, municipalities), else by the
    votes of its occurrences (the model's label, *på X* / *i X* → a place, a speaker's or a
    listed name → a person), helped by a place-name ending (*-vik*, *-dal*, *-fjorden*), else a
    person."""
    by_suffix = _suffix_kind(term)
    if by_suffix:
        return by_suffix
    counter: dict[str, float] = dict(votes or {})
    words = [fold(w) for w in re.findall(r"\w+", term)]
    if words and len(words[-1]) > 4 and any(words[-1].endswith(x) for x in _PLACE_SUFFIXES):
        counter["GPE_LOC"] = counter.get("GPE_LOC", 0) + 0.75
    if not counter:
        return "PER"
    best = max(counter.values())
    for kind in ("PER", "GPE_LOC", "LOC", "ORG", "GPE_ORG"):  # a tie: in the order a review expects
        if counter.get(kind) == best:
            return kind
    return max(counter, key=counter.__getitem__)


def _context_kind(text: str, start: int) -> str | None:
    """``GPE_LOC`` when the word before is *i*, *på*, *fra*, *til* ... (``bodde i Fjellvik``)."""
    m = re.search(r"(\w+)[ \t]+$", text[max(0, start - 12):start])
    return "GPE_LOC" if m and fold(m.group(1)) in _PLACE_WORDS else None


# --- header lines ---------------------------------------------------------------------------------

HEADER_WORDS = frozenset([
    "fokusgruppe", "fokusgruppen", "fokusgruppeintervju", "gruppeintervju", "intervju", "intervjuet", "dato",
    "tid", "tidspunkt", "klokkeslett", "kl", "sted", "deltakere", "deltagere", "deltaker", "deltager",
    "deltakarar", "tilstede", "stede", "transkribert", "transkribent", "transkripsjon", "transkribering",
    "transkripsjonen", "moderator", "intervjuer", "observatør", "referent", "sekretær", "varighet", "lengde",
    "opptak", "lydfil", "videofil", "fil", "prosjekt", "prosjektet", "fagdag", "fagdagen", "side", "møte",
    "gruppe", "tema", "sesjon", "runde", "del", "totalt", "minutter", "min", "time", "timer", "nr", "tittel",
    "kilde", "teams", "zoom", "date", "time", "participants", "participant", "transcribed", "transcript",
    "transcription", "interview", "focus", "group", "duration", "recording", "file", "project", "title",
    "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
    "desember", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "des", "mandag",
    "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag", "january", "february", "march", "may",
    "june", "july", "october", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday",
])


def _header_lines(project: Project, tid: str, text: str) -> list[tuple[int, int]]:
    """The lines of the text before the first speaker's turn (a title, a date, ``Deltakere:``,
    ``Transkribert av ...``); none when no turn has a speaker."""
    turns = [t for t in project.turns(tid) if t.speaker is not None]
    if not turns:
        return []
    first = text.rfind("\n", 0, turns[0].start) + 1  # the line of the first label
    lines, pos = [], 0
    for line in text[:first].split("\n"):
        if line.strip():
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    return lines


def _trim_header(text: str, start: int, end: int, header: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A candidate outside the header as it is; inside a header line, the runs of its words
    that can be names (no header words such as *Deltakere* or *Transkribert*, no months, days
    or numbers): ``Fokusgruppe 1 på Lysheim`` offers only *Lysheim*."""
    if not any(s <= start < e for s, e in header):
        return [(start, end)]
    return _name_runs(text, start, end)


def _name_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of capitalised words in ``text[start:end]`` that can be names: header words,
    months, days, numbers, stop words and dialect pronouns left out."""
    runs: list[tuple[int, int]] = []
    for m in re.finditer(r"\w[\w'’-]*", text[start:end]):
        word = m.group()
        ok = (word[:1].isupper() and not any(ch.isdigit() for ch in word) and fold(word) not in HEADER_WORDS
              and _could_be_name(word))
        s, e = start + m.start(), start + m.end()
        if ok and runs and text[runs[-1][1]:s].strip() == "":
            runs[-1] = (runs[-1][0], e)
        elif ok:
            runs.append((s, e))
    return runs


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
    if all(is_stop(w) or fold(w) in DIALECT or is_generic_label(w) for w in words):
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


def _capitalised(analysis: Analysis, *, openers: bool | None = None) -> list[tuple[int, int, str]]:
    """Capitalised words inside a sentence (runs of them joined) that NER left out: in basic
    mode all of them, with a model only those it tags as proper nouns (*Mona* in a sentence
    the model read as having no entity), then also one opening a sentence. After *i*, *på*,
    *fra* ... the guess is a place. ``openers``: only runs that open a sentence (True), only
    those that do not (False), or all (None)."""
    out: list[tuple[int, int, str]] = []
    opens: list[bool] = []
    sentence_starts = set(analysis.sent_starts)
    previous_end = -1
    for i in range(len(analysis)):
        if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
            continue
        form = analysis.form(i)
        double = _DOUBLE_NAME.match(form) is not None  # Per-Ivar, Anne-Lise: a name wherever it stands
        if i in sentence_starts and not double and (analysis.basic or analysis.pos[i] != "PROPN" or len(form) < 3):
            continue  # a capital that opens a sentence says nothing, unless the model reads a proper noun
        if not double and (not form[0].isupper() or not _could_be_name(form)
                           or (not analysis.basic and analysis.pos[i] != "PROPN")):
            continue
        start, end = analysis.starts[i], analysis.ends[i]
        if out and analysis.text[previous_end:start].strip() == "":
            out[-1] = (out[-1][0], end, out[-1][2])
        else:
            place = i > 0 and fold(analysis.form(i - 1)) in _PLACE_WORDS
            if _name_opens_sentence(analysis, i - 1, sentence_starts):
                start = analysis.starts[i - 1]  # *Halvard Brekke ledet ...*: the first name too
            out.append((start, end, "GPE_LOC" if place else "PER"))
            opens.append(i in sentence_starts and not double)
        previous_end = end
    return [run for run, opener in zip(out, opens) if openers is None or opener == openers]


def _name_opens_sentence(analysis: Analysis, i: int, sentence_starts: set[int]) -> bool:
    """Is token ``i`` a capitalised word opening a sentence, right before a capitalised name?
    Two capitalised words opening a sentence are a name far more often than not."""
    if i < 0 or i not in sentence_starts or not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
        return False
    form = analysis.form(i)
    if not form[:1].isupper() or not _could_be_name(form) or fold(form) in HEADER_WORDS:
        return False
    if analysis.text[analysis.ends[i]:analysis.starts[i + 1]].strip():
        return False  # "Ja, Kari ...": punctuation between them
    return analysis.basic or analysis.pos[i] == "PROPN"


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


# --- beyond the transcripts, and keeping the results -------------------------------------------------

# Focus-group attributes whose value is a name, and its kind (``institusjon: Lysheim``).
ATTRIBUTE_KINDS = {
    "institusjon": "ORG", "institution": "ORG", "avdeling": "ORG", "enhet": "ORG", "klinikk": "ORG",
    "sykehus": "ORG", "organisasjon": "ORG", "organisation": "ORG", "arbeidsplass": "ORG", "tjeneste": "ORG",
    "behandlingssted": "ORG", "senter": "ORG", "site": "ORG", "sted": "GPE_LOC", "place": "GPE_LOC",
    "location": "GPE_LOC", "kommune": "GPE_LOC", "by": "GPE_LOC", "fylke": "GPE_LOC", "region": "GPE_LOC",
    "navn": "PER", "name": "PER", "leder": "PER", "moderator": "PER", "intervjuer": "PER", "innleder": "PER",
    "kontakt": "PER", "kontaktperson": "PER", "transkribent": "PER",
}


def free_text_names(project: Project, pipeline: Pipeline) -> list[tuple[str, str, str]]:
    """Names in the texts exports show beside the transcripts (titles, focus groups and their
    attributes, memos, condensed meanings and notes, codebook examples), as (term, kind,
    source). Long texts are read as the transcripts are (entities, capitalised words inside a
    sentence); short ones (a title, a group's name, an attribute) as header lines, whose first
    word may be a name too; an attribute such as *institusjon* is a name whole."""
    texts = store_deid.free_texts(project)
    analyses = analyse_texts(pipeline, [text for _, text in texts])
    terms: dict[str, str] = {}
    votes: dict[str, Counter] = defaultdict(Counter)
    sources: dict[str, set[str]] = {}
    for (what, text), analysis in zip(texts, analyses):
        found: list[tuple[int, int, str, str]] = []
        short = what in ("title", "group", "project") or what.startswith("attribute:")
        key = what.split(":", 1)[1].casefold() if what.startswith("attribute:") else ""
        if key in ATTRIBUTE_KINDS and text.strip() and any(ch.isalpha() for ch in text) \
                and not any(ch.isdigit() for ch in text):
            found.append((0, len(text), ATTRIBUTE_KINDS[key], "attribute"))
        for start, end, label in analysis.ents:
            if label in NER_KINDS:
                for s, e in _split_entity(text, start, end):
                    found += [(s2, e2, label, "ner") for s2, e2 in (_name_runs(text, s, e) if short else [(s, e)])]
        for s, e, kind in _capitalised(analysis):
            found += [(s2, e2, kind, "pattern") for s2, e2 in (_name_runs(text, s, e) if short else [(s, e)])]
        if short and (analysis.basic or any(p == "PROPN" for p in analysis.pos)):
            for s, e in _name_runs(text, 0, len(text)):
                words = analysis.tokens_in(s, e)
                if analysis.basic or any(analysis.pos[i] == "PROPN" for i in words):
                    found.append((s, e, "PER", "pattern"))
        for s, e, kind, source in found:
            surface = " ".join((_strip_genitive(text[s:e]) if len(text[s:e]) > 4 and source == "ner"
                                else text[s:e]).split())
            if len(surface) < 2:
                continue
            key = surface.casefold()
            terms.setdefault(key, surface)
            votes[key][kind] += _WEIGHTS[source]
            if _context_kind(text, s):
                votes[key]["GPE_LOC"] += 2
            sources.setdefault(key, set()).add(source)
    return [(term, guess_kind(term, votes[key]),
             next((x for x in ("attribute", *SOURCES) if x in sources[key]), "pattern"))
            for key, term in terms.items()]


def found_names(findings: list[Finding], extra: Sequence[tuple[str, str, str]] = ()) -> list[store_deid.Found]:
    """The finder's results by name, as the project keeps them: one entry per term (in the order
    first found) with its kind, main source, the name whose tag it shares and how often it occurs."""
    by_term: dict[str, list[Finding]] = {}
    for f in findings:
        by_term.setdefault(f.term.casefold(), []).append(f)
    votes: dict[str, Counter] = defaultdict(Counter)
    for key, group in by_term.items():
        for f in group:
            votes[key].update(f.votes or {f.kind: 1})
    extra_terms: dict[str, tuple[str, str]] = {}
    for term, kind, source in extra:  # one per term, its kind the texts' own best guess
        key = " ".join(term.split()).casefold()
        votes[key][kind] += _WEIGHTS.get(source, 1) + 1
        if key not in by_term:
            extra_terms.setdefault(key, (" ".join(term.split()), source))
    out: list[store_deid.Found] = []
    for key, group in by_term.items():
        first = group[0]
        sources = {s for f in group for s in (f.sources or (f.source,))}
        source = next((s for s in SOURCES if s in sources), first.source)
        variant = next((f.variant_of for f in group if f.variant_of), None)
        kind = first.kind if first.decision != "pending" else guess_kind(first.term, votes[key])
        out.append(store_deid.Found(first.term, kind, source, variant, len(group)))
    for key, (term, source) in extra_terms.items():
        out.append(store_deid.Found(term, guess_kind(term, votes[key]), source, None, 0))
    return out


def refresh_findings(project: Project, pipeline: Pipeline, *, model_key: str | None = None,
                     findings: list[Finding] | None = None) -> list[store_deid.Found]:
    """Run the name finder over the whole project (transcripts and the texts around them) and
    keep the result, so exports hide every name nobody has reviewed yet. ``findings``: the
    transcripts' findings when the caller has them already. Returns what was kept."""
    key = model_key or ("basic" if pipeline.basic else pipeline.name)
    stamp = store_deid.fingerprint(project, key)
    if findings is None:
        findings = find_names(project, pipeline=pipeline)
    names = found_names(findings, free_text_names(project, pipeline))
    store_deid.save_findings(project, names, model=key, basic=pipeline.basic, print_=stamp)
    return names
