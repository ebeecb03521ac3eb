"""Code suggestions that explain themselves.

For a span (a proposed unit, or a selection), every code of the codebook is scored from
evidence a coder can check:

* **keywords** (``keyword``): the code's keywords found in the span by lemma, including
  multi-word keywords as lemma sequences with small gaps (*kjenne seg igjen* in *jeg kjente meg
  faktisk igjen*); weighted by how few of the project's turns contain the keyword (*samme*,
  *klare*, *tid* said everywhere count little; see :mod:`.corpus`), shared among the codes that
  have it; a pronoun never meets a noun keyword (*Man* is not *mann*);
* **spelling and dialect variants** (``variant``): the same through the dialect table or
  rapidfuzz (*ikkje*, *høyrt*, *håpe*/*håp*), at a little less weight;
* **the codebook's definition** (``definition``): lemma TF-IDF cosine between the span and the
  code's name, definition, inclusion criteria, keywords and examples, less what an ordinary turn
  of the project shares with them, so a codebook without examples suggests from the first unit;
  until the coder has units, with the project's turns that fit the code best too (its words for
  the code, :mod:`.expansion`), its words named apart in the evidence ("the turns that fit it best");
* **similarity** (``similar``): cosine with the units already coded with the code (only the
  asking coder's, when a coder is given: a second coder is never led by the first) and, once the
  coder has units, the codebook's examples: the mean of the centroid (less an ordinary turn's)
  and the most alike unit. Units overlapping the span are left out; the ``auto`` coder's never
  count. (Before the coder has units the examples are part of the definition only: as units they
  would favour the codes that have examples over those that have none.);
* **the talk around it**: the rest of the span's turn, the turn before and the moderator's last
  question (:mod:`.context`) count beside the span's own words, so "Ja, alltid." is about what was
  asked; the words of it that count are named in the evidence, "in the talk around it";
* **role** (``role``): a subtheme named for a role family (:mod:`.roles`: *de ansattes
  erfaringer* is staff's, which a *sykepleier* is) is held back for speakers of another family,
  and for the speaker's family it inherits its theme's evidence, so it ranks above the theme;
* **what the coder's units teach** (``learned``): a classifier over the lemmas of the coder's
  units (:mod:`.learned`), rebuilt with every unit, adds to the score as the coder codes more;
  its evidence is the span's words that pulled most towards the code;
* **what the coder did** (``rejected``, ``unused``): a code the coder passed over for an alike
  span counts less, and so does a theme the coder never codes while coding its subthemes.

Content words leave out stop words, fillers, numbers and names (:mod:`.corpus`). The score is a
weighted mean of the keyword, definition and similarity parts, each in 0..1; the weights were
tuned on the tuning studies only and are measured on a held-out study by
``bench/bench_suggest.py``. Every :class:`Suggestion` carries its :class:`Evidence` with the words
and their offsets in the transcript text; one with little evidence is shown marked weak, a guess.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace

from ..core.errors import UserError
from ..store import Project
from . import expansion
from .analysis import Analysis, analyse_texts, get_analysis
from .context import is_moderator, talk_around
from .corpus import content_bag, content_keys, corpus_stats
from .defaults import AUTO_CODER
from .evidence import Evidence, Suggestion, Word
from .learned import LEARNED_CONTEXT, LearnedModel, around_keys, learned_evidence
from .matching import Match, Matcher, compile_patterns
from .model import Pipeline, load_pipeline
from .roles import Roles

# Weights, tuned on the tuning studies only (bench/gold/suggestions.yaml and
# bench/gold/studies/hjemmetjeneste); never on the held-out study (bench/gold/studies/ungdom-nav).
KEYWORD_WEIGHT = 0.45
DEFINITION_WEIGHT = 0.25
SIMILARITY_WEIGHT = 0.55
TOTAL = KEYWORD_WEIGHT + DEFINITION_WEIGHT + SIMILARITY_WEIGHT
KEYWORD_GAIN = 1.0
DEFINITION_FULL = 0.25     # a cosine this far above an ordinary turn's counts as full
SIMILARITY_FULL = 0.5      # a cosine this high counts as full similarity
SPECIFIC_RARITY = 0.6      # a keyword this rare in the project's turns counts in full
GENERIC_KEYWORD = 0.15     # the least a keyword counts, however common
PHRASE_SPECIFICITY = 0.7   # a keyword of several words counts at least this much
ROLE_PENALTY = 0.5
CONTEXT_WEIGHT = 1.5       # the words around a span (its turn, the turn before), each as much as its own
FUNCTION_POS = frozenset({"PRON", "DET", "ADP", "AUX", "CCONJ", "SCONJ", "PART", "INTJ"})
UNUSED_PARENT = 0.7        # a theme the coder has never used while coding its subthemes
UNUSED_FROM = 20           # ... once the coder has this many units
REJECTED_ALIKE = 0.3       # a span this alike to one where the coder passed over a code ...
REJECTED_WEIGHT = 0.8      # ... gets that code this much less, in proportion
MIN_SCORE = 0.08           # weaker suggestions are shown as weak (the coder sees they are guesses) ...
SHOWN_SCORE = 0.01         # ... and weaker still are not shown
LEARNED_SHOWN = 0.01       # the classifier's part is shown as evidence from this much

def bag_of_lemmas(analysis: Analysis, start: int, end: int) -> Counter[str]:
    """Content-word lemma counts of a span (see :func:`.corpus.content_keys`)."""
    return content_bag(analysis, start, end)


class _Unit:
    __slots__ = ("code", "end", "id", "start", "tid", "vector")

    def __init__(self, uid, tid, start, end, code, vector):
        self.id, self.tid, self.start, self.end, self.code, self.vector = uid, tid, start, end, code, vector


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(k, 0.0) for k, w in a.items())


_PROFILES: dict[tuple, dict[str, Counter[str]]] = {}


class Suggester:
    """Scores codes for spans of one project. Build once, ask many times (``suggest``).

    ``coder``: learn from that coder's units and decisions only (a second coder is never led by
    the first coder's units); ``None``: every person's units."""

    def __init__(self, project: Project, pipeline: Pipeline | None = None, *, use_examples: bool = True,
                 coder: str | None = None):
        self.project = project
        self.pipeline = pipeline or load_pipeline()
        self.coder = coder
        self.book = project.codebook()
        self.nodes = {c.id: c for c in self.book.codes if c.codable}
        self.paths = {c.id: [n.name for n in self.book.path(c.id)] for c in self.book.codes}
        self.depth = {c.id: len(self.paths[c.id]) for c in self.book.codes}
        self.roles = Roles(s.role for t in project.transcripts() for s in t.speakers)
        self.code_roles = {c.id: self.roles.of_code(c) for c in self.book.codes}
        self.stats = corpus_stats(project, self.pipeline)
        patterns = compile_patterns(self.pipeline, [(c.id, k) for c in self.book.codes for k in c.keywords])
        self.matcher = Matcher(patterns)
        owners: dict[str, set[str]] = defaultdict(set)
        for p in patterns:
            owners[_term_key(p.term)].add(p.owner)
        self.term_owners = {k: len(v) for k, v in owners.items()}
        self.term_weight = {_term_key(p.term): self._specificity(p) for p in patterns}
        self._turns: dict[str, tuple[list[int], list]] = {}
        self.use_examples = use_examples
        self.rejected: dict[str, list[tuple[str, int, int, dict[str, float]]]] = {}
        self._build_profiles()
        self._build_units()
        # Before the coder has units of their own, the codes' descriptions take in the project's
        # words for them (see :mod:`.expansion`).
        self.codebook_profiles = self.profiles
        self.expanded = not self.units and expansion.EXPANSION_WEIGHT > 0
        if self.expanded:
            self._expand_profiles()
        self._build_rejections()

    # --- how much a word says ----------------------------------------------------------------

    def vector(self, bag: Mapping[str, float]) -> dict[str, float]:
        """TF-IDF of a bag of lemmas (a count under 1 is a word only in the context), unit length."""
        weights = {k: (1.0 + math.log(n) if n >= 1 else n) * self.stats.idf(k) for k, n in bag.items() if n > 0}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {k: w / norm for k, w in weights.items()}

    def _specificity(self, pattern) -> float:
        """How much a keyword says: by how few of the project's turns contain it (a keyword in
        half the turns says little); a phrase of several words is specific as a phrase."""
        content = [w for w in pattern.words if not w.slot and not w.stop]
        if not content:
            return GENERIC_KEYWORD
        rarities = [min((self.stats.rarity(k) for k in w.keys), default=1.0) for w in content]
        if len(content) > 1:
            return max(PHRASE_SPECIFICITY, sum(rarities) / len(rarities))
        return max(GENERIC_KEYWORD, min(1.0, rarities[0] / SPECIFIC_RARITY))

    # --- what the codebook says ----------------------------------------------------------------

    def _build_profiles(self) -> None:
        """Each code's definition, inclusion criteria, name, keywords and examples as one bag of
        lemmas, so that a codebook without examples suggests from its first unit on; and how alike
        an ordinary turn of this project is to each (its baseline, subtracted)."""
        texts = {c.id: "\n".join(x for x in (c.name, c.definition, c.inclusion, ", ".join(c.keywords)) if x)
                 for c in self.nodes.values()}
        if self.use_examples:  # the examples say what a code is about too (and are like the talk)
            texts = {code: "\n".join([text, *self.nodes[code].examples]) for code, text in texts.items()}
        key = (self.pipeline.name, self.pipeline.version, self.pipeline.basic, tuple(sorted(texts.items())))
        bags = _PROFILES.get(key)
        if bags is None:
            ids = list(texts)
            analyses = analyse_texts(self.pipeline, [texts[i] for i in ids])
            bags = {i: content_bag(a, 0, len(a.text)) for i, a in zip(ids, analyses)}
            if len(_PROFILES) > 16:
                _PROFILES.clear()
            _PROFILES[key] = bags
        self._profile_key = key
        self.profiles = {code: self.vector(bag) for code, bag in bags.items() if bag}
        self.sample = [self.vector(bag) for bag in self.stats.turns]  # ordinary turns, for baselines
        self.profile_base = {code: self.stats.baseline([_cosine(t, v) for t in self.sample])
                             for code, v in self.profiles.items()}

    def _expand_profiles(self) -> None:
        """Each code's description with the project's turns that fit it best (:mod:`.expansion`),
        worked out once per codebook, texts and roles."""
        speakers = tuple((t.id, t.checksum, tuple((s.label, s.role) for s in t.speakers))
                         for t in self.project.transcripts())
        key = (str(self.project.path), self._profile_key, speakers)

        def build() -> tuple[dict[str, dict[str, float]], dict[str, float]]:
            profiles = expansion.expand(self.codebook_profiles, self._fitting_turns(), self.vector)
            return profiles, {code: self.stats.baseline([_cosine(t, v) for t in self.sample])
                              for code, v in profiles.items()}

        self.profiles, self.profile_base = expansion.cached(key, build)

    def _fitting_turns(self) -> dict[str, list[Counter[str]]]:
        """The pass over the project's turns: per code, the turns it fits best by the codebook alone."""
        turns = [(transcript.id, turn) for transcript in self.project.transcripts()
                 for turn in self.project.turns(transcript.id) if turn.speaker is not None and not is_moderator(turn)]
        sample = turns[::max(1, math.ceil(len(turns) / expansion.EXPANSION_SAMPLE))]
        analyses = {tid: get_analysis(self.project, tid, self.pipeline) for tid in dict.fromkeys(t for t, _ in sample)}

        def best(item) -> tuple[str, float] | None:
            tid, turn = item
            found = self.suggest_in(analyses[tid], turn.start, turn.end, top=1, tid=tid, role=turn.role)
            return (found[0].code, found[0].score) if found else None

        return expansion.fitting_turns(
            (((tid, turn), content_bag(analyses[tid], turn.start, turn.end)) for tid, turn in sample), best)

    # --- what the coder has done ---------------------------------------------------------------

    def _build_units(self) -> None:
        bags: list[tuple[int | None, str | None, int, int, str, Counter[str]]] = []
        self._analyses: dict[str, Analysis] = {}
        for coding in self.project.codings(coder=self.coder) if self.coder else self.project.codings():
            if coding.coder == AUTO_CODER or coding.code not in self.nodes:
                continue
            analysis = self._analyses.get(coding.transcript) or get_analysis(self.project, coding.transcript,
                                                                             self.pipeline)
            self._analyses[coding.transcript] = analysis
            bag = content_bag(analysis, coding.start, coding.end)
            if bag:
                bags.append((coding.id, coding.transcript, coding.start, coding.end, coding.code, bag))
        # The codebook's examples count as units once the coder has units of their own. Before
        # that they are part of each code's description only: as units they would give the codes
        # that have examples a similarity the codes without them cannot have.
        if self.use_examples and bags:
            examples = [(c.id, text) for c in self.nodes.values() for text in c.examples if text.strip()]
            for (code, _), analysis in zip(examples, analyse_texts(self.pipeline, [t for _, t in examples])):
                bag = content_bag(analysis, 0, len(analysis.text))
                if bag:
                    bags.append((None, None, 0, 0, code, bag))
        self.units: list[_Unit] = []
        self._build_learned(bags)
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
        # Themes the coder (with enough units to tell) never codes, coding their subthemes instead.
        counts = Counter(u.code for u in self.units if u.id is not None)
        self.unused_parents = set() if sum(counts.values()) < UNUSED_FROM else {
            code for code in self.nodes
            if not counts.get(code) and any(counts.get(d.id) for d in self.book.descendants(code))}
        self.centroid_base = {}
        for code, total in self.sums.items():
            norm = self.centroid_norms[code]
            if norm > 0:
                self.centroid_base[code] = self.stats.baseline([_cosine(t, total) / norm for t in self.sample])

    def _build_learned(self, bags) -> None:
        """The classifier over the coder's units (a unit with several codes is one row with
        several labels), the talk around each unit counting at a lower weight."""
        rows: dict[tuple, tuple[dict[str, float], set[str]]] = {}
        for _uid, tid, start, end, code, bag in bags:
            if tid is None:  # the codebook's examples: the definition and similarity have them
                continue
            key = (tid, start, end)
            if key not in rows:
                weighted: dict[str, float] = defaultdict(float, bag)
                analysis = self._analyses[tid]
                for lo, hi, w in self._context(analysis, tid, start, end):
                    for k, n in around_keys(analysis, [(lo, hi)]).items():
                        weighted[k] += LEARNED_CONTEXT * w * n
                rows[key] = (self.vector(weighted), set())
            rows[key][1].add(code)
        self.learned = LearnedModel(list(rows.values()), list(self.nodes))

    def _build_rejections(self) -> None:
        """Spans where the coder passed over a suggested code: alike spans get it less."""
        self.rejected = defaultdict(list)
        if self.coder is None:
            return
        for tid, start, end, code, _coder, decision in self.project.suggestion_decisions(self.coder):
            if decision != "rejected" or code not in self.nodes:
                continue
            try:
                analysis = get_analysis(self.project, tid, self.pipeline)
            except UserError:
                continue
            bag = content_bag(analysis, start, end)
            if bag:
                self.rejected[code].append((tid, start, end, self.vector(bag)))

    # --- suggesting ----------------------------------------------------------------------------

    def role_at(self, tid: str, offset: int) -> str | None:
        if tid not in self._turns:
            turns = self.project.turns(tid)
            self._turns[tid] = ([t.start for t in turns], turns)
        starts, turns = self._turns[tid]
        i = bisect_right(starts, offset) - 1
        return turns[i].role if 0 <= i < len(turns) and offset < turns[i].end else None

    def _context(self, analysis: Analysis, tid: str, start: int, end: int) -> list[tuple[int, int, float]]:
        """Spans around ``[start, end)`` and how much each counts (:func:`.context.talk_around`)."""
        if tid not in self._turns:
            self.role_at(tid, start)
        starts, turns = self._turns[tid]
        return talk_around(turns, starts, start, end, has_words=lambda lo, hi: bool(content_keys(analysis, lo, hi)))

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
        keys = content_keys(analysis, start, end)
        own = Counter(k for _, k in keys)
        around: dict[str, float] = defaultdict(float)
        if tid is not None:
            # What was being talked about: the rest of the turn, the turn before and the
            # moderator's last question (see :mod:`.context`).
            for lo, hi, w in self._context(analysis, tid, start, end):
                for _, k in content_keys(analysis, lo, hi):
                    around[k] += w
        words = [*own, *(k for k in around if k not in own)]
        query = self.vector({k: own.get(k, 0) + CONTEXT_WEIGHT * around.get(k, 0) for k in words})
        learned_query = self.vector({k: own.get(k, 0) + LEARNED_CONTEXT * around.get(k, 0) for k in words})
        learned = self.learned.scores(learned_query)
        blend = self.learned.weight
        similar = self._similarities(query, tid, start, end)
        speaker_role = self.roles.family(role)
        # A subtheme inherits its parent's keyword evidence: all of it when the subtheme is the
        # one for the speaker's role (the codebook says to code by role), half of it when the
        # subtheme has keywords of its own in the span.
        inherited = {}
        for code, node in self.nodes.items():
            parent_raw = keyword_raw.get(node.parent, 0.0) if node.parent else 0.0
            if parent_raw <= 0:
                continue
            if speaker_role and speaker_role in self.code_roles.get(code, ()):
                inherited[code] = parent_raw
            elif keyword_raw.get(code, 0.0) > 0:
                inherited[code] = 0.5 * parent_raw
        out = []
        for code, node in self.nodes.items():
            raw = keyword_raw.get(code, 0.0) + inherited.get(code, 0.0)
            sim, nearest = similar.get(code, (0.0, None))
            definition, profile, whose = self._definition(query, code), self.profiles.get(code), ""
            profile_code = code
            if speaker_role and speaker_role in self.code_roles.get(code, ()) and node.parent:
                theirs = self._definition(query, node.parent)  # the theme's, for this role
                if theirs > definition:
                    definition, profile, whose = theirs, self.profiles.get(node.parent), " (its theme's, for this role)"
                    profile_code = node.parent
            taught = learned.get(code, 0.0)
            if raw <= 0 and sim <= 0 and definition <= 0 and taught <= 0:
                continue
            kw_part = 1.0 - math.exp(-KEYWORD_GAIN * raw)
            def_part = min(1.0, definition / DEFINITION_FULL)
            sim_part = min(1.0, sim / SIMILARITY_FULL)
            score = (KEYWORD_WEIGHT * kw_part + DEFINITION_WEIGHT * def_part + SIMILARITY_WEIGHT * sim_part) / TOTAL
            items = list(evidence.get(code, []))
            if inherited.get(code):
                share = inherited[code] / keyword_raw[node.parent]
                own_terms = {e.term for e in items}
                items += [Evidence(e.kind, e.term, e.words, e.weight * share, count=e.count)
                          for e in evidence.get(node.parent, []) if e.term not in own_terms]
            if def_part > 0 and profile:
                book = self.codebook_profiles.get(profile_code, {}) if self.expanded else None
                about = "the code's definition" + (" and examples" if self.use_examples and node.examples else "")
                shared = self._shared_evidence("definition", analysis, keys, query, profile, def_part, None,
                                               book, about)
                items.append(replace(shared, term=shared.term + whose))
            if sim_part > 0 and nearest is not None:
                items.append(self._shared_evidence("similar", analysis, keys, query, nearest.vector, sim,
                                                   nearest.id))
            if blend * taught >= LEARNED_SHOWN:
                items.append(learned_evidence(self.learned, analysis, keys, learned_query, code, blend * taught))
            code_roles = self.code_roles.get(code)
            if code_roles and speaker_role:
                if speaker_role not in code_roles:
                    score *= ROLE_PENALTY
                    items.append(Evidence("role", f"spoken by {role}, code is for {' and '.join(sorted(code_roles))}",
                                          (), -ROLE_PENALTY))
                else:
                    items.append(Evidence("role", f"spoken by {role}", (), 0.0))
            if code in self.unused_parents:
                score *= UNUSED_PARENT
                items.append(Evidence("unused", "you have coded its subthemes, never it", (), -UNUSED_PARENT))
            # The classifier over the coder's units adds to the hand-weighted score (after the role
            # and theme penalties: it has learned the coder's choices by role and theme itself),
            # never above 1; a code passed over for an alike span counts less, learned or not.
            score += blend * taught * (1.0 - score)
            passed = max((_cosine(query, v) for t, s, e, v in self.rejected.get(code, ())), default=0.0)
            if passed > REJECTED_ALIKE:
                score *= 1.0 - REJECTED_WEIGHT * passed
                items.append(Evidence("rejected", f"passed over for a span {passed:.0%} alike", (), -passed))
            if score >= SHOWN_SCORE:
                out.append(Suggestion(code, node.name, score, kw_part, sim, items, self.paths[code],
                                      weak=round(score, 2) < MIN_SCORE))  # as shown, two decimals
        # The more specific code first when two score alike (a subtheme over its theme).
        out.sort(key=lambda s: (-round(s.score, 6), -self.depth.get(s.code, 0), -s.keyword_score, s.code))
        return out[:top]

    def _definition(self, query: dict[str, float], code: str) -> float:
        """How much more alike a span is to a code's definition than an ordinary turn is."""
        profile = self.profiles.get(code)
        if not profile or not query:
            return 0.0
        return max(0.0, _cosine(query, profile) - self.profile_base.get(code, 0.0))

    def _keyword_evidence(self, analysis: Analysis, matches: list[Match]):
        per_term: dict[tuple[str, str], list[Match]] = defaultdict(list)
        for m in matches:
            per_term[(m.pattern.owner, m.pattern.term)].append(m)
        raw: dict[str, float] = defaultdict(float)
        evidence: dict[str, list[Evidence]] = defaultdict(list)
        for (code, term), found in per_term.items():
            # A one-word keyword met by a pronoun or another function word is not met
            # (*Man* is not *mann*).
            found = [m for m in found if len(m.tokens) > 1 or analysis.basic
                     or analysis.pos[m.tokens[0]] not in FUNCTION_POS]
            if not found:
                continue
            share = 1.0 / self.term_owners.get(_term_key(term), 1)
            length = len(found[0].pattern.words)
            best = max(found, key=lambda m: m.quality)
            weight = (best.quality * share * self.term_weight.get(_term_key(term), 1.0)
                      * (1.0 + 0.5 * (length - 1)) * (1.0 + 0.25 * math.log(len(found))))
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
        with the code's centroid (what its units share, less what an ordinary turn shares with
        it) and with its most alike single unit (so a code whose units differ among themselves
        is not diluted away). Units overlapping ``[start, end)`` of ``tid`` are left out."""
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
            centroid = max(0.0, centroid - self.centroid_base.get(code, 0.0))
            sim = 0.5 * centroid + 0.5 * nearest
            if sim > 0.02:
                out[code] = (sim, unit)
        return out

    def _shared_evidence(self, kind: str, analysis: Analysis, keys: list[tuple[int, str]], query: dict[str, float],
                         other: dict[str, float], weight: float, unit: int | None,
                         book: Mapping[str, float] | None = None, about: str = "the code's definition") -> Evidence:
        """The lemmas the span shares with a unit or a code's definition (``about``), as words of
        the span; ``book``: the codebook's own words of a definition that took in the project's
        turns that fit it best (:mod:`.expansion`): the words that are not the codebook's are named
        apart, as the turns'."""
        own = {k for _, k in keys}
        ranked = [k for _, k in sorted(((w * other.get(k, 0.0), k) for k, w in query.items() if k in other),
                                       reverse=True)]
        wanted = [k for k in ranked if k in own][:3]
        # Words of the talk around it (the turn before, the moderator's question) that count
        # more than one of the span's are named too (they are not the span's words: no offsets).
        around = ", ".join(k for k in ranked[:3] if k not in own)
        if not wanted:  # only the talk around the span shares words with it
            return Evidence(kind, f"{around} (in the talk around it)", (), weight, unit, about=about)
        words: list[Word] = []
        for i, key in keys:
            if key in wanted and all(w.lemma != key for w in words):
                words.append(_word(analysis, i))
        text = ", ".join(wanted)
        if book is not None:
            mine, theirs = [k for k in wanted if k in book], [k for k in wanted if k not in book]
            if theirs and mine:
                text = f"{', '.join(mine)}; and the turns that fit it best: {', '.join(theirs)}"
            elif theirs:
                about = "the turns that fit the code best"
        return Evidence(kind, text + (f" (and in the talk around it: {around})" if around else ""),
                        tuple(words), weight, unit, about=about)


