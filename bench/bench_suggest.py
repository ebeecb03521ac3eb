"""Suggestion bench: code suggestions measured on invented studies they were not tuned on.

Each study under bench/gold/studies/ (see its README) is loaded into a fresh project the way a
user would: ``Project.create`` with the study's codebook, its transcripts imported by qualcode's
own importer from the study's manifest (roles from the speaker labels). Then, for each coder and
each of that coder's gold meaning units, the real :class:`qualcode.nlp.suggest.Suggester` is asked
for the top three codes of the unit's span, in two settings:

* **cold**: no codings in the project, only the codebook;
* **leave-one-out (LOO)**: all of that coder's *other* units coded in the project; the unit
  itself and the other coder's units absent (the Suggester is rebuilt for every unit);
* **forward**: only that coder's units *before* the unit (transcripts in the manifest's order)
  coded, as when a coder works through the transcripts: LOO also has the units after it, which a
  coder working forward has not coded yet (the turn after a span counts as its context).

A study whose codebook has example utterances is also run cold without them (``... no
examples``), since a codebook with definitions only is what the held-out study has.

Figures: P@1 (the top suggestion is one of the unit's codes), R@3 (the share of the unit's codes
among the top three), coverage (share of units with any suggestion), sure (share of units whose
top suggestion is not marked weak, and P@1 counting only those: the figure as it was when weak
suggestions were not shown), per code (support, top
picks and their precision, recall at 1 and 3), the commonest confusions (gold code -> top pick),
and the wall and CPU time per ``suggest`` call after analysis (mean, 95th percentile), with the
time to rebuild the Suggester after a coding changed. Baselines from the same run on the same
units: **keyword** (the code whose codebook keywords, matched on lowercased word forms, occur
most; ties by the coder's most frequent code among their other units, cold by codebook order;
then, LOO only, filled with the most frequent codes: cold has no frequencies, so a unit with
no keyword gets no baseline suggestion) and **frequency** (the coder's most frequent codes
among their other units; LOO only). The held-out study is printed separately, labelled HELD
OUT; the old gold set (bench/gold/suggestions.yaml, which the weights were tuned on) follows, run
the way bench_nlp.py runs it, for comparison.

    QUALCODE_SPACY_MODEL=../shared/models/nb_ud_norne_sm python bench/bench_suggest.py
    python bench/bench_suggest.py --study hjemmetjeneste --quick 20 --model basic
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.core.codebook import Codebook, load_codebook
from qualcode.core.units import NewUnit
from qualcode.core.yamlfile import parse_yaml, read_text_file
from qualcode.importers.manifest import Manifest, load_manifest
from qualcode.store import Project

STUDIES = ROOT / "bench" / "gold" / "studies"
HELD_OUT = ("ungdom-nav", "familie-rus", "fact-team")  # never tuned on; always reported on their own
UNIT_KEYS = {"transcript", "coder", "quote", "codes", "occurrence"}
_WORD = re.compile(r"\w+")


class StudyError(Exception):
    """A study folder that does not hold together (file:line: message)."""


@dataclass(slots=True)
class GoldUnit:
    transcript: str  # file name, as in the manifest
    coder: str
    quote: str
    codes: list[str]
    line: int
    occurrence: int = 1
    tid: str = ""
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class Study:
    name: str
    folder: Path
    manifest: Manifest
    codebook: Codebook
    units: list[GoldUnit]

    @property
    def held_out(self) -> bool:
        return self.name in HELD_OUT

    @property
    def coders(self) -> list[str]:
        return sorted({u.coder for u in self.units})


def study_names() -> list[str]:
    """The studies in bench/gold/studies/, the tuned ones first."""
    names = sorted(p.name for p in STUDIES.iterdir() if (p / "manifest.yaml").exists())
    return sorted(names, key=lambda n: n in HELD_OUT)


def load_study(name: str, folder: Path | None = None) -> Study:
    """A study's manifest, codebook and gold units; every problem raised as StudyError."""
    from qualcode.core.errors import UserError

    folder = folder or STUDIES / name
    try:
        manifest = load_manifest(folder / "manifest.yaml")
        if manifest.codebook is None:
            raise StudyError(f"{folder / 'manifest.yaml'}: names no codebook")
        codebook = load_codebook(manifest.codebook)
        gold_path = folder / "gold.yaml"
        data = parse_yaml(read_text_file(gold_path, "gold codings"), str(gold_path))
    except UserError as exc:
        raise StudyError(str(exc)) from None
    if not isinstance(data, list):
        raise StudyError(f"{gold_path}: the gold codings must be a list of units")
    files = {entry.file.name for entry in manifest.entries}
    known = {c.id for c in codebook.codes if c.codable}
    units = []
    for item in data:
        line = item.get("__line__", 0) if isinstance(item, dict) else 0
        where = f"{gold_path}:{line}"
        if not isinstance(item, dict):
            raise StudyError(f"{where}: each unit must be a mapping")
        unknown = {k for k in item if not k.startswith("__")} - UNIT_KEYS
        if unknown:
            raise StudyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        codes = item.get("codes")
        if not item.get("quote") or not item.get("coder") or not isinstance(codes, list) or not codes:
            raise StudyError(f"{where}: a unit needs transcript, coder, quote and a list of codes")
        if str(item.get("transcript")) not in files:
            raise StudyError(f"{where}: transcript {item.get('transcript')!r} is not in the manifest")
        bad = [c for c in codes if str(c) not in known]
        if bad:
            raise StudyError(f"{where}: code(s) not codable in the codebook: {', '.join(map(str, bad))}")
        units.append(GoldUnit(str(item["transcript"]), str(item["coder"]), str(item["quote"]),
                              [str(c) for c in codes], line, int(item.get("occurrence") or 1)))
    return Study(name, folder, manifest, codebook, units)


