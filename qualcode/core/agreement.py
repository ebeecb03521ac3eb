"""Agreement between coders: aligned meaning units, Krippendorff's α, Cohen's κ, unitized α.

Two researchers code the same transcripts independently and then discuss until they share an
understanding (see DOMAIN.md). This module measures how far apart they were before that talk,
for the methods section, and lists every place they differ, for the talk itself.

What is compared, exactly (the same text is in :data:`DEFINITIONS`, the README and every report):

* A **meaning unit** (:class:`AlignedUnit`) is a cluster of codings, by any coder of the
  comparison and with any code, that overlap one another by at least one character, in one
  transcript; the clusters are the connected components of the overlap relation, so two codings
  that only touch (one ends where the other starts) are in different units. Every coder of the
  comparison rates every unit: their value is the set of codes they applied to any coding in
  the cluster; a coder who coded nothing there has the empty set, ``(none)``.
* **Krippendorff's α (nominal), per code**: units as above; a coder's value is 1 if the code is
  in their set for the unit, else 0. Units where nobody used the code count as agreement on
  "not this code". **Overall**: the value is the whole set, so ``{hap}`` against
  ``{hap, rec}`` is a disagreement; ``(none)`` is a value like any other. Percent agreement
  over units is the share of units where every coder has the same value. The 95 % interval is
  a percentile bootstrap: the comparison's units resampled with replacement (seedable); a
  transcript's or role's α is computed on its units within each resample.
* **Cohen's κ at character level**: the characters of participant turns (turns with a speaker
  whose role is not the interviewer's; :func:`~qualcode.core.coverage.participant_spans`).
  Per code, each character is coded (by a coder, with that code) or not, as NVivo's coding
  comparison does. **Overall** κ is pooled: one 2×2 table over every (code, character) pair,
  for the codes in the table; the plain mean of the per-code κ is given beside it. With more
  than two coders κ is computed for every pair and the figure shown is their mean (Light's κ).
  Percent agreement is the share of characters (of (code, character) pairs overall) on which
  all coders agree. A role's figures count the characters of that role's turns.
* **Unitized α (uα)** after Krippendorff (1995; 2004, §12.4), per code and overall
  (ΣDo/ΣDe over the codes): the continuum is the participant characters of the compared
  transcripts, one after another (interviewer turns and labels taken out), and each coder's
  sections for a code are their codings of it there, overlapping ones merged. This is the uα
  that DKPro Statistics implements, not the |uα|, cuα and Cuα of Krippendorff et al. (2016)
  that ATLAS.ti reports.
* Per transcript: the units of that transcript; its characters. Per role: the units that
  overlap a participant turn of that role (a unit spanning a patient's and a staff member's turn
  counts under both; one touching no participant turn under ``(outside participant turns)``);
  the characters of that role's turns.

A figure is ``None`` where the statistic is not defined: α when every value is the same, κ when
both coders are constant and equal (no code, or all of it), uα when nobody used the code.

Pure Python with numpy for the bootstrap and the sums; no store, no UI.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .coverage import participant_spans
from .models import Turn

NONE_VALUE = "(none)"
NO_ROLE = "(no role)"
OUTSIDE = "(outside participant turns)"
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 1

DEFINITIONS: list[tuple[str, str]] = [
    ("Meaning unit",
     "A cluster of codings, by any of the compared coders and with any code, that overlap one another by at "
     "least one character, in one transcript (the connected components of the overlap relation; codings that "
     "only touch are separate units). Each coder's value for a unit is the set of codes they applied in it; a "
     "coder who coded nothing there has the empty set, written (none)."),
    ("Krippendorff's alpha per code",
     "Nominal alpha over all meaning units; a coder's value is 1 if they applied the code in the unit, else 0 "
     "(units where nobody used the code count as agreement on 'not this code')."),
    ("Krippendorff's alpha overall",
     "Nominal alpha over all meaning units; a coder's value is their whole set of codes in the unit, so "
     "{A} against {A, B} is a disagreement and (none) is a value like any other."),
    ("Percent agreement (units)",
     "Share of meaning units on which every coder has the same value (per code: presence; overall: the set)."),
    ("95 % interval for alpha",
     "Percentile bootstrap (2.5th and 97.5th percentiles): each resample draws as many meaning units as the "
     "comparison has, with replacement, from all of them; a transcript's or a role's alpha is computed on its own "
     "units within each resample. The number of resamples and the seed are stated; resamples where alpha is "
     "undefined are left out. Intervals are given for alpha overall (whole comparison, per transcript, per role) "
     "and per code and theme over the whole comparison."),
    ("Cohen's kappa (characters)",
     "Over the characters of participant turns (turns with a speaker who is not the interviewer); per code, a "
     "character is coded or not by each coder, as in NVivo's coding comparison. Overall kappa is pooled: one "
     "2x2 table over every (code, character) pair for the codes in the table; the mean of the per-code kappas "
     "is given beside it. With more than two coders, kappa is computed for each pair and their mean is shown "
     "(Light's kappa)."),
    ("Percent agreement (characters)",
     "Share of participant characters (overall: of (code, character) pairs) on which all coders agree that the "
     "code is there or is not."),
    ("Unitized alpha (u-alpha)",
     "Krippendorff's u-alpha (1995; 2004, section 12.4), per code and overall (sum of observed over sum of "
     "expected disagreements over the codes). The continuum is the participant characters of the compared "
     "transcripts one after another; a coder's sections for a code are their codings of it there, overlapping "
     "ones merged. Not the |u-alpha|, cu-alpha and Cu-alpha of Krippendorff et al. (2016) that ATLAS.ti "
     "reports."),
    ("Per transcript and per role",
     "A transcript's figures use its own units and characters. A role's figures use the units that overlap a "
     "participant turn of that role (a unit spanning two roles counts under both; a unit in no participant turn "
     "under '(outside participant turns)') and the characters of that role's turns."),
    ("Undefined (—)",
     "Alpha when every value is the same; kappa when both coders are constant and equal (the code nowhere, or "
     "everywhere); u-alpha when nobody used the code."),
]


# --- aligned units: what the reconciliation screen shows ------------------------------------------


@dataclass(frozen=True, slots=True)
class Coded:
    """One coding, as agreement sees it: a span of a transcript, one code, one coder."""

    id: int
    transcript: str
    start: int
    end: int
    code: str
    coder: str


@dataclass(slots=True)
class AlignedUnit:
    """A cluster of overlapping codings (any coder, any code) in one transcript.

    ``by_coder`` has every coder of the comparison as a key, with their codings in the cluster
    sorted by position (an empty list if they coded nothing here).
    """

    transcript: str
    start: int  # extent of the cluster
    end: int
    by_coder: dict[str, list[Coded]]

    def codes(self, coder: str) -> frozenset[str]:
        """The set of codes ``coder`` applied in this unit (empty if none)."""
        return frozenset(c.code for c in self.by_coder.get(coder, ()))

    @property
    def agreed(self) -> bool:
        """Every coder applied the same set of codes here.

        Only the codes count: the spans may still differ (one coder took a sentence, the other
        the whole turn); the character-level κ and uα measure that.
        """
        sets = {self.codes(coder) for coder in self.by_coder}
        return len(sets) <= 1


def align(codings: Iterable[Coded], coders: Sequence[str], *,
          transcript_order: Sequence[str] | None = None) -> list[AlignedUnit]:
    """Cluster the codings of ``coders`` into meaning units.

    Clusters are the connected components of codings that overlap by at least one character,
    per transcript, sorted by (transcript, start); ``transcript_order`` puts the transcripts in
    that order instead (the project's, where T2 comes before T10). Codings by other coders and
    empty spans are left out.
    """
    coders = _check_coders(coders)
    wanted = set(coders)
    by_transcript: dict[str, list[Coded]] = defaultdict(list)
    for c in codings:
        if c.coder in wanted and c.end > c.start:
            by_transcript[c.transcript].append(c)
    if transcript_order is None:
        order = sorted(by_transcript)
    else:
        rank = {t: i for i, t in enumerate(transcript_order)}
        order = sorted(by_transcript, key=lambda t: (rank.get(t, len(rank)), t))
    units: list[AlignedUnit] = []
    for tid in order:
        members: list[Coded] = []
        end = -1
        for c in sorted(by_transcript[tid], key=lambda c: (c.start, c.end, c.code, c.coder, c.id)):
            if members and c.start < end:
                members.append(c)
                end = max(end, c.end)
                continue
            if members:
                units.append(_unit(tid, members, end, coders))
            members, end = [c], c.end
        if members:
            units.append(_unit(tid, members, end, coders))
    return units


def _unit(tid: str, members: list[Coded], end: int, coders: Sequence[str]) -> AlignedUnit:
    by_coder: dict[str, list[Coded]] = {coder: [] for coder in coders}
    for c in members:
        by_coder[c.coder].append(c)
    return AlignedUnit(tid, members[0].start, end, by_coder)


def disagreements(units: list[AlignedUnit]) -> list[AlignedUnit]:
    """The units that are not :attr:`~AlignedUnit.agreed`, in order."""
    return [u for u in units if not u.agreed]


def _check_coders(coders: Sequence[str]) -> list[str]:
    coders = list(coders)
    if len(set(coders)) != len(coders):
        raise ValueError(f"a coder is named twice: {coders}")
    if not coders:
        raise ValueError("no coders to compare")
    return coders


# --- the statistics, one at a time ---------------------------------------------------------------


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's α for nominal data: rows are coders, columns units, ``None`` is missing.

    Units with fewer than two values are not pairable and are left out. ``None`` if α is not
    defined (no pairable unit, or a single value throughout).
    """
    n = 0
    agree = 0.0
    totals: Counter = Counter()
    for column in zip(*data):
        values = [v for v in column if v is not None]
        m = len(values)
        if m < 2:
            continue
        n += m
        for value, k in Counter(values).items():
            totals[value] += k
            agree += k * (k - 1) / (m - 1)
    return _alpha(n, agree, sum(t * t for t in totals.values()))


def _alpha(n: float, agree: float, sum_squares: float) -> float | None:
    """α from the coincidence totals: ``n`` pairable values, Σ o_cc, Σ n_c²."""
    denominator = n * n - sum_squares
    if n < 2 or denominator <= 0:
        return None
    return 1.0 - (n - 1) * (n - agree) / denominator


def cohen_kappa(n: int, first: int, second: int, both: int) -> float | None:
    """Cohen's κ for a present/absent decision over ``n`` items, from counts.

    ``first`` and ``second``: items each rater marked present; ``both``: marked by both. Exact
    integer arithmetic until the one division. ``None`` if both raters are constant and equal.
    """
    if n <= 0:
        return None
    agree = both + (n - first - second + both)
    chance = first * second + (n - first) * (n - second)
    denominator = n * n - chance
    if denominator == 0:
        return None
    return (n * agree - chance) / denominator


@dataclass(frozen=True, slots=True)
class UnitizedFigures:
    alpha: float | None
    observed: float  # uDo
    expected: float  # uDe


@dataclass(frozen=True, slots=True)
class UnitizedAlpha:
    """Krippendorff's uα overall and per category (code)."""

    alpha: float | None
    by_category: dict[Hashable, UnitizedFigures]


def unitized_alpha(sections: Iterable[tuple[str, Hashable, int, int]], coders: Sequence[str],
                   begin: int, end: int) -> UnitizedAlpha:
    """Krippendorff's (1995; 2004) uα for the continuum ``[begin, end)``.

    ``sections``: ``(coder, category, start, end)``, half-open; a coder's overlapping sections of
    one category are merged first (uα needs them disjoint); sections that only touch stay two.
    For each category c, with L the length and m the number of coders:

    * uDo_c = Σ over ordered coder pairs of Σ over intersecting sections g, h of δ²(g, h) /
      (m(m−1)L²), where δ² = (b_g − b_h)² + (e_g − e_h)² for two c-sections, l_g² for a
      c-section inside a gap (a stretch without c) of the other coder, else 0;
    * uDe_c = (2/L) Σ over c-sections g [(N_c − 1)(2l³ − 3l² + l)/3 + l² Σ over gaps k with
      l_k ≥ l of (l_k − l + 1)] / (mL(mL − 1) − Σ over c-sections l(l − 1)), with N_c the number
      of c-sections and the gaps those of all coders;
    * uα_c = 1 − uDo_c/uDe_c, and overall uα = 1 − Σ_c uDo_c / Σ_c uDe_c.

    Checked against Krippendorff's worked example (2004, p. 254) and DKPro Statistics.
    """
    coders = _check_coders(coders)
    m = len(coders)
    length = end - begin
    known = set(coders)
    per: dict[Hashable, dict[str, list[tuple[int, int]]]] = {}
    for coder, category, s, e in sections:
        if s < begin or e > end:
            s, e = max(s, begin), min(e, end)
        if e > s and coder in known:
            per.setdefault(category, {}).setdefault(coder, []).append((s, e))
    by_category: dict[Hashable, UnitizedFigures] = {}
    total_do = total_de = 0.0
    if length <= 0 or m < 2:
        return UnitizedAlpha(None, by_category)
    for category, lists in per.items():
        merged = {coder: _merge_overlapping(lists.get(coder, [])) for coder in coders}
        observed, expected = _u_disagreements(merged, coders, begin, end)
        total_do += observed
        total_de += expected
        alpha = 1.0 - observed / expected if expected > 0 else None
        by_category[category] = UnitizedFigures(alpha, observed, expected)
    alpha = 1.0 - total_do / total_de if total_de > 0 else None
    return UnitizedAlpha(alpha, by_category)


def _merge_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(spans)
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _partition(sections: list[tuple[int, int]], begin: int, end: int) -> list[tuple[int, int, bool]]:
    """The continuum cut into a coder's sections (True) and the gaps between them (False)."""
    out = []
    pos = begin
    for s, e in sections:
        if s > pos:
            out.append((pos, s, False))
        out.append((s, e, True))
        pos = e
    if pos < end:
        out.append((pos, end, False))
    return out


def _u_disagreements(merged: dict[str, list[tuple[int, int]]], coders: list[str], begin: int,
                     end: int) -> tuple[float, float]:
    m = len(coders)
    length = end - begin
    parts = {coder: _partition(merged[coder], begin, end) for coder in coders}
    observed = 0  # Σ over unordered pairs; integers, exact
    for a, b in itertools.combinations(coders, 2):
        pa, pb = parts[a], parts[b]
        i = j = 0
        while i < len(pa) and j < len(pb):
            s1, e1, v1 = pa[i]
            s2, e2, v2 = pb[j]
            if v1 and v2:
                observed += (s1 - s2) ** 2 + (e1 - e2) ** 2
            elif v1 and s2 <= s1 and e1 <= e2:
                observed += (e1 - s1) ** 2
            elif v2 and s1 <= s2 and e2 <= e1:
                observed += (e2 - s2) ** 2
            if e1 <= e2:
                i += 1
            if e2 <= e1:
                j += 1
    units = [e - s for coder in coders for s, e in merged[coder]]
    gaps = sorted(e - s for coder in coders for s, e, v in parts[coder] if not v)
    suffix_len = [0] * (len(gaps) + 1)  # Σ of gap lengths from index i on
    for i in range(len(gaps) - 1, -1, -1):
        suffix_len[i] = suffix_len[i + 1] + gaps[i]
    n_c = len(units)
    numerator = 0
    for l in units:
        k = bisect_left(gaps, l)
        count = len(gaps) - k
        numerator += (n_c - 1) * (2 * l ** 3 - 3 * l ** 2 + l) // 3 + l * l * (suffix_len[k] - (l - 1) * count)
    squares = sum(l * (l - 1) for l in units)
    do = 2 * observed / (m * (m - 1) * length * length)
    de = 2 * numerator / (length * (m * length * (m * length - 1) - squares))
    return do, de


# --- the report ----------------------------------------------------------------------------------


@dataclass(slots=True)
class PairKappa:
    """κ and the 2×2 counts (characters) for one pair of coders."""

    coders: tuple[str, str]
    kappa: float | None
    characters: int
    both: int
    only_first: int
    only_second: int
    neither: int

    @property
    def percent(self) -> float | None:
        return 100.0 * (self.both + self.neither) / self.characters if self.characters else None


@dataclass(slots=True)
class Segment:
    """A stretch of one participant turn where the coders differ on one code (behind κ)."""

    transcript: str
    start: int
    end: int
    code: str
    role: str
    coded_by: tuple[str, ...]
    not_by: tuple[str, ...]


@dataclass(slots=True)
class Figures:
    """One row of the report: a code (``None``: all codes) over a scope.

    ``scope`` is ``"all"``, ``"transcript"`` or ``"role"``; ``scope_value`` the transcript id or
    role. ``disagreements`` index :attr:`AgreementReport.units`, ``segments``
    :attr:`AgreementReport.segments`: the disagreements behind α and % units, and behind κ and %
    characters.
    """

    scope: str
    scope_value: str | None
    code: str | None
    units: int = 0
    units_agreed: int = 0
    alpha: float | None = None
    alpha_low: float | None = None
    alpha_high: float | None = None
    characters: int = 0
    characters_agreed: int = 0
    kappa: float | None = None
    kappa_pairs: list[PairKappa] = field(default_factory=list)
    kappa_mean: float | None = None  # overall rows: the plain mean of the per-code κ
    u_alpha: float | None = None
    coded_units: int = 0  # per code: units where at least one coder used it
    disagreements: list[int] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)

    @property
    def percent_units(self) -> float | None:
        return 100.0 * self.units_agreed / self.units if self.units else None

    @property
    def percent_characters(self) -> float | None:
        return 100.0 * self.characters_agreed / self.characters if self.characters else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope, "scope_value": self.scope_value, "code": self.code,
            "units": self.units, "units_agreed": self.units_agreed, "coded_units": self.coded_units,
            "percent_units": self.percent_units,
            "alpha": self.alpha, "alpha_ci": [self.alpha_low, self.alpha_high] if self.alpha_low is not None else None,
            "characters": self.characters, "characters_agreed": self.characters_agreed,
            "percent_characters": self.percent_characters, "kappa": self.kappa, "kappa_mean": self.kappa_mean,
            "kappa_pairs": [
                {"coders": list(p.coders), "kappa": p.kappa, "percent": p.percent, "characters": p.characters,
                 "both": p.both, "only_first": p.only_first, "only_second": p.only_second, "neither": p.neither}
                for p in self.kappa_pairs
            ],
            "u_alpha": self.u_alpha, "disagreements": self.disagreements, "segments": self.segments,
        }


