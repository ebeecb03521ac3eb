"""α over aligned units as arrays: each unit counted by a weight, 1 for the plain figures, the
number of times a bootstrap resample drew it for the intervals. One matrix product a resample."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .alignment import AlignedUnit
from .coefficients import _alpha


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