def build_project(study: Study, path: Path) -> Project:
    """A fresh project with the study's codebook and transcripts, imported as `qualcode import
    --manifest` imports them; each gold unit located (exactly) in its transcript's text."""
    from qualcode.cli.transcript_commands import import_manifest

    project = Project.create(path, name=study.name, codebook=study.codebook)
    if import_manifest(project, study.manifest, quiet=True):
        project.close()
        raise StudyError(f"{study.folder}: a transcript failed to import (see above)")
    by_file = {Path(t.source_path).name: t.id for t in project.transcripts() if t.source_path}
    texts = {tid: project.text(tid) for tid in by_file.values()}
    for unit in study.units:
        unit.tid = by_file[unit.transcript]
        hits = find_all(texts[unit.tid], unit.quote)
        if len(hits) < unit.occurrence or (len(hits) > 1 and unit.occurrence == 1):
            raise StudyError(f"{study.folder / 'gold.yaml'}:{unit.line}: the quote occurs {len(hits)} time(s) in "
                             f"{unit.transcript}; it must occur once, or say occurrence: N")
        unit.start = hits[unit.occurrence - 1]
        unit.end = unit.start + len(unit.quote)
    return project


def find_all(text: str, needle: str) -> list[int]:
    hits, pos = [], text.find(needle)
    while pos >= 0:
        hits.append(pos)
        pos = text.find(needle, pos + 1)
    return hits


# --- baselines -----------------------------------------------------------------------------------


def keyword_table(book: Codebook) -> list[tuple[str, list[tuple[str, ...]]]]:
    """(code, its keywords as sequences of lowercased word forms), codable codes in codebook order."""
    return [(c.id, [tuple(_WORD.findall(k.lower())) for k in c.keywords if _WORD.findall(k)])
            for c in book.codes if c.codable]


