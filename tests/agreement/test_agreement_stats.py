"""The figures against the reference packages, to 1e-9, on random and hand-made codings.

Everything the report computes is recomputed here the slow, obvious way: meaning units by
union-find over characters, α with ``krippendorff.alpha``, κ with ``sklearn``'s
``cohen_kappa_score`` over one 0/1 entry per participant character, uα by the literal double
sums of Krippendorff (1995). Transcripts are lists of turns with roles; no project needed.
"""

from __future__ import annotations

import itertools
import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.core.agreement import (
    OUTSIDE,
    Coded,
    agreement_report,
    align,
    cohen_kappa,
    krippendorff_alpha_nominal,
    unit_alphas,
    unitized_alpha,
    weighted_unit_alphas,
)
from qualcode.core.coverage import participant_spans
from qualcode.core.models import Turn

TOL = 1e-9


# --- building data -------------------------------------------------------------------------------


def turns_of(*spec: tuple[str | None, str | None, int]) -> list[Turn]:
    """Turns from (speaker, role, length): each preceded by a 4-character label, one after another."""
    out, pos = [], 0
    for i, (speaker, role, length) in enumerate(spec):
        start = pos + 4
        out.append(Turn(index=i, speaker=speaker, role=role, start=start, end=start + length))
        pos = start + length + 1
    return out


def random_turns(rng: random.Random, length: int = 2500) -> list[Turn]:
    spec, pos = [], 0
    while pos < length:
        kind = rng.random()
        if kind < 0.2:
            spec.append(("Intervjuer", "moderator", rng.randint(10, 60)))
        elif kind < 0.25:
            spec.append((None, None, rng.randint(10, 40)))  # unattributed text: not participant talk
        elif kind < 0.3:
            spec.append(("X", None, rng.randint(30, 150)))  # a speaker without a role
        else:
            spec.append((f"P{rng.randint(1, 3)}", rng.choice(["pasient", "ansatt"]), rng.randint(30, 250)))
        pos += spec[-1][2] + 5
    return turns_of(*spec)


def random_codings(rng: random.Random, turns: dict[str, list[Turn]], coders: list[str], codes: list[str],
                   n: int) -> list[Coded]:
    """Coders who partly share units (same or jittered span, same or other code) and partly not."""
    out, next_id = [], 1
    for _ in range(n):
        tid = rng.choice(sorted(turns))
        length = turns[tid][-1].end
        s = rng.randrange(0, length - 5)
        e = min(length, s + rng.randint(3, 120))
        code = rng.choice(codes)
        for coder in coders:
            if rng.random() < 0.7:
                js, je = s + rng.randint(-6, 6), e + rng.randint(-6, 6)
                js, je = max(0, js), min(length, je)
                if je > js:
                    out.append(Coded(next_id, tid, js, je, code if rng.random() < 0.75 else rng.choice(codes), coder))
                    next_id += 1
    return out


# --- the slow, obvious way ---------------------------------------------------------------------------


def brute_units(codings: list[Coded], coders: list[str]) -> list[tuple[str, int, int, dict[str, set[str]]]]:
    """Connected components of codings sharing a character: (transcript, start, end, codes per coder)."""
    codings = [c for c in codings if c.coder in coders]
    parent = list(range(len(codings)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(codings)), 2):
        a, b = codings[i], codings[j]
        if a.transcript == b.transcript and set(range(a.start, a.end)) & set(range(b.start, b.end)):
            parent[find(i)] = find(j)
    groups: dict[int, list[Coded]] = {}
    for i, c in enumerate(codings):
        groups.setdefault(find(i), []).append(c)
    units = []
    for members in groups.values():
        codes = {coder: {c.code for c in members if c.coder == coder} for coder in coders}
        units.append((members[0].transcript, min(c.start for c in members), max(c.end for c in members), codes))
    return sorted(units, key=lambda u: (u[0], u[1]))


