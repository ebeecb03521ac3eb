"""Code suggestions that explain themselves.

For a span (a proposed unit, or a selection), every code of the codebook is scored from
evidence a coder can check:

* **keywords** (``keyword``): the code's keywords found in the span by lemma, including
  multi-word keywords as lemma sequences with small gaps (*kjenne seg igjen* in *jeg kjente meg
  faktisk igjen*); a keyword shared by several codes counts for each in proportion;
* **spelling and dialect variants** (``variant``): the same, where a word matched through the
  dialect table or rapidfuzz (*ikkje*, *høyrt*, *håpe*/*håp*), at a little less weight;
* **similarity** (``similar``): lemma TF-IDF cosine between the span and the units humans have
  already coded with the code, and the codebook's example utterances (so it works before the
  first unit): the mean of the cosine with the code's centroid and with its most alike unit.
  Units that overlap the span itself are left out, so a second coder is never shown the first
  coder's decision about the same words; the ``auto`` coder's units never count;
* **role** (``role``): a subtheme named for patients or staff (*Ansattes håp*) is held back when
  the speaker has the other role, since the codebook says to code those by the speaker's role.

``score = 0.5 * (1 - exp(-keywords)) + 0.5 * min(1, similarity / 0.5)``, both parts in 0..1.
The keyword sum counts each keyword once, weighted by how well it matched, by its length in
words and by how few codes share it, with a little more for repeats. A subtheme inherits its
parent's keyword evidence, in full when it is the subtheme for the speaker's role and by half
when it has keywords of its own in the span, so the most specific fitting code ranks first.
Every :class:`Suggestion` carries its :class:`Evidence` with the words and their offsets in
the transcript text.
"""

from __future__ import annotations

import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..core.models import MODERATOR_ROLES, CodeNode
from ..store import Project
from .analysis import NOTE, WORD, Analysis, analyse_texts, get_analysis
from .dialect import is_stop
from .matching import Match, Matcher, compile_patterns
from .model import Pipeline, load_pipeline

KEYWORD_WEIGHT = 0.5
SIMILARITY_WEIGHT = 0.5
SIMILARITY_FULL = 0.5      # a cosine this high counts as full similarity
ROLE_PENALTY = 0.5
MIN_SCORE = 0.12           # weaker suggestions are not shown
AUTO_CODER = "auto"