def keyword_counts(table, text: str) -> dict[str, int]:
    words = _WORD.findall(text.lower())
    counts = {}
    for code, keywords in table:
        n = sum(1 for kw in keywords for i in range(len(words) - len(kw) + 1) if tuple(words[i:i + len(kw)]) == kw)
        if n:
            counts[code] = n
    return counts


def by_frequency(order: Sequence[str], freq: Counter) -> list[str]:
    """Codes, the most frequent first, ties in codebook order."""
    return sorted(order, key=lambda c: (-freq[c], order.index(c)))


def keyword_baseline(table, order: Sequence[str], freq: Counter | None, text: str, top: int = 3) -> list[str]:
    """Codes by keyword count, ties by ``freq`` then codebook order, then filled with the most
    frequent codes. Cold (``freq`` None) there is nothing to fill with: the codebook order of
    the codes would be an arbitrary guess, so units without a keyword get no suggestion."""
    counts = keyword_counts(table, text)
    freq = freq or Counter()
    ranked = sorted(counts, key=lambda c: (-counts[c], -freq[c], order.index(c)))
    if freq:
        ranked += [c for c in by_frequency(order, freq) if c not in counts]
    return ranked[:top]


# --- scoring -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Scored:
    """One method's ranked codes per unit, in one setting."""

    gold: list[list[str]] = field(default_factory=list)
    found: list[list[str]] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    best: list[Any] = field(default_factory=list)  # the top Suggestion (the suggester only), or None

    def add(self, unit: GoldUnit, found: list[str], best: Any = None) -> None:
        self.gold.append(unit.codes)
        self.found.append(found)
        self.coders.append(unit.coder)
        self.best.append(best)

    def autocode(self, min_score: float) -> tuple[float, float]:
        """What autocode would do at ``min_score`` on these units: (share coded, share right)."""
        from qualcode.nlp.autocode import autocode_takes

        taken = [(g, b) for g, b in zip(self.gold, self.best) if b is not None and autocode_takes(b, min_score)]
        right = sum(b.code in g for g, b in taken)
        return len(taken) / max(1, len(self.gold)), right / len(taken) if taken else 0.0

    def p1(self, coder: str | None = None) -> float:
        rows = [(g, f) for g, f, c in zip(self.gold, self.found, self.coders) if coder in (None, c)]
        return sum(bool(f) and f[0] in g for g, f in rows) / max(1, len(rows))

    def r3(self) -> float:
        return sum(len(set(f[:3]) & set(g)) / len(g) for g, f in zip(self.gold, self.found)) / max(1, len(self.gold))

    def coverage(self) -> float:
        return sum(bool(f) for f in self.found) / max(1, len(self.found))

    def sure(self) -> tuple[float, float]:
        """(share of units whose top suggestion is not weak, P@1 counting only those): the figures
        as they were when weak suggestions were not shown."""
        rows = [(g, b) for g, b in zip(self.gold, self.best) if b is not None and not b.weak]
        return len(rows) / max(1, len(self.gold)), sum(b.code in g for g, b in rows) / max(1, len(self.gold))

    def weak(self) -> tuple[int, float]:
        """(units whose top suggestion is weak, the right share of those)."""
        rows = [(g, b) for g, b in zip(self.gold, self.best) if b is not None and b.weak]
        return len(rows), sum(b.code in g for g, b in rows) / max(1, len(rows))

    def per_code(self, code: str) -> tuple[int, int, float, float, float]:
        """support, top picks, precision of the picks, recall at 1, recall at 3."""
        support = sum(code in g for g in self.gold)
        picks = [g for g, f in zip(self.gold, self.found) if f and f[0] == code]
        right = sum(code in g for g in picks)
        at3 = sum(code in g and code in f[:3] for g, f in zip(self.gold, self.found))
        return (support, len(picks), right / len(picks) if picks else 0.0,
                right / support if support else 0.0, at3 / support if support else 0.0)

    def confusions(self) -> Counter:
        return Counter((g[0], f[0] if f else "(none)") for g, f in zip(self.gold, self.found) if not (f and f[0] in g))