def ref_alpha(data: list[list]) -> float | None:
    """krippendorff.alpha (nominal) on rows of hashable values; None where it refuses (undefined)."""
    ids: dict = {}
    matrix = [[ids.setdefault(v, len(ids)) for v in row] for row in data]
    try:
        value = krippendorff.alpha(reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal")
    except ValueError:
        return None
    return None if math.isnan(value) else float(value)


def ref_kappa(a: list[int], b: list[int]) -> float | None:
    if not a or (len(set(a)) == 1 and set(a) == set(b)):
        return None  # sklearn: undefined (NaN with a warning)
    return float(cohen_kappa_score(a, b))


def participant_chars(turns: list[Turn], role: str | None = None) -> list[int]:
    keep = [t for t in turns if participant_spans([t]) and (role is None or (t.role or "(no role)") == role)]
    return [x for t in keep for x in range(t.start, t.end)]


def char_vector(codings: list[Coded], tid: str, coder: str, code: str, chars: list[int]) -> list[int]:
    covered = set()
    for c in codings:
        if c.transcript == tid and c.coder == coder and c.code == code:
            covered.update(range(c.start, c.end))
    return [int(x in covered) for x in chars]


def brute_u_alpha(codings: list[Coded], coders: list[str], turns: dict[str, list[Turn]],
                  role: str | None = None) -> tuple[float | None, dict[str, float | None]]:
    """Krippendorff (1995) uα literally: the continuum of participant characters, every pair of
    sections of every pair of coders, every (unit, gap) pair for the expected disagreement."""
    position, pos = {}, 0
    for tid, ts in turns.items():
        for x in participant_chars(ts, role):
            position[(tid, x)] = pos
            pos += 1
    length, m = pos, len(coders)
    totals_o = totals_e = 0.0
    per: dict[str, float | None] = {}
    for code in sorted({c.code for c in codings}):
        sections = {}
        for coder in coders:
            spans = []
            for c in codings:
                if c.coder == coder and c.code == code:
                    mapped = [position[(c.transcript, x)] for x in range(c.start, c.end) if (c.transcript, x) in position]
                    if mapped:
                        spans.append([min(mapped), max(mapped) + 1])
            spans.sort()
            merged = []
            for s, e in spans:
                if merged and s < merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([s, e])
            parts, at = [], 0
            for s, e in merged:
                if s > at:
                    parts.append((at, s, False))
                parts.append((s, e, True))
                at = e
            if at < length:
                parts.append((at, length, False))
            sections[coder] = parts
        if not any(v for parts in sections.values() for *_, v in parts):
            continue

        def delta2(g, h):
            (b1, e1, v1), (b2, e2, v2) = g, h
            if v1 and v2 and b1 < e2 and b2 < e1:
                return (b1 - b2) ** 2 + (e1 - e2) ** 2
            if v1 and not v2 and b2 <= b1 and e1 <= e2:
                return (e1 - b1) ** 2
            if v2 and not v1 and b1 <= b2 and e2 <= e1:
                return (e2 - b2) ** 2
            return 0

        observed = sum(delta2(g, h) for i in coders for j in coders if i != j
                       for g in sections[i] for h in sections[j]) / (m * (m - 1) * length ** 2)
        units = [e - s for parts in sections.values() for s, e, v in parts if v]
        gaps = [e - s for parts in sections.values() for s, e, v in parts if not v]
        n_c = len(units)
        numerator = sum((n_c - 1) * (2 * size ** 3 - 3 * size ** 2 + size) / 3
                        + size ** 2 * sum(g - size + 1 for g in gaps if g >= size) for size in units)
        expected = 2 / length * numerator / (m * length * (m * length - 1) - sum(size * (size - 1) for size in units))
        per[code] = 1 - observed / expected if expected > 0 else None
        totals_o += observed
        totals_e += expected
    return (1 - totals_o / totals_e if totals_e > 0 else None), per


def close(ours, reference) -> bool:
    if reference is None:
        return ours is None
    return ours is not None and abs(ours - reference) <= TOL


def check_report(codings: list[Coded], coders: list[str], turns: dict[str, list[Turn]]) -> None:
    """Every figure of the report against the slow way: per code and overall, per transcript, per role."""
    report = agreement_report(codings, coders, turns, bootstrap=0)
    codes = sorted({c.code for c in codings if c.coder in coders and c.transcript in turns})
    assert report.codes == codes
    units = brute_units([c for c in codings if c.transcript in turns], coders)
    assert [(u.transcript, u.start, u.end) for u in report.units] == [(t, s, e) for t, s, e, _ in units]
    for u, (_, _, _, by) in zip(report.units, units):
        assert {c: set(u.codes(c)) for c in coders} == by

    def unit_figures(row, chosen):
        overall = [[frozenset(by[c]) for *_, by in chosen] for c in coders]
        assert close(row.alpha, ref_alpha(overall) if chosen else None), (row.scope, row.scope_value)
        agreed = sum(len({frozenset(by[c]) for c in coders}) == 1 for *_, by in chosen)
        assert row.units == len(chosen) and row.units_agreed == agreed
        for code in codes:
            code_row = report.row(code, row.scope, row.scope_value)
            data = [[code in by[c] for *_, by in chosen] for c in coders]
            assert close(code_row.alpha, ref_alpha(data) if chosen else None), (code, row.scope, row.scope_value)
            assert code_row.units_agreed == sum(len({code in by[c] for c in coders}) == 1 for *_, by in chosen)

    def char_figures(row, pieces):  # pieces: (transcript, characters)
        n = sum(len(chars) for _, chars in pieces)
        pooled = {pair: ([], []) for pair in itertools.combinations(coders, 2)}
        for code in codes:
            code_row = report.row(code, row.scope, row.scope_value)
            vectors = {c: [x for tid, chars in pieces for x in char_vector(codings, tid, c, code, chars)]
                       for c in coders}
            assert code_row.characters == n
            assert code_row.characters_agreed == sum(len(set(column)) == 1 for column in zip(*vectors.values()))
            for p, (a, b) in enumerate(itertools.combinations(coders, 2)):
                assert close(code_row.kappa_pairs[p].kappa, ref_kappa(vectors[a], vectors[b])), (code, row.scope)
                pooled[(a, b)][0].extend(vectors[a])
                pooled[(a, b)][1].extend(vectors[b])
        for p, pair in enumerate(pooled):
            assert close(row.kappa_pairs[p].kappa, ref_kappa(*pooled[pair])), (row.scope, row.scope_value)

    unit_figures(report.overall, units)
    char_figures(report.overall, [(tid, participant_chars(ts)) for tid, ts in turns.items()])
    ua, ua_codes = brute_u_alpha(codings, coders, turns)
    assert close(report.overall.u_alpha, ua)
    for code in codes:
        assert close(report.row(code).u_alpha, ua_codes.get(code))
    for tid, ts in turns.items():
        row = report.row(None, "transcript", tid)
        unit_figures(row, [u for u in units if u[0] == tid])
        char_figures(row, [(tid, participant_chars(ts))])
        ua, _ = brute_u_alpha([c for c in codings if c.transcript == tid], coders, {tid: ts})
        assert close(row.u_alpha, ua)
    roles = {(t.role or "(no role)") for ts in turns.values() for t in ts if participant_spans([t])}
    for role in roles:
        row = report.row(None, "role", role)
        in_role = []
        for u in units:
            ts = turns[u[0]]
            if any(participant_spans([t]) and (t.role or "(no role)") == role and t.start < u[2] and u[1] < t.end
                   for t in ts):
                in_role.append(u)
        unit_figures(row, in_role)
        char_figures(row, [(tid, participant_chars(ts, role)) for tid, ts in turns.items()])
        ua, _ = brute_u_alpha(codings, coders, turns, role)
        assert close(row.u_alpha, ua)


# --- random codings --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("n_coders", [2, 3])
def test_random_codings_match_the_reference_packages(seed, n_coders):
    rng = random.Random(seed * 10 + n_coders)
    turns = {"T1": random_turns(rng), "T2": random_turns(rng, 1500)}
    coders = ["AB", "CD", "EF"][:n_coders]
    codings = random_codings(rng, turns, coders, ["hap", "hap-sol", "rec", "hverdag"], n=30)
    check_report(codings, coders, turns)


@pytest.mark.parametrize("seed", range(5))
def test_alpha_with_missing_values_matches_krippendorff(seed):
    rng = random.Random(seed)
    data = [[rng.choice([None, 1, 2, 3, 3]) for _ in range(40)] for _ in range(4)]
    expected = krippendorff.alpha(reliability_data=np.array([[np.nan if v is None else v for v in row]
                                                               for row in data]), level_of_measurement="nominal")
    assert abs(krippendorff_alpha_nominal(data) - expected) <= TOL


@pytest.mark.parametrize("seed", range(5))
def test_kappa_from_counts_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    a = (rng.random(500) < rng.random()).astype(int)
    b = np.where(rng.random(500) < 0.8, a, 1 - a)
    ours = cohen_kappa(500, int(a.sum()), int(b.sum()), int((a & b).sum()))
    assert abs(ours - cohen_kappa_score(a, b)) <= TOL


@pytest.mark.parametrize("seed", range(4))
def test_a_resample_is_alpha_over_the_units_repeated_by_their_weights(seed):
    """What each bootstrap resample computes equals krippendorff on the resampled data itself."""
    rng = random.Random(seed)
    turns = {"T1": random_turns(rng)}
    coders = ["AB", "CD", "EF"][: 2 + seed % 2]
    codings = random_codings(rng, turns, coders, ["hap", "rec", "hverdag"], n=25)
    units = align(codings, coders)
    codes = sorted({c.code for c in codings})
    weights = np.random.default_rng(seed).multinomial(len(units), [1 / len(units)] * len(units), size=5)
    got = weighted_unit_alphas(units, coders, codes, weights)
    for w, row in zip(weights, got):
        drawn = [u for u, k in zip(units, w) for _ in range(k)]
        assert close(None if np.isnan(row[0]) else row[0], ref_alpha([[u.codes(c) for u in drawn] for c in coders]))
        for k, code in enumerate(codes, 1):
            ref = ref_alpha([[code in u.codes(c) for u in drawn] for c in coders])
            assert close(None if np.isnan(row[k]) else row[k], ref), code


def test_unit_alphas_are_the_reports_whole_comparison_figures():
    rng = random.Random(11)
    turns = {"T1": random_turns(rng)}
    codings = random_codings(rng, turns, ["AB", "CD"], ["hap", "rec"], n=30)
    report = agreement_report(codings, ["AB", "CD"], turns, bootstrap=0)
    overall, per_code = unit_alphas(report.units, ["AB", "CD"], report.codes)
    assert overall == report.overall.alpha
    assert per_code == {code: report.row(code).alpha for code in report.codes}


# --- hand-made codings ----------------------------------------------------------------------------

# Intervjuer (moderator) 40 chars, P1 (pasient) 120, Ansatt 1 (ansatt) 100, P2 (pasient) 80.
TURNS = {"T1": turns_of(("Intervjuer", "moderator", 40), ("P1", "pasient", 120), ("Ansatt 1", "ansatt", 100),
                        ("P2", "pasient", 80))}
P1, A1, P2 = TURNS["T1"][1], TURNS["T1"][2], TURNS["T1"][3]


def coded(coder: str, start: int, end: int, code: str, id: int = 0) -> Coded:
    return Coded(id, "T1", start, end, code, coder)


def test_perfect_agreement():
    codings = []
    for coder in ("AB", "CD"):
        codings += [coded(coder, P1.start + 5, P1.start + 60, "hap"), coded(coder, A1.start, A1.start + 50, "rec"),
                    coded(coder, P2.start + 10, P2.end, "hap")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=200)
    o = report.overall
    assert (o.alpha, o.kappa, o.u_alpha, o.percent_units, o.percent_characters) == (1.0, 1.0, 1.0, 100.0, 100.0)
    assert (o.alpha_low, o.alpha_high) == (1.0, 1.0)
    assert o.disagreements == [] and report.segments == [] and o.segments == []
    assert all(r.alpha == 1.0 and r.kappa == 1.0 for r in report.per_code())
    check_report(codings, ["AB", "CD"], TURNS)


def test_total_disagreement():
    """Each coder codes what the other did not: α and κ at or below zero, every unit listed."""
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("CD", P1.start + 60, P1.end, "rec"),
               coded("AB", A1.start, A1.start + 40, "rec"), coded("CD", A1.start + 50, A1.end, "hap")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    o = report.overall
    assert o.units == 4 and o.units_agreed == 0 and o.disagreements == [0, 1, 2, 3]
    assert o.alpha < 0 and o.kappa < 0 and o.u_alpha < 0
    assert {(s.code, s.coded_by) for s in report.segments} == {("hap", ("AB",)), ("rec", ("CD",)),
                                                               ("rec", ("AB",)), ("hap", ("CD",))}
    check_report(codings, ["AB", "CD"], TURNS)


def test_one_coder_silent_in_a_unit_gives_the_empty_set():
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("CD", P1.start + 2, P1.start + 48, "hap"),
               coded("AB", A1.start, A1.start + 40, "rec")]  # CD coded nothing here
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    silent = report.units[1]
    assert silent.by_coder["CD"] == [] and silent.codes("CD") == frozenset() and not silent.agreed
    assert report.overall.disagreements == [1]
    assert report.row("rec").disagreements == [1] and report.row("hap").disagreements == []
    check_report(codings, ["AB", "CD"], TURNS)