@dataclass(slots=True)
class AgreementReport:
    """Everything :func:`agreement_report` measured, with the disagreements behind it."""

    coders: list[str]
    transcripts: list[str]
    codes: list[str]  # the codes in the table, in table order
    themes: list[str]  # the theme rows (codes rolled up to their theme), empty if none
    roles: list[str]
    units: list[AlignedUnit]
    unit_roles: list[tuple[str, ...]]
    segments: list[Segment]
    rows: list[Figures]
    theme_rows: list[Figures]
    theme_segments: list[Segment]  # behind the theme rows' κ
    bootstrap: int
    seed: int | None

    def row(self, code: str | None = None, scope: str = "all", value: str | None = None) -> Figures:
        for r in self.rows:
            if r.code == code and r.scope == scope and r.scope_value == value:
                return r
        raise KeyError((code, scope, value))

    @property
    def overall(self) -> Figures:
        return self.row()

    def per_code(self) -> list[Figures]:
        return [r for r in self.rows if r.scope == "all" and r.code is not None]

    def per_transcript(self, code: str | None = None) -> list[Figures]:
        return [r for r in self.rows if r.scope == "transcript" and r.code == code]

    def per_role(self, code: str | None = None) -> list[Figures]:
        return [r for r in self.rows if r.scope == "role" and r.code == code]

    def disagreement_units(self) -> list[AlignedUnit]:
        return [self.units[i] for i in self.overall.disagreements]

    def as_dict(self) -> dict[str, Any]:
        return {
            "coders": self.coders, "transcripts": self.transcripts, "codes": self.codes, "themes": self.themes,
            "roles": self.roles, "bootstrap": self.bootstrap, "seed": self.seed,
            "definitions": dict(DEFINITIONS),
            "overall": self.overall.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
            "theme_rows": [r.as_dict() for r in self.theme_rows],
            "units": [unit_dict(u, i, self.unit_roles[i]) for i, u in enumerate(self.units)],
            "segments": [segment_dict(s, i) for i, s in enumerate(self.segments)],
            "theme_segments": [segment_dict(s, i) for i, s in enumerate(self.theme_segments)],
        }