@dataclass(slots=True)
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rebuild: list[float] = field(default_factory=list)
    suggestions: int = 0
    explained: int = 0


def timed_suggest(suggester, unit: GoldUnit, timing: Timing, scored: Scored) -> None:
    w0, c0 = time.perf_counter(), time.process_time()
    found = suggester.suggest(unit.tid, unit.start, unit.end, top=3)
    timing.wall.append(time.perf_counter() - w0)
    timing.cpu.append(time.process_time() - c0)
    timing.suggestions += len(found)
    timing.explained += sum(1 for s in found if s.evidence)
    scored.add(unit, [s.code for s in found], found[0] if found else None)


def run_study(study: Study, pipeline, folder: Path, *, coders: Sequence[str] | None = None,
              limit: int | None = None) -> dict[str, Any]:
    """Score the suggester and the baselines, cold and leave-one-out, on one study."""
    from qualcode.nlp import expansion
    from qualcode.nlp.analysis import analyse
    from qualcode.nlp.suggest import Suggester

    project = build_project(study, folder / f"{study.name}.qualcode")
    try:
        analyse(project, [t.id for t in project.transcripts()], pipeline=pipeline)  # timings are after analysis
        order = [c.id for c in study.codebook.codes if c.codable]
        table = keyword_table(study.codebook)
        coders = list(coders or study.coders)
        per_coder = {c: [u for u in study.units if u.coder == c][:limit] for c in coders}
        scores = {k: Scored() for k in ("cold", "cold-kw", "loo", "loo-kw", "loo-freq", "fwd")}
        tids = [t.id for t in project.transcripts()]
        timing = {"cold": Timing(), "loo": Timing()}
        expansion._EXPANSIONS.clear()  # the first cold build reads the turns that fit each code
        for _ in range(2):
            w0 = time.perf_counter()
            cold = Suggester(project, pipeline)
            timing["cold"].rebuild.append(time.perf_counter() - w0)
        # A codebook with examples is also run without them: the held-out study has none.
        bare = Suggester(project, pipeline, use_examples=False) if has_examples(study.codebook) else None
        for coder in coders:
            for unit in per_coder[coder]:
                timed_suggest(cold, unit, timing["cold"], scores["cold"])
                if bare is not None:
                    timed_suggest(bare, unit, Timing(), scores.setdefault("cold-bare", Scored()))
                scores["cold-kw"].add(unit, keyword_baseline(table, order, None, unit.quote))
            everything = [u for u in study.units if u.coder == coder]  # LOO uses all the coder's other units
            ids = dict(zip(_keys(everything), _insert(project, everything)))
            for unit in per_coder[coder]:
                others = Counter(c for u in everything if u is not unit for c in u.codes)
                for coding_id in ids[id(unit)]:
                    project.delete_coding(coding_id)
                w0 = time.perf_counter()
                suggester = Suggester(project, pipeline)
                timing["loo"].rebuild.append(time.perf_counter() - w0)
                timed_suggest(suggester, unit, timing["loo"], scores["loo"])
                scores["loo-kw"].add(unit, keyword_baseline(table, order, others, unit.quote))
                scores["loo-freq"].add(unit, by_frequency(order, others)[:3])
                ids[id(unit)] = _insert(project, [unit])[0]
            for coding_ids in ids.values():
                for coding_id in coding_ids:
                    project.delete_coding(coding_id)
            # Coding forward: each unit with only the coder's units before it coded, as when a
            # coder works through the transcripts in order (none after it, unlike LOO).
            ahead = sorted(everything, key=lambda u: (tids.index(u.tid), u.start, u.end))
            made: list[int] = []
            for n, unit in enumerate(ahead):
                if limit is None or n < limit:
                    timed_suggest(Suggester(project, pipeline), unit, Timing(), scores["fwd"])
                made += _insert(project, [unit])[0]
            for coding_id in made:
                project.delete_coding(coding_id)
        return {"study": study, "coders": coders, "units": {c: len(v) for c, v in per_coder.items()},
                "scores": scores, "timing": timing, "order": order}
    finally:
        project.close()