def test_a_coder_silent_everywhere():
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("AB", A1.start, A1.start + 40, "rec")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    assert report.overall.units_agreed == 0 and report.overall.kappa == 0.0
    check_report(codings, ["AB", "CD"], TURNS)


def test_multi_code_units_compare_whole_sets_overall_and_presence_per_code():
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("AB", P1.start, P1.start + 50, "rec"),
               coded("CD", P1.start, P1.start + 50, "hap"),
               coded("AB", A1.start, A1.start + 40, "hap"), coded("CD", A1.start, A1.start + 40, "hap"),
               coded("AB", P2.start, P2.start + 30, "rec"), coded("CD", P2.start + 5, P2.start + 30, "rec"),
               coded("CD", P2.start + 10, P2.start + 20, "hap")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    first = report.units[0]
    assert first.codes("AB") == {"hap", "rec"} and first.codes("CD") == {"hap"} and not first.agreed
    assert report.overall.disagreements == [0, 2]
    assert report.row("hap").disagreements == [2] and report.row("rec").disagreements == [0]
    check_report(codings, ["AB", "CD"], TURNS)


def test_overlapping_spans_of_different_length_are_one_agreed_unit_but_cost_characters():
    codings = [coded("AB", P1.start, P1.end, "hap"), coded("CD", P1.start + 30, P1.start + 60, "hap")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    [unit] = report.units
    assert (unit.start, unit.end) == (P1.start, P1.end) and unit.agreed
    assert report.overall.percent_units == 100.0
    assert report.row("hap").kappa < 1 and report.row("hap").u_alpha < 1
    assert [(s.start, s.end, s.coded_by) for s in report.segments] == [
        (P1.start, P1.start + 30, ("AB",)), (P1.start + 60, P1.end, ("AB",))]
    check_report(codings, ["AB", "CD"], TURNS)


def test_touching_codings_are_separate_units_and_chains_are_one():
    codings = [coded("AB", P1.start, P1.start + 20, "hap"), coded("CD", P1.start + 20, P1.start + 40, "hap"),
               coded("AB", A1.start, A1.start + 20, "hap"), coded("CD", A1.start + 15, A1.start + 50, "rec"),
               coded("AB", A1.start + 45, A1.start + 70, "hap")]
    units = align(codings, ["AB", "CD"])
    assert [(u.start, u.end) for u in units] == [(P1.start, P1.start + 20), (P1.start + 20, P1.start + 40),
                                                (A1.start, A1.start + 70)]
    assert [len(u.by_coder["AB"]) for u in units] == [1, 0, 2]
    check_report(codings, ["AB", "CD"], TURNS)


def test_units_across_turns_with_different_roles_count_under_each_role():
    across = coded("AB", P1.end - 20, A1.start + 30, "hap")  # the end of P1's turn, a label, Ansatt 1's start
    codings = [across, coded("CD", P1.end - 10, P1.end, "hap"), coded("AB", P2.start, P2.start + 20, "rec"),
               coded("CD", P2.start, P2.start + 20, "rec"),
               coded("AB", 0, 10, "rec"), coded("CD", 2, 12, "rec")]  # in the interviewer's question
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    assert report.unit_roles == [(OUTSIDE,), ("pasient", "ansatt"), ("pasient",)]
    assert report.row(None, "role", "pasient").units == 2 and report.row(None, "role", "ansatt").units == 1
    assert report.row(None, "role", OUTSIDE).units == 1 and report.row(None, "role", OUTSIDE).kappa is None
    # κ counts each character under its own turn's role; the label between the turns counts nowhere.
    roles = {s.role for s in report.segments}
    assert roles == {"pasient", "ansatt"}
    assert all(s.start >= t.start and s.end <= t.end for s in report.segments
               for t in TURNS["T1"] if t.start <= s.start < t.end)
    check_report(codings, ["AB", "CD"], TURNS)


def test_other_coders_and_other_transcripts_are_left_out():
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("CD", P1.start, P1.start + 50, "hap"),
               coded("consensus", P1.start, P1.end, "rec"), Coded(9, "T9", 0, 10, "rec", "AB")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=0)
    assert len(report.units) == 1 and report.codes == ["hap"] and report.overall.alpha is None  # one value only
    assert set(report.units[0].by_coder) == {"AB", "CD"}