def segment_dict(s: Segment, index: int) -> dict[str, Any]:
    return {"index": index, "transcript": s.transcript, "start": s.start, "end": s.end, "code": s.code,
            "role": s.role, "coded_by": list(s.coded_by), "not_by": list(s.not_by)}


def unit_dict(unit: AlignedUnit, index: int, roles: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "index": index, "transcript": unit.transcript, "start": unit.start, "end": unit.end,
        "agreed": unit.agreed, "roles": list(roles),
        "codes": {coder: sorted(unit.codes(coder)) for coder in unit.by_coder},
        "codings": {coder: [{"id": c.id, "start": c.start, "end": c.end, "code": c.code} for c in cs]
                    for coder, cs in unit.by_coder.items()},
    }


def agreement_report(
    codings: Iterable[Coded],
    coders: Sequence[str],
    turns: Mapping[str, Sequence[Turn]],
    *,
    code_order: Sequence[str] | None = None,
    themes: Mapping[str, str] | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
) -> AgreementReport:
    """Measure agreement between ``coders`` over the transcripts in ``turns`` (in that order).

    ``turns`` maps each compared transcript to its turns (with roles); codings in other
    transcripts, and by other coders, are left out. ``code_order`` orders the table (codes not in
    it follow, sorted). ``themes`` maps a code to its main theme: the report then also has rows
    for each theme with its subthemes rolled into it (one coding of ``hap-sol`` counts as
    ``hap``). ``bootstrap`` resamples for the α intervals (0: none), from ``seed``.

    The exact definitions are in the module docstring and :data:`DEFINITIONS`.
    """
    coders = _check_coders(coders)
    if len(coders) < 2:
        raise ValueError("agreement needs at least two coders")
    transcripts = list(turns)
    wanted, who = set(transcripts), set(coders)
    coded = [c for c in codings if c.transcript in wanted and c.coder in who and c.end > c.start]
    units = align(coded, coders, transcript_order=transcripts)
    space = _Space(turns)
    unit_roles = [space.unit_roles(u) for u in units]
    used = {c.code for c in coded}
    rank = {c: i for i, c in enumerate(code_order or ())}
    codes = sorted(used, key=lambda c: (rank.get(c, len(rank)), c))
    roles = list(space.roles)
    if any(OUTSIDE in r for r in unit_roles):
        roles.append(OUTSIDE)

    rng = np.random.default_rng(seed)
    segments: list[Segment] = []
    rows = _Measure(coders, transcripts, roles, units, unit_roles, space, coded, codes, None,
                    segments, bootstrap, rng).rows(with_scopes=True)
    theme_list: list[str] = []
    theme_rows: list[Figures] = []
    theme_segments: list[Segment] = []
    if themes and any(themes.get(c, c) != c for c in codes):
        relabelled = [Coded(c.id, c.transcript, c.start, c.end, themes.get(c.code, c.code), c.coder) for c in coded]
        theme_rank = {}
        for c in codes:
            theme_rank.setdefault(themes.get(c, c), len(theme_rank))
        theme_list = sorted(theme_rank, key=theme_rank.__getitem__)
        theme_rows = _Measure(coders, transcripts, roles, units, unit_roles, space, relabelled, theme_list,
                              themes, theme_segments, bootstrap, rng).rows(with_scopes=False)
    return AgreementReport(coders, transcripts, codes, theme_list, roles, units, unit_roles, segments, rows,
                           theme_rows, theme_segments, bootstrap, seed)


