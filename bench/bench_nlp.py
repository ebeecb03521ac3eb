"""NLP bench: quality on held-out data and on an invented gold set, and the analysis pass's speed.

Prints (figures only, no assertions):

1. lemma accuracy (words, punctuation excluded, case-insensitive) and NER precision, recall and
   F1 per type on the NorNE/UD test split in ../shared/models/, beside the model README's
   figures;
2. sentence boundaries on invented spoken turns (bench/gold/sentences.txt), model and basic mode;
3. code suggestions on the invented gold set (bench/gold/suggestions.yaml): precision@1 and
   recall@3, cold (codebook only) and warm (with the seed units coded), model and basic mode;
   then on the evaluation studies (bench/gold/studies: the tuning studies, then the held-out ones,
   printed apart, with baselines beside them);
4. de-identification recall on names planted in an invented transcript (bench/gold/names.txt):
   found by the first pass, and hidden after accepting every finding;
5. speed: ``analyse`` over a generated ~130,000-word corpus against bare ``nlp.pipe`` of the
   same model on the same turn texts with the same batch size, the two run in alternating order;
   medians of ``--repeat`` runs, wall and CPU time (goal: at most 1.3x).

    QUALCODE_SPACY_MODEL=../shared/models/nb_ud_norne_sm python bench/bench_nlp.py [--words 130000]
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.core.codebook import load_codebook
from qualcode.core.deid import find_redactions
from qualcode.core.parsed import ParsedTranscript, ParsedTurn
from qualcode.core.yamlfile import parse_yaml, read_text_file
from qualcode.store import Project
from qualcode.store import deid as store_deid
from qualcode.store.project import RoleRule

GOLD = ROOT / "bench" / "gold"
ANALYSE_BATCH = 256  # the batch size analyse passes to nlp.pipe (qualcode/nlp/analysis.py, _run)
MODELS = ROOT.parent / "shared" / "models"
README_FIGURES = {
    "lemma": 97.0, "NER": (67.1, 66.8, 67.0),
    "F": {"PER": 80.7, "GPE_LOC": 77.4, "DRV": 70.2, "ORG": 54.8, "GPE_ORG": 51.1, "LOC": 35.8,
          "EVT": 25.0, "PROD": 19.5},
}
ROLES = [RoleRule.parse(r) for r in ("P*=pasient", "Ansatt*=ansatt", "Intervjuer=moderator",
                                      "Moderator=moderator", "Deltaker*=pasient", "Kari=pasient",
                                      "Jørgen=pasient")]


def num(n: float) -> str:
    """Norwegian digit grouping: 130 000."""
    return f"{n:,.0f}".replace(",", " ")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)


def make_project(folder: Path, name: str, dialogue: list[tuple[str, str]], codebook=None, title="FG") -> Project:
    project = Project.create(folder / f"{name}.qualcode", codebook=codebook)
    project.import_transcript(ParsedTranscript.from_dialogue(dialogue), title=title, group=title, roles=ROLES)
    return project


# --- 1. NorNE / UD test split --------------------------------------------------------------------


def bench_norne(pipeline) -> None:
    from spacy.tokens import Doc, DocBin

    path = MODELS / "norne_ud_test.spacy"
    if not path.exists():
        print(f"1. NorNE/UD test split: {path} not found, skipped")
        return
    nlp = pipeline.nlp
    gold_docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    inputs = [Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in gold_docs]
    words = right = right_basic = 0
    counts: dict[str, Counter] = defaultdict(Counter)
    for gold, pred in zip(gold_docs, nlp.pipe(inputs)):
        for g, p in zip(gold, pred):
            if g.pos_ == "PUNCT" or g.is_punct:
                continue
            words += 1
            right += g.lemma_.casefold() == p.lemma_.casefold()
            right_basic += g.lemma_.casefold() == p.text.casefold()
        gold_ents = {(e.start, e.end, e.label_) for e in gold.ents}
        pred_ents = {(e.start, e.end, e.label_) for e in pred.ents}
        for label in {e[2] for e in gold_ents | pred_ents}:
            g = {e for e in gold_ents if e[2] == label}
            p = {e for e in pred_ents if e[2] == label}
            counts[label].update(tp=len(g & p), fp=len(p - g), fn=len(g - p))
    print(f"1. NorNE/UD test split ({len(gold_docs)} documents, {num(words)} words without punctuation), "
          f"{pipeline.name} {pipeline.version}")
    print(f"   lemma accuracy (words, case-insensitive): {100 * right / words:5.1f} %   "
          f"README: {README_FIGURES['lemma']:.1f} %   (basic mode, form as lemma: {100 * right_basic / words:.1f} %)")
    total = Counter()
    rows = []
    for label in sorted(counts, key=lambda k: -sum(counts[k].values())):
        c = counts[label]
        total.update(c)
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        rows.append((label, p, r, f, c["tp"] + c["fn"], README_FIGURES["F"].get(label)))
    p, r, f = prf(total["tp"], total["fp"], total["fn"])
    print(f"   NER all types   P {p:5.1f}  R {r:5.1f}  F {f:5.1f}   README: P {README_FIGURES['NER'][0]}  "
          f"R {README_FIGURES['NER'][1]}  F {README_FIGURES['NER'][2]}")
    for label, p, r, f, n, readme in rows:
        flag = "  <- used for de-identification" if label in ("PER", "LOC", "GPE_LOC", "GPE_ORG", "ORG") else ""
        print(f"   {label:<8} P {p:5.1f}  R {r:5.1f}  F {f:5.1f}   (n={n:<4}) README F: "
              f"{'-' if readme is None else f'{readme:.1f}'}{flag}")


# --- 2. sentence boundaries ----------------------------------------------------------------------


def bench_sentences(pipelines, folder: Path) -> None:
    from qualcode.nlp.analysis import get_analysis

    lines = [ln.strip() for ln in (GOLD / "sentences.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    dialogue, gold = [], []
    for n, line in enumerate(lines):
        pieces = line.split(" || ")
        dialogue.append((f"P{n % 4 + 1}", " ".join(pieces)))
        gold.append(pieces)
    project = make_project(folder, "sentences", dialogue)
    turns = project.turns("T1")
    print(f"2. sentence boundaries on {len(lines)} invented spoken turns "
          f"({sum(len(g) - 1 for g in gold)} boundaries inside turns)")
    for pipeline in pipelines:
        analysis = get_analysis(project, "T1", pipeline)
        tp = fp = fn = 0
        for turn, pieces in zip(turns, gold):
            cuts, pos = set(), turn.start
            for piece in pieces[:-1]:
                pos += len(piece) + 1
                cuts.add(pos)
            found = {s for s, _ in analysis.sentence_spans(turn.start, turn.end) if s > turn.start}
            tp += len(found & cuts)
            fp += len(found - cuts)
            fn += len(cuts - found)
        p, r, f = prf(tp, fp, fn)
        print(f"   {pipeline.label:<36} P {p:5.1f}  R {r:5.1f}  F {f:5.1f}")
    project.close()


# --- 3. code suggestions -------------------------------------------------------------------------


def bench_studies(pipeline, folder: Path) -> None:
    """The evaluation studies (bench/bench_suggest.py): the tuning studies, then the held-out ones,
    each beside its keyword and frequency baselines."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_suggest

    print("   the evaluation studies (bench/bench_suggest.py; weights tuned on the tuning studies, never on the "
          "held-out ones):")
    for name in sorted(bench_suggest.study_names(), key=lambda n: n in bench_suggest.HELD_OUT):
        study = bench_suggest.load_study(name)
        bench_suggest.print_study(bench_suggest.run_study(study, pipeline, folder), pipeline)