def has_examples(book: Codebook) -> bool:
    return any(text.strip() for c in book.codes for text in c.examples)


def _keys(units: list[GoldUnit]) -> list[int]:
    return [id(u) for u in units]


def _insert(project: Project, units: list[GoldUnit]) -> list[list[int]]:
    """Store units (one coding per code), as a coder would have; their coding ids per unit."""
    rows = [NewUnit(u.tid, u.start, u.end, code, u.coder) for u in units for code in u.codes]
    new = iter(project.insert_units(rows))
    return [[next(new) for _ in u.codes] for u in units]


# --- printing ------------------------------------------------------------------------------------

METHODS = [("cold", "cold", "suggester"), ("cold", "cold-bare", "... no examples"), ("cold", "cold-kw", "keyword baseline"),
           ("LOO", "loo", "suggester"), ("LOO", "loo-kw", "keyword baseline"),
           ("LOO", "loo-freq", "frequency baseline"), ("forward", "fwd", "suggester")]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)] if values else 0.0


def ms(values: list[float]) -> str:
    """mean/p95 in milliseconds."""
    return f"{1000 * statistics.fmean(values):.1f}/{1000 * p95(values):.1f}" if values else "-"


GOAL_MS = 100  # issue 13: fast enough to show while the coder reads, per span, after analysis


def print_study(result: dict[str, Any], pipeline) -> None:
    study: Study = result["study"]
    scores: dict[str, Scored] = result["scores"]
    coders = result["coders"]
    label = "HELD OUT (never tuned on)" if study.held_out else "tuning study"
    units = " + ".join(f"{c} {n}" for c, n in result["units"].items())
    print(f"== {study.name}: {label}; {len(study.manifest.entries)} transcripts, {len(result['order'])} codable "
          f"codes, units {units}; {pipeline.label}")
    print(f"   {'setting':<8}{'method':<20}{'P@1':>6}{'R@3':>7}{'cover':>7}{'sure':>6}{'P@1 sure':>10}   P@1 per coder")
    for setting, key, name in METHODS:
        if key not in scores:
            continue
        s = scores[key]
        per = " / ".join(f"{c} {s.p1(c):.2f}" for c in coders)
        sure = ""
        if any(b is not None for b in s.best):
            share, p1 = s.sure()
            sure = f"{100 * share:5.0f}%{p1:10.2f}"
        print(f"   {setting:<8}{name:<20}{s.p1():6.2f}{s.r3():7.2f}{100 * s.coverage():6.0f}%{sure:<16}   {per}")
    weak = "; ".join(f"{name} {n} units, {100 * right:.0f}% right" for key, name in
                     (("cold", "cold"), ("cold-bare", "no examples"), ("loo", "LOO")) if key in scores
                     for n, right in [scores[key].weak()])
    print("   (sure: units whose top suggestion is not weak, and P@1 counting only those; "
          "'no examples': the codebook's examples left out)")
    print(f"   weak top suggestions (shown as a guess): {weak}")
    cold, loo = result["timing"]["cold"], result["timing"]["loo"]
    worst = 1000 * max(p95(cold.wall), p95(loo.wall))
    print(f"   ms per suggest call after analysis, mean/p95: wall cold {ms(cold.wall)}, LOO {ms(loo.wall)} "
          f"(goal p95 < {GOAL_MS} ms: {'met' if worst < GOAL_MS else 'NOT met'}, {worst / GOAL_MS:.2f}x the goal); "
          f"CPU cold {ms(cold.cpu)}, LOO {ms(loo.cpu)}")
    first, again = (1000 * t for t in cold.rebuild[:2])
    print(f"   ms to build the Suggester cold: first {first:.0f} (the corpus statistics and the pass over the turns "
          f"that fit each code), then {again:.0f} (cached: {first / max(again, 1e-3):.1f}x less)")
    print(f"   ms to rebuild the Suggester after a coding change (LOO), mean/p95: wall {ms(loo.rebuild)}; "
          f"suggestions with evidence: {cold.explained + loo.explained}/{cold.suggestions + loo.suggestions}")
    print("   per code (suggester): supp = units with the code; picks = its top picks, prec = right share of them")
    print(f"   {'code':<26}{'supp':>5} | {'cold: picks prec rec@1 rec@3':<30}| LOO: picks prec rec@1 rec@3")
    for code in result["order"]:
        cells = []
        for key in ("cold", "loo"):
            support, picks, prec, rec1, rec3 = scores[key].per_code(code)
            cells.append(f"{picks:>11} {prec:4.2f} {rec1:5.2f} {rec3:5.2f}")
        support = scores["cold"].per_code(code)[0]
        print(f"   {code:<26}{support:>5} | {cells[0]:<30}| {cells[1]}")
    from qualcode.nlp.defaults import AUTOCODE_MIN_SCORE

    points = []
    for threshold in sorted({AUTOCODE_MIN_SCORE, 0.2, 0.3, 0.4, 0.5}):
        share, right = scores["cold"].autocode(threshold)
        mark = " (default)" if threshold == AUTOCODE_MIN_SCORE else ""
        points.append(f"{threshold:.2f}{mark}: codes {100 * share:.0f}%, {100 * right:.0f}% right")
    print("   autocode on these units, cold (min score: share coded, precision): " + "; ".join(points))
    for key, name in (("cold", "cold"), ("loo", "LOO")):
        top = scores[key].confusions().most_common(6)
        print(f"   top confusions {name} (gold -> top pick): " + ", ".join(f"{g} -> {f} {n}" for (g, f), n in top))