def _word(analysis: Analysis, i: int) -> Word:
    return Word(analysis.form(i), analysis.starts[i], analysis.ends[i], analysis.lemma_key(i))


def _term_key(term: str) -> str:
    return " ".join(term.casefold().split())


# --- one-shot API and a small cache for the TUI ------------------------------------------------

_SUGGESTERS: dict[tuple, Suggester] = {}


def _state(project: Project, pipeline: Pipeline, coder: str | None) -> tuple:
    """What a suggester depends on: the codings, the codebook (definitions and criteria too), the
    texts, the turns and the speakers' roles, and the decisions."""
    digest = hashlib.sha256()
    for row in project.conn.execute("SELECT id, code_id, start, end, coder, transcript_id FROM codings ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT id, parent_id, keywords, examples, name, definition, inclusion, codable "
                                    "FROM codes ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT transcript_id, label, role FROM speakers ORDER BY transcript_id, label"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT transcript_id, idx, speaker, start FROM turns "
                                    "ORDER BY transcript_id, idx"):
        digest.update(repr(tuple(row)).encode())
    for row in project.conn.execute("SELECT id, checksum FROM transcripts ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    decisions = project.conn.execute("SELECT count(*), max(id) FROM suggestion_decisions").fetchone()
    digest.update(repr(tuple(decisions)).encode())
    return (str(project.path), pipeline.name, pipeline.version, pipeline.basic, coder, digest.hexdigest())


def suggester_for(project: Project, pipeline: Pipeline | None = None, *, coder: str | None = None) -> Suggester:
    """A :class:`Suggester` for the project as it is now (rebuilt after codings, the codebook or
    the coder's decisions on suggestions change), learning from ``coder``'s units only if given."""
    pipeline = pipeline or load_pipeline()
    key = _state(project, pipeline, coder)
    found = _SUGGESTERS.get(key)
    if found is None or found.project is not project:
        _SUGGESTERS.clear()
        found = _SUGGESTERS[key] = Suggester(project, pipeline, coder=coder)
    return found


def suggest_codes(project: Project, tid: str, start: int, end: int, *, top: int = 5,
                  pipeline: Pipeline | None = None, coder: str | None = None) -> list[Suggestion]:
    """The ``top`` codes for ``text[start:end]`` of transcript ``tid``, best first, with evidence."""
    return suggester_for(project, pipeline, coder=coder).suggest(tid, start, end, top)