def test_undefined_figures_are_none():
    codings = [coded("AB", P1.start, P1.start + 50, "hap"), coded("CD", P1.start, P1.start + 50, "hap")]
    report = agreement_report(codings, ["AB", "CD"], TURNS, bootstrap=100)
    assert report.overall.alpha is None  # every value the same: {hap} against {hap}
    assert report.overall.alpha_low is None
    assert report.overall.kappa == 1.0  # characters outside the unit are agreed absences
    assert report.row(None, "role", "ansatt").kappa is None  # nobody coded the staff turn: κ undefined


def test_align_sorts_by_transcript_and_start_and_every_coder_is_a_key():
    codings = [Coded(1, "T2", 5, 9, "a", "AB"), Coded(2, "T1", 50, 60, "a", "CD"), Coded(3, "T1", 3, 8, "b", "AB"),
               Coded(4, "T1", 6, 12, "a", "CD"), Coded(5, "T1", 30, 30, "a", "AB")]  # an empty span is ignored
    units = align(codings, ["AB", "CD", "EF"])
    assert [(u.transcript, u.start, u.end) for u in units] == [("T1", 3, 12), ("T1", 50, 60), ("T2", 5, 9)]
    assert all(set(u.by_coder) == {"AB", "CD", "EF"} for u in units)
    assert units[0].codes("AB") == {"b"} and units[0].codes("EF") == frozenset()
    assert [u.start for u in align(codings, ["AB", "CD"], transcript_order=["T2", "T1"])] == [5, 3, 50]
    from qualcode.core.agreement import disagreements

    assert disagreements(units) == units  # nobody agrees anywhere here
    assert disagreements(align([Coded(1, "T1", 0, 5, "a", "AB"), Coded(2, "T1", 1, 4, "a", "CD")], ["AB", "CD"])) == []