def bench_suggestions(pipelines, folder: Path) -> None:
    from qualcode.nlp.suggest import Suggester

    spec = parse_yaml(read_text_file(GOLD / "suggestions.yaml", "gold set"), GOLD / "suggestions.yaml")
    book = load_codebook((GOLD / spec["codebook"]).resolve())
    units = spec["units"]
    counters = {"pasient": 0, "ansatt": 0}
    dialogue = []
    for unit in units:
        counters[unit["role"]] += 1
        label = f"P{counters['pasient'] % 6 + 1}" if unit["role"] == "pasient" else f"Ansatt {counters['ansatt'] % 4 + 1}"
        dialogue.append((label, unit["text"]))
    tests = [u for u in units if not u.get("seed")]
    print(f"3. code suggestions on the invented gold set: {len(tests)} units to suggest for, "
          f"{len(units) - len(tests)} seed units, {len(book.codes)} codes (codebooks/et_bedre_liv.yaml)")
    for pipeline in pipelines:
        for warm in (False, True):
            project = make_project(folder, f"suggest-{pipeline.basic}-{warm}", dialogue, codebook=book)
            turns = project.turns("T1")
            if warm:
                for unit, turn in zip(units, turns):
                    if unit.get("seed"):
                        project.add_coding("T1", turn.start, turn.end, unit["codes"][0], "gold")
            suggester = Suggester(project, pipeline)
            p1 = r3 = 0.0
            misses = Counter()
            for unit, turn in zip(units, turns):
                if unit.get("seed"):
                    continue
                found = [s.code for s in suggester.suggest("T1", turn.start, turn.end, top=3)]
                expected = unit["codes"]
                p1 += bool(found) and found[0] in expected
                r3 += len(set(found) & set(expected)) / len(expected)
                if not (found and found[0] in expected):
                    misses[expected[0]] += 1
            n = len(tests)
            setting = "warm (seed units coded)" if warm else "cold (codebook only)  "
            print(f"   {pipeline.label:<36} {setting}  precision@1 {100 * p1 / n:5.1f} %   recall@3 {100 * r3 / n:5.1f} %")
            project.close()


