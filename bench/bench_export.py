"""Export bench: 5,000 meaning units to XLSX, and to DOCX as quotes and as a theme summary.

Builds a generated project (8 transcripts, the study's codebook, 5,000 units by two coders, a few
names to hide) and times each export end to end: reading and de-identifying the units, then
writing the file. The summary is timed without distinctive words (NLP has its own bench); a
REFI-QDA export and import are timed for information. Prints seconds and the ratio to a baseline measured in the same run (writing the
same rows with the csv module), because these machines are noisy. Goal: XLSX and DOCX each under
3 s.

    python bench/bench_export.py [--units 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus
from corpus import SPEAKERS

from qualcode.core.codebook import load_codebook
from qualcode.core.parsed import ParsedTranscript, ParsedTurn
from qualcode.exports.base import ExportData
from qualcode.exports.quotes import write_docx
from qualcode.exports.summary import write_summary
from qualcode.exports.units import rows, write_xlsx
from qualcode.refi.importer import import_qdpx
from qualcode.refi.write import write_qdpx
from qualcode.store import Project, deid
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent
WORDS = [*corpus.WORDS, "Kari", "Solbakken"]  # names the export must hide
ROLES = [RoleRule.parse(rule) for rule in corpus.ROLE_RULES]


def transcript(rng: random.Random, turns: int) -> ParsedTranscript:
    parts, spans, pos, clock = [], [], 0, 0.0
    for _ in range(turns):
        speaker = SPEAKERS[rng.randrange(len(SPEAKERS))]
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 90))]
        said = " ".join(words).capitalize() + "."
        label = f"[{int(clock) // 3600:02d}:{int(clock) // 60 % 60:02d}:{int(clock) % 60:02d}] {speaker}: "
        spans.append(ParsedTurn(speaker, pos + len(label), pos + len(label) + len(said), clock))
        parts.append(label + said + "\n\n")
        pos += len(label) + len(said) + 2
        clock += len(words) / 2.5
    return ParsedTranscript("".join(parts), spans, "txt", "utf-8")


def build(folder: Path, n_units: int, rng: random.Random) -> Path:
    path = folder / "bench.qualcode"
    project = Project.create(path, codebook=load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml"))
    project.conn.execute("PRAGMA synchronous = OFF")  # setting up only; the exports are what is timed
    for i in range(8):
        project.import_transcript(transcript(rng, 260), title=f"Fokusgruppe {i + 1}", group=f"Fokusgruppe {i + 1}",
                                  group_attributes={"institusjon": f"Senter {i + 1}", "type": "blandet"}, roles=ROLES)
    codes = [c.id for c in project.codebook().codes]
    turns = {t.id: [u for u in project.turns(t.id) if u.speaker != "Intervjuer"] for t in project.transcripts()}
    tids = list(turns)
    made = 0
    while made < n_units:
        tid = rng.choice(tids)
        turn = rng.choice(turns[tid])
        start = turn.start + rng.randrange(0, max(1, (turn.end - turn.start) // 3))
        try:
            unit = project.add_coding(tid, start, turn.end, rng.choice(codes), rng.choice(["AB", "CD"]),
                                      condensed="Kort oppsummering" if made % 3 == 0 else "")
        except Exception:
            continue
        if made % 10 == 0:
            project.update_coding(unit.id, starred=True)
        made += 1
    deid.add_term(project, "Kari", "PER")
    deid.add_term(project, "Solbakken", "ORG")
    project.close()
    return path


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        path = build(folder, args.units, rng)
        print(f"built a project with {args.units} units in {time.perf_counter() - t0:.1f} s (not timed below)")
        project = Project.open(path, backup=False)
        out = folder / "out"
        out.mkdir()
        imported = iter(range(1_000_000))

        def fresh() -> Path:
            return out / f"imported-{next(imported)}.qualcode"

        def baseline() -> None:  # the same rows, written with the csv module
            headers, body = rows(ExportData(project))
            with open(out / "baseline.csv", "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(headers)
                writer.writerows(body)

        cases = {
            "baseline: csv module": baseline,
            "collect + de-identify (in every export)": lambda: ExportData(project),
            "units -> XLSX": lambda: write_xlsx(ExportData(project), out / "units.xlsx"),
            "units -> XLSX, a sheet per theme": lambda: write_xlsx(ExportData(project), out / "units2.xlsx",
                                                                  sheet_per_theme=True),
            "quotes -> DOCX (5,000 quotes + comments)": lambda: write_docx(ExportData(project), out / "quotes.docx"),
            "summary -> DOCX (chart, matrices)": lambda: write_summary(ExportData(project), out / "summary.docx",
                                                                        "docx", words=None),
            "project -> qdpx": lambda: write_qdpx(project, out / "p.qdpx"),
            "qdpx -> new project (import; no goal)": lambda: import_qdpx(out / "p.qdpx", fresh()),
        }
        results = {name: statistics.median(timed(fn) for _ in range(args.repeat)) for name, fn in cases.items()}
        project.close()
    base = results["baseline: csv module"]
    print(f"{'export (median of ' + str(args.repeat) + ')':<45} {'seconds':>8} {'x baseline':>11}")
    for name, seconds in results.items():
        print(f"{name:<45} {seconds:>8.3f} {seconds / base:>10.1f}x")
    slow = [n for n in ("units -> XLSX", "quotes -> DOCX (5,000 quotes + comments)", "summary -> DOCX (chart, matrices)")
            if results[n] >= 3.0]
    print("goal (XLSX and DOCX under 3 s each): " + ("met" if not slow else "NOT met: " + ", ".join(slow)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