def test_fewer_than_two_coders_or_a_coder_twice_is_refused():
    with pytest.raises(ValueError):
        agreement_report([], ["AB"], TURNS)
    with pytest.raises(ValueError):
        align([], ["AB", "AB"])


# --- unitized α --------------------------------------------------------------------------------------


def test_u_alpha_reproduces_krippendorffs_worked_example():
    """Krippendorff (2004, p. 254), as DKPro Statistics tests it: continuum 150–450, two coders."""
    sections = [("i", "c", 225, 295), ("i", "c", 370, 400), ("j", "c", 220, 300), ("j", "c", 355, 375),
                ("j", "c", 400, 420), ("i", "k", 180, 240), ("i", "k", 300, 350), ("j", "k", 180, 240),
                ("j", "k", 300, 350)]
    result = unitized_alpha(sections, ["i", "j"], 150, 450)
    c, k = result.by_category["c"], result.by_category["k"]
    assert abs(c.observed - 0.0144) < 1e-4 and abs(c.expected - 0.0532) < 1e-4 and abs(c.alpha - 0.7286) < 1e-4
    assert k.observed == 0 and abs(k.expected - 0.0490) < 1e-4 and k.alpha == 1.0
    assert abs(result.alpha - 0.8591) < 5e-4


@pytest.mark.parametrize("seed", range(6))
def test_u_alpha_matches_the_literal_double_sums(seed):
    rng = random.Random(100 + seed)
    turns = {"T1": random_turns(rng, 1200)}
    coders = ["AB", "CD", "EF"][: 2 + seed % 2]
    codings = random_codings(rng, turns, coders, ["hap", "rec"], n=15)
    report = agreement_report(codings, coders, turns, bootstrap=0)
    ua, per = brute_u_alpha(codings, coders, turns)
    assert close(report.overall.u_alpha, ua)
    assert all(close(report.row(code).u_alpha, per.get(code)) for code in report.codes)