# --- 4. de-identification ------------------------------------------------------------------------

_PLANT = re.compile(r"\{([^|{}]+)\|([A-Z_]+)\}")


def bench_names(pipelines, folder: Path, gold_file: str, title: str) -> None:
    from qualcode.nlp.names import find_names

    lines = [ln for ln in (GOLD / gold_file).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    dialogue, planted_per_turn = [], []
    for line in lines:
        speaker, _, said = line.partition(": ")
        plain, spans, pos, last = [], [], 0, 0
        for m in _PLANT.finditer(said):
            plain.append(said[last:m.start()])
            pos += m.start() - last
            spans.append((pos, pos + len(m.group(1)), m.group(2), m.group(1)))
            plain.append(m.group(1))
            pos += len(m.group(1))
            last = m.end()
        plain.append(said[last:])
        dialogue.append((speaker, "".join(plain)))
        planted_per_turn.append(spans)
    total = sum(len(s) for s in planted_per_turn)
    print(f"{title}: {total} planted name occurrences "
          f"({', '.join(f'{k} {n}' for k, n in Counter(s[2] for t in planted_per_turn for s in t).most_common())})")
    for pipeline in pipelines:
        project = make_project(folder, f"names-{gold_file}-{pipeline.basic}", dialogue)
        turns = project.turns("T1")
        planted = [(turn.start + s, turn.start + e, kind, surface)
                   for turn, spans in zip(turns, planted_per_turn) for s, e, kind, surface in spans]
        findings = find_names(project, pipeline=pipeline)

        def covered(spans, planted=planted):
            return [p for p in planted if any(s < p[1] and p[0] < e for s, e in spans)]

        first = covered([(f.start, f.end) for f in findings])
        labels = [(t.start - len(t.speaker) - 2, t.start) for t in turns if t.speaker]
        extra = [f for f in findings if not any(f.start < p[1] and p[0] < f.end for p in planted)
                 and not any(s <= f.start and f.end <= e for s, e in labels)]
        # the review: accept every finding (variants as variants), then see what is hidden
        for f in findings:
            if f.variant_of is None:
                store_deid.add_term(project, f.term, f.kind, source=f.source)
        for f in find_names(project, pipeline=pipeline):
            if f.variant_of is not None and f.decision == "pending":
                store_deid.add_term(project, f.term, f.kind, source="list", variant_of=f.variant_of)
        text = project.text("T1")
        hidden = covered([(r.start, r.end) for r in find_redactions(text, store_deid.terms(project))])
        missed = sorted({p[3] for p in planted} - {p[3] for p in hidden})
        by_kind = Counter(p[2] for p in first)
        all_kind = Counter(p[2] for p in planted)
        print(f"   {pipeline.label:<36} found by the first pass {100 * len(first) / total:5.1f} %   "
              f"hidden after accepting the findings {100 * len(hidden) / total:5.1f} %   "
              f"other findings (not planted, not a speaker label): {len(extra)}")
        print("      first pass by kind: " + ", ".join(f"{k} {by_kind[k]}/{n}" for k, n in all_kind.most_common())
              + (f"; never hidden: {', '.join(missed)}" if missed else "")
              + (f"; other findings: {', '.join(sorted({f.surface for f in extra}))}" if extra else ""))
        project.close()


# --- 5. speed ------------------------------------------------------------------------------------


def corpus_sentences() -> list[str]:
    """Spoken sentences to build a corpus from: the example transcripts and the gold units."""
    texts = []
    for name in ("fg2.txt", "fg1_source.txt"):
        path = ROOT / "transcripts_example" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                _, sep, said = line.partition(": ")
                texts.append(said if sep else line)
    spec = parse_yaml(read_text_file(GOLD / "suggestions.yaml", "gold set"), GOLD / "suggestions.yaml")
    texts += [u["text"] for u in spec["units"]]
    sentences = []
    for text in texts:
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]
    return sentences