class _Space:
    """The participant characters of the compared transcripts, and the roles they belong to."""

    def __init__(self, turns: Mapping[str, Sequence[Turn]]):
        self.transcripts = list(turns)
        roles: dict[str, None] = {}
        self.spans: dict[str, list[tuple[int, int, str]]] = {}
        for tid, ts in turns.items():
            kept = [t for t in ts if participant_spans([t])]
            self.spans[tid] = [(t.start, t.end, t.role or NO_ROLE) for t in sorted(kept, key=lambda t: t.start)]
            for t in kept:
                roles.setdefault(t.role or NO_ROLE, None)
        self.roles = list(roles)
        self.role_index = {r: i for i, r in enumerate(self.roles)}
        self._starts = {tid: [s for s, _, _ in spans] for tid, spans in self.spans.items()}
        # Per transcript: span starts, lengths, role indices and the per-role totals before each span,
        # with a dummy empty span first so that every offset has a span at or before it.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        width = max(1, len(self.roles))
        for tid, spans in self.spans.items():
            starts = np.array([-1] + [s for s, _, _ in spans], dtype=np.int64)
            lengths = np.array([0] + [e - s for s, e, _ in spans], dtype=np.int64)
            role_idx = np.array([0] + [self.role_index[r] for _, _, r in spans], dtype=np.int64)
            per_span = np.zeros((len(starts), width), dtype=np.int64)
            per_span[np.arange(len(starts)), role_idx] = lengths
            before = np.zeros_like(per_span)
            before[1:] = np.cumsum(per_span, axis=0)[:-1]
            self._arrays[tid] = (starts, lengths, role_idx, before)

    def characters(self, tid: str) -> np.ndarray:
        """Participant characters of ``tid`` per role."""
        starts, lengths, role_idx, before = self._arrays[tid]
        return before[-1] + np.bincount(role_idx[-1:], weights=lengths[-1:], minlength=before.shape[1]).astype(np.int64)

    def before(self, tid: str, offsets: np.ndarray) -> np.ndarray:
        """Participant characters before each offset, per role: shape (len(offsets), roles)."""
        starts, lengths, role_idx, before = self._arrays[tid]
        k = np.searchsorted(starts, offsets, side="right") - 1
        partial = np.clip(offsets - starts[k], 0, lengths[k])
        out = before[k].copy()
        out[np.arange(len(offsets)), role_idx[k]] += partial
        return out

    def unit_roles(self, unit: AlignedUnit) -> tuple[str, ...]:
        spans = self.spans.get(unit.transcript, [])
        i = max(0, bisect_right(self._starts[unit.transcript], unit.start) - 1) if spans else 0
        found: dict[str, None] = {}
        while i < len(spans) and spans[i][0] < unit.end:
            s, e, role = spans[i]
            if s < unit.end and unit.start < e:
                found.setdefault(role, None)
            i += 1
        return tuple(found) or (OUTSIDE,)

    def clip(self, tid: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """``[start, end)`` cut to the participant turns it overlaps."""
        spans = self.spans.get(tid, [])
        i = max(0, bisect_right(self._starts[tid], start) - 1) if spans else 0
        out = []
        while i < len(spans) and spans[i][0] < end:
            s, e, role = spans[i]
            if s < end and start < e:
                out.append((max(s, start), min(e, end), role))
            i += 1
        return out


class _Measure:
    """The figures for one labelling of the codings (codes, or codes rolled up into themes)."""

    def __init__(self, coders, transcripts, roles, units, unit_roles, space: _Space, coded: list[Coded],
                 codes: list[str], themes: Mapping[str, str] | None, segments: list[Segment],
                 bootstrap: int, rng: np.random.Generator):
        self.coders = coders
        self.m = len(coders)
        self.transcripts = transcripts
        self.roles = roles
        self.units = units
        self.unit_roles = unit_roles
        self.space = space
        self.coded = coded
        self.codes = codes
        self.code_index = {c: i for i, c in enumerate(codes)}
        self.themes = themes
        self.segments = segments  # filled with the stretches where coders differ
        self.bootstrap = bootstrap
        self.rng = rng

    # --- units: α and percent agreement ---

    def _unit_tables(self):
        return _unit_tables(self.units, self.coders, self.codes, self.themes)

    def rows(self, *, with_scopes: bool) -> list[Figures]:
        m = self.m
        counts, values, n_values = self._unit_tables()
        n_units = len(self.units)
        # Agreement coincidences per unit, Σ_v k_v(k_v − 1)/(m − 1): per code (present/absent) and for
        # the code sets, whose (unit, value, count) triplets give the value totals n_v.
        binary_agree = (counts * (counts - 1) + (m - counts) * (m - counts - 1)) / (m - 1)
        code_agreed = (counts == 0) | (counts == m)
        trip_unit, trip_value, trip_count, unit_agree = _value_triplets(values, m)
        unit_agreed = (values == values[:, :1]).all(axis=1) if n_units else np.zeros(0, dtype=bool)

        scopes: list[tuple[str, str | None, np.ndarray]] = [("all", None, np.arange(n_units))]
        if with_scopes:
            unit_tid = np.array([u.transcript for u in self.units], dtype=object)
            for tid in self.transcripts:
                scopes.append(("transcript", tid, np.flatnonzero(unit_tid == tid) if n_units else np.arange(0)))
            for role in self.roles:
                scopes.append(("role", role, np.array([i for i, rs in enumerate(self.unit_roles) if role in rs],
                                                      dtype=np.int64)))
        chars = self._characters()
        self._segments_in: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        for k, seg in enumerate(self.segments):
            self._segments_in[("all", None)].append(k)
            self._segments_in[("transcript", seg.transcript)].append(k)
            self._segments_in[("role", seg.role)].append(k)
        u_alphas = self._u_alphas(with_scopes)
        intervals = None
        if self.bootstrap > 0 and n_units > 1:
            intervals = self._bootstrap(scopes, trip_unit, trip_value, trip_count, unit_agree, counts, binary_agree)

        rows: list[Figures] = []
        for scope, value, idx in scopes:
            sub_counts, sub_agree = counts[idx], binary_agree[idx]
            n = m * len(idx)
            overall = Figures(scope, value, None, units=len(idx), units_agreed=int(unit_agreed[idx].sum()))
            keep = np.zeros(n_units, dtype=bool)
            keep[idx] = True
            keep = keep[trip_unit]
            sums = np.bincount(trip_value[keep], weights=trip_count[keep], minlength=n_values)
            overall.alpha = _alpha(n, float(unit_agree[idx].sum()), float((sums ** 2).sum()))
            overall.disagreements = idx[~unit_agreed[idx]].tolist()
            code_rows = []
            n1 = sub_counts.sum(axis=0)
            agree = sub_agree.sum(axis=0)
            agreed = code_agreed[idx]
            coded = (sub_counts > 0).sum(axis=0)
            for c, code in enumerate(self.codes):
                row = Figures(scope, value, code, units=len(idx), units_agreed=int(agreed[:, c].sum()),
                              coded_units=int(coded[c]))
                ones = float(n1[c])
                row.alpha = _alpha(n, float(agree[c]), ones * ones + (n - ones) ** 2)
                row.disagreements = idx[~agreed[:, c]].tolist()
                code_rows.append(row)
            self._fill_characters(chars, scope, value, overall, code_rows)
            ua = u_alphas.get((scope, value))
            if ua is not None:
                overall.u_alpha = ua.alpha
                for row in code_rows:
                    fig = ua.by_category.get(row.code)
                    row.u_alpha = fig.alpha if fig else None
            if intervals is not None:
                low, high = intervals[(scope, value)]
                overall.alpha_low, overall.alpha_high = low[0], high[0]
                if scope == "all":
                    for k, row in enumerate(code_rows):
                        row.alpha_low, row.alpha_high = low[k + 1], high[k + 1]
            rows.append(overall)
            rows.extend(code_rows)
        return rows

    def _bootstrap(self, scopes, trip_unit, trip_value, trip_count, unit_agree, counts, binary_agree):
        """Percentile 95 % intervals for α: per scope, [overall] (+ [per code] for the whole comparison).

        Each resample draws as many units as the comparison has, with replacement, from all of
        them; a transcript's or a role's α is computed on its own units within the resample (how
        many of them were drawn varies, as it would in a new study). Resamples where α is not
        defined are left out.
        """
        m, n_units, total = self.m, len(self.units), self.bootstrap
        plans = [_plan((scope, value), idx, n_units, trip_unit, trip_value, trip_count, unit_agree,
                       counts if scope == "all" else None, binary_agree)
                 for scope, value, idx in scopes if len(idx)]
        results: dict[tuple, list[np.ndarray]] = {plan.key: [] for plan in plans}
        chunk = max(1, min(total, 4_000_000 // n_units))
        dtype = np.uint16 if n_units < 2 ** 16 else np.int64
        done = 0
        while done < total:
            b = min(chunk, total - done)
            draws = self.rng.integers(0, n_units, size=(b, n_units), dtype=dtype).astype(np.int64)
            draws += (np.arange(b) * n_units)[:, None]
            weights = np.bincount(draws.ravel(), minlength=b * n_units).reshape(b, n_units).astype(np.float32)
            for plan in plans:
                results[plan.key].append(_weighted_alphas(plan, weights, m))
            done += b
        empty = [None] * (1 + len(self.codes))
        intervals = {(scope, value): (empty, empty) for scope, value, _ in scopes}
        for plan in plans:
            table = np.vstack(results[plan.key])
            lows, highs = [], []
            for k in range(table.shape[1]):
                col = table[:, k]
                col = col[~np.isnan(col)]
                lo, hi = np.percentile(col, [2.5, 97.5]) if len(col) else (None, None)
                lows.append(None if lo is None else float(lo))
                highs.append(None if hi is None else float(hi))
            intervals[plan.key] = (lows, highs)
        return intervals

    # --- characters: κ, percent agreement, segments ---

    def _characters(self):
        """Participant characters per (code, transcript, role, coder mask), and the segments."""
        m = self.m
        full = (1 << m) - 1
        coder_bit = {coder: 1 << j for j, coder in enumerate(self.coders)}
        n_codes, n_roles = len(self.codes), max(1, len(self.space.roles))
        measure = np.zeros((n_codes, len(self.transcripts), n_roles, full + 1), dtype=np.int64)
        relabel = self.themes or {}
        by_tc: dict[tuple[str, str], list[Coded]] = defaultdict(list)
        for c in self.coded:
            by_tc[(c.transcript, relabel.get(c.code, c.code))].append(c)
        for t, tid in enumerate(self.transcripts):
            pieces_s: list[int] = []
            pieces_e: list[int] = []
            pieces_code: list[int] = []
            pieces_mask: list[int] = []
            for code in self.codes:
                items = by_tc.get((tid, code))
                if not items:
                    continue
                events = sorted([(c.start, coder_bit[c.coder]) for c in items]
                                + [(c.end, -coder_bit[c.coder]) for c in items])
                active = [0] * m
                mask = 0
                pos = None
                ci = self.code_index[code]
                for at, bit in events:
                    if pos is not None and at > pos and mask:
                        if pieces_e and pieces_e[-1] == pos and pieces_mask[-1] == mask and pieces_code[-1] == ci:
                            pieces_e[-1] = at
                        else:
                            pieces_s.append(pos)
                            pieces_e.append(at)
                            pieces_code.append(ci)
                            pieces_mask.append(mask)
                    pos = at
                    j = abs(bit).bit_length() - 1
                    active[j] += 1 if bit > 0 else -1
                    mask = mask | abs(bit) if active[j] else mask & ~abs(bit)
            if not pieces_s:
                continue
            s_arr = np.array(pieces_s, dtype=np.int64)
            e_arr = np.array(pieces_e, dtype=np.int64)
            lengths = self.space.before(tid, e_arr) - self.space.before(tid, s_arr)
            code_arr = np.array(pieces_code, dtype=np.int64)
            mask_arr = np.array(pieces_mask, dtype=np.int64)
            for r in range(n_roles):
                np.add.at(measure[:, t, r, :], (code_arr, mask_arr), lengths[:, r])
            disagreeing = np.flatnonzero((mask_arr != full) & (lengths.sum(axis=1) > 0))
            for k in disagreeing:
                mask = pieces_mask[k]
                coded_by = tuple(c for c in self.coders if mask & coder_bit[c])
                not_by = tuple(c for c in self.coders if not mask & coder_bit[c])
                for s, e, role in self.space.clip(tid, pieces_s[k], pieces_e[k]):
                    self.segments.append(Segment(tid, s, e, self.codes[pieces_code[k]], role, coded_by, not_by))
        characters = np.zeros((len(self.transcripts), n_roles), dtype=np.int64)
        for t, tid in enumerate(self.transcripts):
            characters[t] = self.space.characters(tid)[:n_roles] if self.space.roles else 0
        return measure, characters

    def _fill_characters(self, chars, scope, value, overall: Figures, code_rows: list[Figures]) -> None:
        measure, characters = chars
        if scope == "all":
            sub, n = measure.sum(axis=(1, 2)), int(characters.sum())
        elif scope == "transcript":
            t = self.transcripts.index(value)
            sub, n = measure[:, t].sum(axis=1), int(characters[t].sum())
        else:
            r = self.space.role_index.get(value)
            if r is None:  # units outside participant turns: no characters to compare
                return
            sub, n = measure[:, :, r].sum(axis=1), int(characters[:, r].sum())
        m, full = self.m, (1 << self.m) - 1
        masks = np.arange(full + 1)
        pairs = list(itertools.combinations(range(m), 2))
        # Columns: disagreement, then per pair the characters coded by the first, the second, both.
        select = [(masks != 0) & (masks != full)]
        for i, j in pairs:
            select += [(masks >> i) & 1 == 1, (masks >> j) & 1 == 1, ((masks >> i) & (masks >> j) & 1) == 1]
        table = (sub @ np.array(select, dtype=np.int64).T).tolist()  # codes × columns, exact integers
        pooled = np.zeros((len(pairs), 3), dtype=np.int64)  # first, second, both
        kappas = []
        for c, row in enumerate(code_rows):
            line = table[c]
            row.characters = n
            row.characters_agreed = n - line[0]
            for p, (i, j) in enumerate(pairs):
                first, second, both = line[1 + 3 * p:4 + 3 * p]
                pooled[p] += (first, second, both)
                row.kappa_pairs.append(_pair(self.coders[i], self.coders[j], n, first, second, both))
            row.kappa = _mean_kappa(row.kappa_pairs)
            if row.kappa is not None:
                kappas.append(row.kappa)
        total = n * len(code_rows)
        overall.characters = total
        overall.characters_agreed = sum(r.characters_agreed for r in code_rows)
        overall.kappa_pairs = [_pair(self.coders[i], self.coders[j], total, *pooled[p])
                               for p, (i, j) in enumerate(pairs)]
        overall.kappa = _mean_kappa(overall.kappa_pairs)
        overall.kappa_mean = sum(kappas) / len(kappas) if kappas else None
        for k in self._segments_in.get((scope, value), ()):
            overall.segments.append(k)
            code_rows[self.code_index[self.segments[k].code]].segments.append(k)

    # --- unitized α ---

    def _u_alphas(self, with_scopes: bool) -> dict[tuple[str, str | None], UnitizedAlpha]:
        relabel = self.themes or {}
        space = self.space
        n_roles = max(1, len(space.roles))
        by_tid: dict[str, list[Coded]] = defaultdict(list)
        for c in self.coded:
            by_tid[c.transcript].append(c)
        # Map every coding's ends onto the continuum of participant characters, per role.
        mapped: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        totals = {tid: space.characters(tid)[:n_roles] if space.roles else np.zeros(n_roles, dtype=np.int64)
                  for tid in self.transcripts}
        for tid, items in by_tid.items():
            mapped[tid] = (space.before(tid, np.array([c.start for c in items], dtype=np.int64)),
                           space.before(tid, np.array([c.end for c in items], dtype=np.int64)))
        out: dict[tuple[str, str | None], UnitizedAlpha] = {}

        def run(tids: list[str], role: int | None) -> UnitizedAlpha:
            sections = []
            base = 0
            for tid in tids:
                if tid in by_tid:
                    s_map, e_map = mapped[tid]
                    if role is None:
                        starts, ends = s_map.sum(axis=1), e_map.sum(axis=1)
                    else:
                        starts, ends = s_map[:, role], e_map[:, role]
                    for c, s, e in zip(by_tid[tid], starts.tolist(), ends.tolist()):
                        if e > s:
                            sections.append((c.coder, relabel.get(c.code, c.code), base + s, base + e))
                base += int(totals[tid].sum() if role is None else totals[tid][role])
            return unitized_alpha(sections, self.coders, 0, base)

        out[("all", None)] = run(self.transcripts, None)
        if with_scopes:
            for tid in self.transcripts:
                out[("transcript", tid)] = run([tid], None)
            for r, role in enumerate(space.roles):
                out[("role", role)] = run(self.transcripts, r)
        return out


def _unit_tables(units: Sequence[AlignedUnit], coders: Sequence[str], codes: Sequence[str],
                 relabel: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Per unit, how many coders used each code (units × codes), and each coder's value (units ×
    coders: an id per distinct code set); and the number of distinct values."""
    relabel = relabel or {}
    index = {c: i for i, c in enumerate(codes)}
    counts = np.zeros((len(units), len(codes)), dtype=np.int64)
    value_ids: dict[frozenset, int] = {}
    values = np.zeros((len(units), len(coders)), dtype=np.int64)
    for u, unit in enumerate(units):
        for j, coder in enumerate(coders):
            s = frozenset(relabel.get(c.code, c.code) for c in unit.by_coder[coder])
            values[u, j] = value_ids.setdefault(s, len(value_ids))
            for code in s:
                counts[u, index[code]] += 1
    return counts, values, len(value_ids)


def unit_alphas(units: Sequence[AlignedUnit], coders: Sequence[str],
                codes: Sequence[str] | None = None) -> tuple[float | None, dict[str, float | None]]:
    """Krippendorff's α over aligned units, overall (code sets) and per code (present/absent).

    The figures of :func:`agreement_report` for the whole comparison, without intervals.
    """
    m = len(coders)
    if codes is None:
        codes = sorted({c.code for u in units for cs in u.by_coder.values() for c in cs})
    counts, values, n_values = _unit_tables(units, coders, codes)
    n = m * len(units)
    _, trip_value, trip_count, unit_agree = _value_triplets(values, m)
    sums = np.bincount(trip_value, weights=trip_count, minlength=n_values)
    overall = _alpha(n, float(unit_agree.sum()), float((sums ** 2).sum()))
    ones = counts.sum(axis=0).astype(np.float64)
    agree = ((counts * (counts - 1) + (m - counts) * (m - counts - 1)) / (m - 1)).sum(axis=0)
    per_code = {code: _alpha(n, float(agree[c]), ones[c] ** 2 + (n - ones[c]) ** 2) for c, code in enumerate(codes)}
    return overall, per_code


def _value_triplets(values: np.ndarray, m: int):
    """(unit, value, count) for each value given in a unit, and per unit Σ_v k_v(k_v − 1)/(m − 1)."""
    n_units = values.shape[0]
    if n_units == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    ordered = np.sort(values, axis=1)
    new = np.ones_like(ordered, dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.flatnonzero(new.ravel())
    units = first // m
    vals = ordered.ravel()[first]
    counts = np.diff(np.append(first, n_units * m))
    agree = np.bincount(units, weights=counts * (counts - 1) / (m - 1), minlength=n_units)
    return units, vals, counts, agree


@dataclass(slots=True)
class _Plan:
    """What the bootstrap needs for one scope: which units, and the matrix that turns a resample's
    weights into α's sums."""

    key: tuple
    pick: slice | np.ndarray | None  # the scope's units among all (None: all of them)
    matrix: np.ndarray  # columns: 1, agreement, shared values' counts[, codes' counts, codes' agreement]
    single: np.ndarray  # per unit, Σ k² over the values found in no other unit of the scope
    n_shared: int
    n_codes: int


def _plan(key, idx, n_units, trip_unit, trip_value, trip_count, unit_agree, counts=None, binary_agree=None) -> _Plan:
    """The weights ``w`` of a resample (how often each unit was drawn) give every sum α needs as one
    matrix product: Σ w (units drawn), Σ w·agreement, and the value totals n_v = Σ w·k_v. A value
    found in one unit only adds w_u²·k² to Σ n_v², so only values shared by several units need a
    column. float32 is exact here: weights and counts are small integers, agreement terms
    multiples of 1/(m − 1)."""
    local = np.full(n_units, -1, dtype=np.int64)
    local[idx] = np.arange(len(idx))
    keep = local[trip_unit] >= 0
    t_unit, t_value, t_count = local[trip_unit[keep]], trip_value[keep], trip_count[keep]
    units_with = np.bincount(t_value, minlength=int(t_value.max(initial=0)) + 1)
    is_shared = units_with[t_value] > 1
    column = np.cumsum(units_with > 1) - 1
    shared = np.zeros((len(idx), int((units_with > 1).sum())), dtype=np.float32)
    shared[t_unit[is_shared], column[t_value[is_shared]]] = t_count[is_shared]
    single = np.bincount(t_unit[~is_shared], weights=t_count[~is_shared].astype(np.float64) ** 2,
                         minlength=len(idx))
    columns = [np.ones((len(idx), 1)), unit_agree[idx][:, None], shared]
    if counts is not None:
        columns += [counts[idx], binary_agree[idx]]
    if len(idx) == n_units:
        pick = None
    elif idx[-1] - idx[0] + 1 == len(idx):  # contiguous (a transcript's units): a view, no copy
        pick = slice(int(idx[0]), int(idx[-1]) + 1)
    else:
        pick = idx
    return _Plan(key, pick, np.hstack(columns).astype(np.float32), single.astype(np.float32), shared.shape[1],
                 counts.shape[1] if counts is not None else 0)


def _weighted_alphas(plan: _Plan, weights: np.ndarray, m: int) -> np.ndarray:
    """α for each row of ``weights`` (resamples × all units): overall, then per code if planned."""
    w = weights if plan.pick is None else weights[:, plan.pick]
    product = (w @ plan.matrix).astype(np.float64)
    n = m * product[:, 0]
    agree = product[:, 1]
    squares = (product[:, 2:2 + plan.n_shared] ** 2).sum(axis=1) + ((w * w) @ plan.single).astype(np.float64)
    out = [_alpha_vector(n, agree, squares)[:, None]]
    if plan.n_codes:
        ones = product[:, 2 + plan.n_shared:2 + plan.n_shared + plan.n_codes]
        agree_c = product[:, 2 + plan.n_shared + plan.n_codes:]
        out.append(_alpha_vector(n[:, None], agree_c, ones ** 2 + (n[:, None] - ones) ** 2))
    return np.hstack(out)


def weighted_unit_alphas(units: Sequence[AlignedUnit], coders: Sequence[str], codes: Sequence[str],
                         weights: np.ndarray) -> np.ndarray:
    """α over units counted ``weights`` times each (one row per weighting): [overall, per code...].

    What one bootstrap resample computes; NaN where α is not defined.
    """
    m = len(coders)
    counts, values, _ = _unit_tables(units, coders, codes)
    trip_unit, trip_value, trip_count, unit_agree = _value_triplets(values, m)
    binary_agree = (counts * (counts - 1) + (m - counts) * (m - counts - 1)) / (m - 1)
    plan = _plan(("all", None), np.arange(len(units)), len(units), trip_unit, trip_value, trip_count, unit_agree,
                 counts, binary_agree)
    return _weighted_alphas(plan, np.atleast_2d(np.asarray(weights, dtype=np.float32)), m)


def _alpha_vector(n: np.ndarray, agree: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """:func:`_alpha` over arrays; NaN where α is not defined."""
    denominator = n * n - squares
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((denominator > 0) & (n >= 2), 1 - (n - 1) * (n - agree) / denominator, np.nan)


def _pair(a: str, b: str, n: int, first: int, second: int, both: int) -> PairKappa:
    first, second, both = int(first), int(second), int(both)
    return PairKappa((a, b), cohen_kappa(n, first, second, both), n, both, first - both, second - both,
                     n - first - second + both)


def _mean_kappa(pairs: list[PairKappa]) -> float | None:
    values = [p.kappa for p in pairs]
    if not values or any(v is None for v in values):
        return None
    return sum(values) / len(values)
