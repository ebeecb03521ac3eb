"""Agreement over 10,000 codings and 50 codes: our time beside the reference packages'.

Generates eight transcripts of invented focus-group turns (patients, staff, an interviewer) and
codings by two coders (and then three) that mostly agree: each coder marks the same meaning units
with jittered boundaries, sometimes another code, sometimes a unit the other did not mark.

Prints, for 2 and 3 coders:

* the full report (α with 1000 bootstrap resamples for overall and every code, κ per code and
  pooled, uα, per transcript and per role, every disagreement listed);
* α alone (overall and per code, no bootstrap) against ``krippendorff.alpha`` on the same
  reliability data (the matrices built from our aligned units, building them not timed);
* κ alone (per code and pooled, all characters) against ``sklearn.metrics.cohen_kappa_score``
  on per-character vectors of the participant text (building them not timed).

A figure, not a test: nothing here asserts a time. The goal is under 1 s for the full report.

    .venv/bin/python bench/bench_agreement.py [--codings 10000] [--codes 50] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from qualcode.core.agreement import Coded, Figures, agreement_report, align
from qualcode.core.coverage import participant_spans
from qualcode.core.models import Turn

ROLES = ["pasient", "ansatt", "moderator"]


def make_transcripts(rng: random.Random, n: int = 20, length: int = 80_000) -> dict[str, list[Turn]]:
    """``n`` transcripts of ``length`` characters: an interviewer's question, then two or three answers."""
    out = {}
    for t in range(n):
        turns, pos, i = [], 0, 0
        while pos < length:
            role = "moderator" if i % 3 == 0 else rng.choice(["pasient", "ansatt"])
            said = rng.randint(150, 900) if role != "moderator" else rng.randint(30, 150)
            start = pos + 6  # a label such as "P1: "
            turns.append(Turn(index=i, speaker=f"{role[:2]}{rng.randint(1, 4)}", role=role, start=start,
                              end=start + said))
            pos, i = start + said + 1, i + 1
        out[f"T{t + 1}"] = turns
    return out


def make_codings(rng: random.Random, transcripts: dict[str, list[Turn]], n: int, n_codes: int,
                 coders: list[str]) -> list[Coded]:
    """About ``n`` codings: shared meaning units, each coder's jittered copy, some own units."""
    codes = [f"k{i:02d}" for i in range(n_codes)]
    slots = []  # candidate meaning units: stretches of participant turns, in order, with gaps
    for tid, turns in transcripts.items():
        for s, e in participant_spans(turns):
            pos = s
            while e - pos > 60:
                a = pos + rng.randint(0, 40)
                b = min(e, a + rng.randint(40, 260))
                slots.append((tid, a, b))
                pos = b + rng.randint(10, 120)
    rng.shuffle(slots)
    per_coder = n // len(coders)
    shared, own = slots[:int(per_coder * 0.9)], slots[int(per_coder * 0.9):]
    out, next_id = [], 1
    for coder in coders:
        mine = []
        for tid, a, b in shared:
            if rng.random() < 0.06:
                continue  # this coder did not mark it
            ja, jb = a + rng.randint(-10, 10), b + rng.randint(-10, 10)
            truth = codes[(a * 7919 + int(tid[1:])) % n_codes]
            mine.append((tid, ja, jb, truth if rng.random() < 0.88 else rng.choice(codes)))
            if rng.random() < 0.05:  # a second code on the same unit
                mine.append((tid, ja, jb, rng.choice(codes)))
        while len(mine) < per_coder and own:
            tid, a, b = own.pop()
            mine.append((tid, a, b, rng.choice(codes)))
        for tid, a, b, code in mine[:per_coder]:
            out.append(Coded(next_id, tid, a, b, code, coder))
            next_id += 1
    return out


def timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def run(n_codings: int, n_codes: int, n_coders: int, bootstrap: int) -> None:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(7)
    transcripts = make_transcripts(rng)
    coders = ["AB", "CD", "EF"][:n_coders]
    codings = make_codings(rng, transcripts, n_codings, n_codes, coders)
    chars = sum(e - s for turns in transcripts.values() for s, e in participant_spans(turns))
    print(f"\n{n_coders} coders: {len(codings)} codings, {n_codes} codes, {len(transcripts)} transcripts, "
          f"{chars:,} participant characters")

    full, report = timed(lambda: agreement_report(codings, coders, transcripts, bootstrap=bootstrap, seed=1))
    print(f"  full report ({bootstrap} resamples, {len(report.units)} units, "
          f"{len(report.overall.disagreements)} disagreeing, {len(report.segments)} character segments): "
          f"{full * 1000:7.0f} ms   alpha {report.overall.alpha:.3f}  kappa {report.overall.kappa:.3f}  "
          f"u-alpha {report.overall.u_alpha:.3f}")

    # α alone (overall and per code, no intervals: align + unit_alphas, as the report computes them)
    # against krippendorff.alpha per code on the same reliability data (building it not timed). The
    # overall α (a coder's value is their set of codes) is left out of the reference timing:
    # krippendorff builds a units × values × values array, and with hundreds of distinct code sets it
    # does not fit in memory.
    from qualcode.core.agreement import unit_alphas

    codes = sorted({c.code for c in codings})

    def ours_alpha():
        return unit_alphas(align(codings, coders), coders, codes)

    t_alpha, (_, ours_codes) = timed(ours_alpha)
    units = align(codings, coders)
    code_data = [np.array([[float(code in u.codes(c)) for u in units] for c in coders]) for code in codes]

    def reference_alpha():
        return [krippendorff.alpha(reliability_data=d, level_of_measurement="nominal") for d in code_data]

    t_ref_alpha, ref_codes = timed(reference_alpha)
    worst = max(abs(ours_codes[k] - r) for k, r in zip(codes, ref_codes))
    print(f"  alpha: align + overall + {len(codes)} codes over {len(units)} units: {t_alpha * 1000:6.0f} ms   "
          f"krippendorff, {len(codes)} codes: {t_ref_alpha * 1000:6.0f} ms   ratio {t_alpha / t_ref_alpha:5.2f}   "
          f"max |diff| {worst:.1e}")

    # κ alone (per code and pooled, every pair of coders) against cohen_kappa_score on per-character
    # vectors of the participant text (building them not timed).
    from qualcode.core.agreement import _Measure, _Space  # the κ part of the report, timed alone

    def ours_kappa():
        space = _Space(transcripts)
        measure = _Measure(coders, list(transcripts), space.roles, [], [], space, codings, codes, None, [], 0,
                           np.random.default_rng(0))
        measure._segments_in = {}
        overall = Figures("all", None, None)
        rows = [Figures("all", None, k) for k in codes]
        measure._fill_characters(measure._characters(), "all", None, overall, rows)
        return overall, rows

    t_kappa, (overall, rows) = timed(ours_kappa)
    offsets: dict[str, list[tuple[int, int, int]]] = {}
    base = 0
    for tid, turns in transcripts.items():
        for s, e in participant_spans(turns):
            offsets.setdefault(tid, []).append((s, e, base))
            base += e - s
    vectors = {(c, k): np.zeros(base, dtype=np.int8) for c in coders for k in codes}
    for c in codings:
        for s, e, b in offsets[c.transcript]:
            lo, hi = max(s, c.start), min(e, c.end)
            if hi > lo:
                vectors[(c.coder, c.code)][b + lo - s:b + hi - s] = 1
    pairs = list(itertools.combinations(coders, 2))

    def reference_kappa():
        out = []
        for a, b in pairs:
            out += [cohen_kappa_score(vectors[(a, k)], vectors[(b, k)]) for k in codes]
            out.append(cohen_kappa_score(np.concatenate([vectors[(a, k)] for k in codes]),
                                         np.concatenate([vectors[(b, k)] for k in codes])))
        return out

    t_ref_kappa, reference = timed(reference_kappa, repeat=1)
    ours = []
    for p in range(len(pairs)):
        ours += [row.kappa_pairs[p].kappa for row in rows] + [overall.kappa_pairs[p].kappa]
    worst = max(abs(a - b) for a, b in zip(ours, reference))
    print(f"  kappa: {len(codes)} codes + pooled, {len(pairs)} pair(s), {chars:,} characters: {t_kappa * 1000:6.0f} ms   "
          f"sklearn: {t_ref_kappa * 1000:6.0f} ms   ratio {t_kappa / t_ref_kappa:6.4f}   max |diff| {worst:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=10_000)
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    for n_coders in (2, 3):
        run(args.codings, args.codes, n_coders, args.bootstrap)


if __name__ == "__main__":
    main()