def bench_speed(pipeline, folder: Path, words: int, repeat: int) -> None:
    import spacy

    from qualcode.nlp.analysis import _run, analyse, segments_of

    if f"batch_size={ANALYSE_BATCH}" not in inspect.getsource(_run):
        print(f"   (analyse no longer passes batch_size={ANALYSE_BATCH} to nlp.pipe: update ANALYSE_BATCH)")
    rng = random.Random(11)
    sentences = corpus_sentences()
    speakers = ["Intervjuer", "P1", "P2", "P3", "P4", "Ansatt 1", "Ansatt 2"]
    project = Project.create(folder / "speed.qualcode")
    per_file = words // 8
    for i in range(8):
        parts, turns, pos, count = [], [], 0, 0
        while count < per_file:
            said = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 7)))
            label = f"{rng.choice(speakers)}: "
            start = pos + len(label)
            parts.append(label + said + "\n\n")
            turns.append(ParsedTurn(label[:-2], start, start + len(said)))
            pos += len(label) + len(said) + 2
            count += len(said.split())
        project.import_transcript(ParsedTranscript(text="".join(parts), turns=turns, format="txt", encoding="utf-8"),
                                  title=f"FG{i + 1}", roles=ROLES, allow_duplicate=True)
    tids = [t.id for t in project.transcripts()]
    texts = [project.text(t)[s:e] for t in tids for s, e in segments_of(project, t)]
    total_words = sum(len(t.split()) for t in texts)
    bare_nlp = spacy.load(pipeline.path or pipeline.requested)
    list(bare_nlp.pipe(texts[:200], batch_size=ANALYSE_BATCH))  # warm both up: the first batches are slow
    list(pipeline.nlp.pipe(texts[:200], batch_size=ANALYSE_BATCH))

    def bare_pipe() -> None:
        for _doc in bare_nlp.pipe(texts, batch_size=ANALYSE_BATCH):
            pass

    def ours() -> None:
        analyse(project, tids, pipeline=pipeline, force=True)

    runs: dict[str, list[tuple[float, float]]] = {"bare": [], "ours": []}
    for k in range(repeat):  # alternating which goes first, so neither always gets the warmer machine
        order = [("bare", bare_pipe), ("ours", ours)] if k % 2 == 0 else [("ours", ours), ("bare", bare_pipe)]
        for name, fn in order:
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            runs[name].append((time.perf_counter() - w0, time.process_time() - c0))
    from qualcode.nlp import analysis as analysis_module

    analysis_module._MEMO.clear()  # what a new process would see: only the project file
    t0 = time.perf_counter()
    reopened = Project.open(project.path, backup=False)
    result = analyse(reopened, tids, pipeline=pipeline)
    cached = time.perf_counter() - t0
    size = reopened.conn.execute("SELECT sum(length(data)) FROM analysis_cache").fetchone()[0]
    reopened.close()
    project.close()
    b_wall, b_cpu = (statistics.median(x[i] for x in runs["bare"]) for i in (0, 1))
    o_wall, o_cpu = (statistics.median(x[i] for x in runs["ours"]) for i in (0, 1))
    print(f"5. speed: {len(tids)} transcripts, {num(len(texts))} turns, {num(total_words)} words; median of {repeat} "
          f"runs, alternating order, batch size {ANALYSE_BATCH} for both; {pipeline.label}")
    print(f"   bare nlp.pipe (the floor):                  {b_wall:6.2f} s wall  {b_cpu:6.2f} s CPU  "
          f"({num(total_words / b_wall)} words/s)")
    print(f"   qualcode analyse (pipe + extract + cache):  {o_wall:6.2f} s wall  {o_cpu:6.2f} s CPU  "
          f"({num(total_words / o_wall)} words/s)")
    ratio = o_wall / b_wall
    print(f"   ratio {ratio:.2f}x the floor in wall time, {o_cpu / b_cpu:.2f}x in CPU time "
          f"(goal <= 1.3x: {'met' if ratio <= 1.3 else 'NOT met'})")
    print(f"   reopened project, analyse again: {cached:.2f} s, {len(result.cached)} of {len(tids)} from the cache; "
          f"cache {size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=130_000, help="size of the speed corpus (default 130000)")
    ap.add_argument("--repeat", type=int, default=3, help="speed runs; the median is reported (default 3)")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--speed-only", action="store_true", help="only part 5, the speed")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    from qualcode.nlp.model import ENV_VAR, load_pipeline

    if not os.environ.get(ENV_VAR) and (MODELS / "nb_ud_norne_sm").exists():
        os.environ[ENV_VAR] = str(MODELS / "nb_ud_norne_sm")
    model = load_pipeline()
    basic = load_pipeline(basic=True)
    pipelines = [model, basic] if not model.basic else [basic]
    print(f"model: {model.label}; spaCy pipeline components: {', '.join(model.components)}\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.speed_only:
            if not model.basic:
                bench_norne(model)
                print()
            bench_sentences(pipelines, folder)
            print()
            bench_suggestions(pipelines, folder)
            bench_studies(model, folder)
            print()
            bench_names(pipelines, folder, "names.txt",
                        "4. de-identification, invented transcript (bench/gold/names.txt)")
            bench_names(pipelines, folder, "names_heldout.txt",
                        "   held out (bench/gold/names_heldout.txt, not used to tune the rules)")
            print()
        if not args.skip_speed and not model.basic:
            bench_speed(model, folder, args.words, args.repeat)


if __name__ == "__main__":
    main()
