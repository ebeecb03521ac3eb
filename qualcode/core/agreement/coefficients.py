"""The statistics one at a time: Krippendorff's nominal α, Cohen's κ from counts, and
Krippendorff's unitized α (uα) over a continuum."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from .alignment import _check_coders


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
    for size in units:  # l in the formula: a section's length
        k = bisect_left(gaps, size)
        count = len(gaps) - k
        numerator += ((n_c - 1) * (2 * size ** 3 - 3 * size ** 2 + size) // 3
                      + size * size * (suffix_len[k] - (size - 1) * count))
    squares = sum(size * (size - 1) for size in units)
    do = 2 * observed / (m * (m - 1) * length * length)
    de = 2 * numerator / (length * (m * length * (m * length - 1) - squares))
    return do, de