# --- the bootstrap ------------------------------------------------------------------------------------


def bootstrap_data():
    rng = random.Random(42)
    turns = {"T1": random_turns(rng, 12000)}
    return turns, random_codings(rng, turns, ["AB", "CD"], ["hap", "rec", "hverdag"], n=260)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    turns, codings = bootstrap_data()
    a = agreement_report(codings, ["AB", "CD"], turns, bootstrap=300, seed=7)
    b = agreement_report(codings, ["AB", "CD"], turns, bootstrap=300, seed=7)
    c = agreement_report(codings, ["AB", "CD"], turns, bootstrap=300, seed=8)
    key = lambda r: [(x.alpha_low, x.alpha_high) for x in r.rows]  # noqa: E731
    assert key(a) == key(b) and key(a) != key(c)
    for row in [a.overall] + a.per_code() + a.per_role() + a.per_transcript():
        assert row.alpha_low <= row.alpha <= row.alpha_high
    assert agreement_report(codings, ["AB", "CD"], turns, bootstrap=0).overall.alpha_low is None


def test_bootstrap_interval_agrees_with_a_naive_bootstrap_through_krippendorff():
    turns, codings = bootstrap_data()
    report = agreement_report(codings, ["AB", "CD"], turns, bootstrap=2000, seed=3)
    units = [[u.codes(c) for u in report.units] for c in ("AB", "CD")]
    rng = np.random.default_rng(99)
    alphas = []
    for _ in range(600):
        pick = rng.integers(0, len(report.units), len(report.units))
        value = ref_alpha([[row[i] for i in pick] for row in units])
        if value is not None:
            alphas.append(value)
    low, high = np.percentile(alphas, [2.5, 97.5])
    o = report.overall
    assert abs(o.alpha_low - low) < 0.04 and abs(o.alpha_high - high) < 0.04
    assert o.alpha_high - o.alpha_low > 0.05  # a real interval, not a point