def print_old_gold(pipeline) -> None:
    """The old gold set, exactly as bench_nlp.py section 3 runs it (its weights were tuned on it)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_nlp

    print("== bench/gold/suggestions.yaml (the old gold set; the weights were TUNED on it), as bench_nlp.py runs it")
    with tempfile.TemporaryDirectory() as tmp:
        bench_nlp.bench_suggestions([pipeline], Path(tmp))


def load_pipeline_for(model: str | None):
    from qualcode.nlp.model import ENV_VAR, load_pipeline

    name = model or os.environ.get(ENV_VAR)
    if not name or name == "basic":
        return load_pipeline(basic=True)
    return load_pipeline(name)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--study", action="append", help="only this study (repeatable); default: all")
    ap.add_argument("--quick", type=int, nargs="?", const=15, metavar="N",
                    help="one coder, the first N units (default 15), and no old gold set")
    ap.add_argument("--model", help="spaCy model name or path, or 'basic' (default: $QUALCODE_SPACY_MODEL, "
                                    "else basic mode)")
    args = ap.parse_args(argv)
    names = args.study or study_names()
    unknown = [n for n in names if not (STUDIES / n / "manifest.yaml").exists()]
    if unknown:
        ap.error(f"no such study: {', '.join(unknown)} (have: {', '.join(study_names())})")
    pipeline = load_pipeline_for(args.model)
    print(f"suggestion bench; {pipeline.label}; held out: {', '.join(HELD_OUT)}\n")
    names = sorted(names, key=lambda n: n in HELD_OUT)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            study = load_study(name)
            coders = study.coders[:1] if args.quick else None
            if study.held_out and len(names) > 1:
                print("-" * 100)
            print_study(run_study(study, pipeline, Path(tmp), coders=coders, limit=args.quick), pipeline)
            print()
    if not args.quick:
        print_old_gold(pipeline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
