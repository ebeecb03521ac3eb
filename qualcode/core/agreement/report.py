"""The whole report: :func:`agreement_report` measures one labelling of the codings (codes, and
codes rolled up into their themes) over the whole comparison, per transcript and per role."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..models import Turn
from .alignment import Coded, _check_coders, align
from .coefficients import UnitizedAlpha, _alpha, cohen_kappa, unitized_alpha
from .definitions import DEFAULT_BOOTSTRAP, DEFAULT_SEED, OUTSIDE
from .space import _Space
from .tables import AgreementReport, Figures, PairKappa, Segment
from .weighted import _plan, _unit_tables, _value_triplets, _weighted_alphas


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
        theme_rank: dict[str, int] = {}
        for c in codes:
            theme_rank.setdefault(themes.get(c, c), len(theme_rank))
        theme_list = sorted(theme_rank, key=theme_rank.__getitem__)
        theme_rows = _Measure(coders, transcripts, roles, units, unit_roles, space, relabelled, theme_list,
                              themes, theme_segments, bootstrap, rng).rows(with_scopes=False)
    return AgreementReport(coders, transcripts, codes, theme_list, roles, units, unit_roles, segments, rows,
                           theme_rows, theme_segments, bootstrap, seed)


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


def _pair(a: str, b: str, n: int, first: int, second: int, both: int) -> PairKappa:
    first, second, both = int(first), int(second), int(both)
    return PairKappa((a, b), cohen_kappa(n, first, second, both), n, both, first - both, second - both,
                     n - first - second + both)


def _mean_kappa(pairs: list[PairKappa]) -> float | None:
    values = [p.kappa for p in pairs if p.kappa is not None]
    if not values or len(values) < len(pairs):  # no pair, or a pair without κ
        return None
    return sum(values) / len(values)