@pytest.mark.parametrize("seed", range(3))
def test_theme_rows_are_the_figures_of_codings_relabelled_to_their_theme(seed):
    rng = random.Random(200 + seed)
    turns = {"T1": random_turns(rng), "T2": random_turns(rng, 1000)}
    codings = random_codings(rng, turns, ["AB", "CD"], ["hap", "hap-sol", "hap-gjen", "rec"], n=30)
    themes = {"hap": "hap", "hap-sol": "hap", "hap-gjen": "hap", "rec": "rec"}
    report = agreement_report(codings, ["AB", "CD"], turns, themes=themes, bootstrap=0)
    relabelled = [Coded(c.id, c.transcript, c.start, c.end, themes[c.code], c.coder) for c in codings]
    check_report(relabelled, ["AB", "CD"], turns)  # the plain report on these is right ...
    plain = agreement_report(relabelled, ["AB", "CD"], turns, bootstrap=0)
    assert report.themes == ["hap", "rec"]
    for theme in report.themes:  # ... and the theme rows are the same figures
        ours = next(r for r in report.theme_rows if r.code == theme)
        want = plain.row(theme)
        assert (ours.alpha, ours.kappa, ours.u_alpha, ours.units_agreed, ours.characters_agreed) == \
            (want.alpha, want.kappa, want.u_alpha, want.units_agreed, want.characters_agreed)
        assert [report.theme_segments[i] for i in ours.segments] == [plain.segments[i] for i in want.segments]
    assert report.rows == agreement_report(codings, ["AB", "CD"], turns, bootstrap=0).rows  # codes untouched