_ROLE_WORDS = {
    "ansatt": re.compile(r"\bansatt\w*|\bpersonal\w*|\bbehandler\w*", re.IGNORECASE),
    "pasient": re.compile(r"\bpasient\w*|\bbruker(?:e|es|ne)?\b", re.IGNORECASE),
}


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the transcript that triggered a suggestion (offsets into the stored text)."""

    text: str
    start: int
    end: int
    lemma: str


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str                 # "keyword", "variant", "similar" or "role"
    term: str                 # the codebook keyword; the shared lemmas; the role
    words: tuple[Word, ...]
    weight: float
    unit: int | None = None   # "similar": the most alike coded unit (None: a codebook example)
    count: int = 1            # keyword: how many times it occurs in the span (words: all of them)

    def describe(self) -> str:
        if self.kind in ("keyword", "variant"):
            per = max(1, len(self.words) // max(1, self.count))
            shown = " … ".join(w.text for w in self.words[:per]) + (f" (×{self.count})" if self.count > 1 else "")
            how = "keyword" if self.kind == "keyword" else "keyword (variant)"
            return f"{how} «{self.term}»: {shown}"
        if self.kind == "similar":
            like = f"unit {self.unit}" if self.unit is not None else "the codebook's examples"
            return f"like {like}: {self.term}"
        return f"role: {self.term}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "term": self.term, "weight": round(self.weight, 3), "unit": self.unit,
            "count": self.count,
            "words": [{"text": w.text, "start": w.start, "end": w.end, "lemma": w.lemma} for w in self.words],
        }


@dataclass(slots=True)
class Suggestion:
    code: str
    name: str
    score: float
    keyword_score: float = 0.0
    similarity: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    path: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        """Every word that triggered this suggestion, in text order, once each."""
        seen: dict[tuple[int, int], Word] = {}
        for ev in self.evidence:
            for w in ev.words:
                seen.setdefault((w.start, w.end), w)
        return [seen[k] for k in sorted(seen)]

    def explain(self) -> str:
        return "; ".join(ev.describe() for ev in self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "path": self.path, "score": round(self.score, 3),
            "keyword_score": round(self.keyword_score, 3), "similarity": round(self.similarity, 3),
            "explanation": self.explain(), "evidence": [e.to_dict() for e in self.evidence],
        }


def _role_of_code(node: CodeNode) -> str | None:
    for role, pattern in _ROLE_WORDS.items():
        if pattern.search(node.name):
            return role
    return None


def _role_family(role: str | None) -> str | None:
    if not role:
        return None
    folded = role.casefold()
    if folded in MODERATOR_ROLES:
        return None
    for family, pattern in _ROLE_WORDS.items():
        if pattern.search(folded):
            return family
    return None


def bag_of_lemmas(analysis: Analysis, start: int, end: int) -> Counter[str]:
    """Content-word lemma counts of a span (stop words, notes and punctuation left out)."""
    bag: Counter[str] = Counter()
    for i in analysis.tokens_in(start, end):
        if not analysis.flags[i] & WORD or analysis.flags[i] & NOTE:
            continue
        key = analysis.lemma_key(i)
        if len(key) < 2 or is_stop(key) or is_stop(analysis.form(i)):
            continue
        bag[key] += 1
    return bag


class _Unit:
    __slots__ = ("code", "end", "id", "start", "tid", "vector")

    def __init__(self, uid, tid, start, end, code, vector):
        self.id, self.tid, self.start, self.end, self.code, self.vector = uid, tid, start, end, code, vector


class Suggester:
    """Scores codes for spans of one project. Build once, ask many times (``suggest``)."""

    def __init__(self, project: Project, pipeline: Pipeline | None = None, *, use_examples: bool = True):
        self.project = project
        self.pipeline = pipeline or load_pipeline()
        self.book = project.codebook()
        self.nodes = {c.id: c for c in self.book.codes}
        self.paths = {c.id: [n.name for n in self.book.path(c.id)] for c in self.book.codes}
        self.code_roles = {c.id: _role_of_code(c) for c in self.book.codes}
        patterns = compile_patterns(self.pipeline, [(c.id, k) for c in self.book.codes for k in c.keywords])
        self.matcher = Matcher(patterns)
        owners: dict[str, set[str]] = defaultdict(set)
        for p in patterns:
            owners[_term_key(p.term)].add(p.owner)
        self.term_owners = {k: len(v) for k, v in owners.items()}
        self._turns: dict[str, tuple[list[int], list]] = {}
        self._build_similarity(use_examples)

    # --- similarity model ----------------------------------------------------------------------

    def _build_similarity(self, use_examples: bool) -> None:
        bags: list[tuple[int | None, str | None, int, int, str, Counter[str]]] = []
        for coding in self.project.codings():
            if coding.coder == AUTO_CODER or coding.code not in self.nodes:
                continue
            analysis = get_analysis(self.project, coding.transcript, self.pipeline)
            bag = bag_of_lemmas(analysis, coding.start, coding.end)
            if bag:
                bags.append((coding.id, coding.transcript, coding.start, coding.end, coding.code, bag))
        if use_examples:
            examples = [(c.id, text) for c in self.book.codes for text in c.examples if text.strip()]
            for (code, _), analysis in zip(examples, analyse_texts(self.pipeline, [t for _, t in examples])):
                bag = bag_of_lemmas(analysis, 0, len(analysis.text))
                if bag:
                    bags.append((None, None, 0, 0, code, bag))
        df: Counter[str] = Counter()
        for *_, bag in bags:
            df.update(bag.keys())
        self.n_docs = len(bags)
        self.idf = {k: math.log((self.n_docs + 1) / (n + 1)) + 1.0 for k, n in df.items()}
        self.default_idf = math.log(self.n_docs + 1) + 1.0
        self.units: list[_Unit] = []
        self.sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.units_of: dict[str | None, list[int]] = defaultdict(list)
        for uid, tid, start, end, code, bag in bags:
            vector = self.vector(bag)
            n = len(self.units)
            self.units.append(_Unit(uid, tid, start, end, code, vector))
            self.units_of[tid].append(n)
            for k, v in vector.items():
                self.sums[code][k] += v
                self.postings[k].append((n, v))
        self.centroid_norms = {code: math.sqrt(sum(v * v for v in total.values())) for code, total in self.sums.items()}

    def vector(self, bag: Counter[str]) -> dict[str, float]:
        weights = {k: (1.0 + math.log(n)) * self.idf.get(k, self.default_idf) for k, n in bag.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {k: w / norm for k, w in weights.items()}

    # --- suggesting ----------------------------------------------------------------------------

    def role_at(self, tid: str, offset: int) -> str | None:
        if tid not in self._turns:
            turns = self.project.turns(tid)
            self._turns[tid] = ([t.start for t in turns], turns)
        starts, turns = self._turns[tid]
        i = bisect_right(starts, offset) - 1
        return turns[i].role if 0 <= i < len(turns) and offset < turns[i].end else None

    def suggest(self, tid: str, start: int, end: int, top: int = 5) -> list[Suggestion]:
        tid = self.project.transcript(tid).id
        analysis = get_analysis(self.project, tid, self.pipeline)
        return self.suggest_in(analysis, start, end, top=top, tid=tid,
                               role=self.role_at(tid, start))

    def suggest_in(self, analysis: Analysis, start: int, end: int, *, top: int = 5, tid: str | None = None,
                   role: str | None = None) -> list[Suggestion]:
        """Suggestions for ``[start, end)`` of an analysed text (``tid`` names it, to leave the
        units that overlap the span out of the similarity)."""
        matches = self.matcher.find(analysis, start, end)
        keyword_raw, evidence = self._keyword_evidence(analysis, matches)
        query = self.vector(bag_of_lemmas(analysis, start, end))
        similar = self._similarities(query, tid, start, end)
        similarity = {code: sim for code, (sim, _) in similar.items()}
        speaker_role = _role_family(role)
        # A subtheme inherits its parent's keyword evidence: all of it when the subtheme is the
        # one for the speaker's role (the codebook says to code by role), half of it when the
        # subtheme has keywords of its own in the span.
        inherited = {}
        for code, node in self.nodes.items():
            parent_raw = keyword_raw.get(node.parent, 0.0) if node.parent else 0.0
            if parent_raw <= 0:
                continue
            if speaker_role and self.code_roles.get(code) == speaker_role:
                inherited[code] = parent_raw
            elif keyword_raw.get(code, 0.0) > 0:
                inherited[code] = 0.5 * parent_raw
        out = []
        for code, node in self.nodes.items():
            raw = keyword_raw.get(code, 0.0) + inherited.get(code, 0.0)
            sim = similarity.get(code, 0.0)
            if raw <= 0 and sim <= 0:
                continue
            kw_part = 1.0 - math.exp(-raw)
            sim_part = min(1.0, sim / SIMILARITY_FULL)
            score = KEYWORD_WEIGHT * kw_part + SIMILARITY_WEIGHT * sim_part
            items = list(evidence.get(code, []))
            if inherited.get(code):
                share = inherited[code] / keyword_raw[node.parent]
                own_terms = {e.term for e in items}
                items += [Evidence(e.kind, e.term, e.words, e.weight * share, count=e.count)
                          for e in evidence.get(node.parent, []) if e.term not in own_terms]
            if sim > 0:
                items.append(self._similar_evidence(analysis, start, end, query, sim, similar[code][1]))
            code_role = self.code_roles.get(code)
            if code_role and speaker_role:
                if code_role != speaker_role:
                    score *= ROLE_PENALTY
                    items.append(Evidence("role", f"spoken by {role}, code is for {code_role}", (), -ROLE_PENALTY))
                else:
                    items.append(Evidence("role", f"spoken by {role}", (), 0.0))
            if score >= MIN_SCORE:
                out.append(Suggestion(code, node.name, score, kw_part, sim, items, self.paths[code]))
        out.sort(key=lambda s: (-s.score, -s.keyword_score, s.code))
        return out[:top]

    def _keyword_evidence(self, analysis: Analysis, matches: list[Match]):
        per_term: dict[tuple[str, str], list[Match]] = defaultdict(list)
        for m in matches:
            per_term[(m.pattern.owner, m.pattern.term)].append(m)
        raw: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[Evidence]] = defaultdict(list)
        for (code, term), found in per_term.items():
            share = 1.0 / self.term_owners.get(_term_key(term), 1)
            length = len(found[0].pattern.words)
            best = max(found, key=lambda m: m.quality)
            weight = best.quality * share * (1.0 + 0.5 * (length - 1)) * (1.0 + 0.25 * math.log(len(found)))
            raw[code] += weight
            words = tuple(_word(analysis, i) for m in found for i in m.tokens)
            kind = "variant" if all(m.variant for m in found) else "keyword"
            evidence[code].append(Evidence(kind, term, words, weight, count=len(found)))
        for code in evidence:
            evidence[code].sort(key=lambda e: e.words[0].start)
        return raw, evidence

    def _similarities(self, query: dict[str, float], tid: str | None, start: int, end: int
                      ) -> dict[str, tuple[float, _Unit | None]]:
        """Per code: (similarity, the most alike unit). The similarity is the mean of the cosine
        with the code's centroid (what its units share) and with its most alike single unit
        (so a code whose units differ among themselves is not diluted away). Units overlapping
        ``[start, end)`` of ``tid`` are left out."""
        if not query:
            return {}
        skip = set() if tid is None else {
            n for n in self.units_of.get(tid, ()) if self.units[n].start < end and start < self.units[n].end}
        dots: dict[int, float] = defaultdict(float)
        for k, w in query.items():
            for n, v in self.postings.get(k, ()):
                dots[n] += w * v
        best: dict[str, tuple[float, _Unit]] = {}
        for n, dot in dots.items():
            if n in skip:
                continue
            unit = self.units[n]
            if unit.code not in best or dot > best[unit.code][0]:
                best[unit.code] = (dot, unit)
        skipped_codes = {self.units[n].code for n in skip}
        out: dict[str, tuple[float, _Unit | None]] = {}
        for code, (nearest, unit) in best.items():
            total, norm = self.sums[code], self.centroid_norms[code]
            if code in skipped_codes:
                total = dict(total)
                for n in skip:
                    if self.units[n].code == code:
                        for k, v in self.units[n].vector.items():
                            total[k] -= v
                norm = math.sqrt(sum(v * v for v in total.values() if v > 1e-12))
            centroid = sum(w * total.get(k, 0.0) for k, w in query.items()) / norm if norm > 1e-9 else 0.0
            sim = 0.5 * centroid + 0.5 * nearest
            if sim > 0.02:
                out[code] = (sim, unit)
        return out

    def _similar_evidence(self, analysis: Analysis, start: int, end: int, query: dict[str, float],
                          sim: float, unit: _Unit | None) -> Evidence:
        """The lemmas the span shares with its most alike unit of the code, as words of the span."""
        shared = sorted(((w * unit.vector.get(k, 0.0), k) for k, w in query.items() if unit and k in unit.vector),
                        reverse=True)[:3]
        keys = [k for _, k in shared]
        words: list[Word] = []
        for i in analysis.tokens_in(start, end):
            key = analysis.lemma_key(i)
            if analysis.flags[i] & WORD and key in keys and all(w.lemma != key for w in words):
                words.append(_word(analysis, i))
        return Evidence("similar", ", ".join(keys), tuple(words), sim, unit.id if unit else None)


def _word(analysis: Analysis, i: int) -> Word:
    return Word(analysis.form(i), analysis.starts[i], analysis.ends[i], analysis.lemma_key(i))


def _term_key(term: str) -> str:
    return " ".join(term.casefold().split())


# --- one-shot API and a small cache for the TUI ------------------------------------------------

_SUGGESTERS: dict[tuple, Suggester] = {}


def _state(project: Project, pipeline: Pipeline) -> tuple:
    digest = hashlib.sha256()
    for row in project.conn.execute("SELECT id, code_id, start, end, coder, transcript_id FROM codings ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT id, parent_id, keywords, examples, name FROM codes ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT id, checksum FROM transcripts ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    return (str(project.path), pipeline.name, pipeline.version, pipeline.basic, digest.hexdigest())


def suggester_for(project: Project, pipeline: Pipeline | None = None) -> Suggester:
    """A :class:`Suggester` for the project as it is now (rebuilt after codings change)."""
    pipeline = pipeline or load_pipeline()
    key = _state(project, pipeline)
    found = _SUGGESTERS.get(key)
    if found is None or found.project is not project:
        _SUGGESTERS.clear()
        found = _SUGGESTERS[key] = Suggester(project, pipeline)
    return found


def suggest_codes(project: Project, tid: str, start: int, end: int, *, top: int = 5,
                  pipeline: Pipeline | None = None) -> list[Suggestion]:
    """The ``top`` codes for ``text[start:end]`` of transcript ``tid``, best first, with evidence."""
    return suggester_for(project, pipeline).suggest(tid, start, end, top)


# --- the deductive first pass ----------------------------------------------------------------


def autocode(project: Project, tids: list[str] | None = None, *, min_score: float = 0.45,
             pipeline: Pipeline | None = None, progress=None) -> list:
    """Code each proposed unit with its best suggestion, under the coder ``auto`` only.

    A unit is coded when its best code scores at least ``min_score`` *and* has keyword evidence
    (the codebook's keywords: a deductive pass, explainable word by word); the evidence goes in
    the unit's note. Proposals that already overlap a unit of ``auto`` are skipped, so running it
    again adds only what is new. Human coders' units are never touched, and ``auto``'s units
    never count as evidence for suggestions. Each coding is one undoable action of ``auto``.
    Returns the codings made.
    """
    from .proposals import propose_units

    pipeline = pipeline or load_pipeline()
    ids = [t.id for t in project.transcripts()] if tids is None else [project.transcript(t).id for t in tids]
    suggester = Suggester(project, pipeline)
    made = []
    for n, tid in enumerate(ids, 1):
        existing = [(c.start, c.end) for c in project.codings(transcript=tid, coder=AUTO_CODER)]
        for proposal in propose_units(project, tid, pipeline=pipeline):
            if any(s < proposal.end and proposal.start < e for s, e in existing):
                continue
            found = suggester.suggest(tid, proposal.start, proposal.end, top=1)
            if not found:
                continue
            best = found[0]
            words = [e for e in best.evidence if e.kind in ("keyword", "variant")]
            if best.score < min_score or not words:
                continue
            note = f"auto ({best.score:.2f}): " + "; ".join(e.describe() for e in words)
            made.append(project.add_coding(tid, proposal.start, proposal.end, best.code, AUTO_CODER, memo=note,
                                           origin="autocode"))
        if progress:
            progress(n, len(ids))
    return made
