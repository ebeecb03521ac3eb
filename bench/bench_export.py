"""Export bench: meaning units to CSV, XLSX and JSON, quotes and a theme summary to DOCX, REFI-QDA.

Builds a generated project (8 transcripts, the study's codebook, ``--units`` units by two coders,
a few names to hide) and times each export end to end: reading and de-identifying the units, then
writing the file. Every figure is a ratio to a floor measured in the same run, in the same rounds
(these machines are noisy and shared):

* **floor: sqlite3 -> csv**: the same columns read with plain ``sqlite3`` (a turn found by
  bisection, the code path by walking parents) and written with the ``csv`` module; no
  de-identification, nothing of qualcode's.
* **floor: rows -> openpyxl write-only**: qualcode's own rows, collected beforehand (not timed),
  appended as plain values to a write-only workbook: what XLSX costs at the least.

Goals: ``units -> XLSX`` within 1.5x the openpyxl floor (it includes qualcode's collecting and
de-identifying); the summary with distinctive words within 1.5x the same summary without them.
The words are what ``qualcode export summary`` gets: ``distinctive_words_or_note`` over the
analyses cached in the project file (basic mode, or ``--nlp-model``'s, analysed before timing),
decoded anew each time as in a new process.

Each case is run ``--repeat`` times, one round after another (every case once per round), and the
median is shown; CPU seconds (``time.process_time``) stand beside wall seconds.

    python bench/bench_export.py [--units 5000] [--repeat 3] [--nlp-model PATH] [--project FILE]
                                 [--only TEXT] [--no-refi]

``--project FILE`` keeps the generated project there (built if missing) for the next run.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus

from qualcode.cli.export_commands import distinctive_words_or_note
from qualcode.core.codebook import load_codebook
from qualcode.exports.base import ExportData
from qualcode.exports.quotes import write_docx
from qualcode.exports.summary import write_summary
from qualcode.exports.units import rows, write_csv, write_json, write_xlsx
from qualcode.refi.importer import import_qdpx
from qualcode.refi.write import write_qdpx
from qualcode.store import Project, deid
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent
WORDS = [*corpus.WORDS, "Kari", "Solbakken"]  # names the export must hide
ROLES = [RoleRule.parse(rule) for rule in corpus.ROLE_RULES]
XLSX_GOAL = 1.5
WORDS_GOAL = 1.5


def build(path: Path, n_units: int, rng: random.Random) -> Path:
    project = Project.create(path, codebook=load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml"))
    project.conn.execute("PRAGMA synchronous = OFF")  # setting up only; the exports are what is timed
    for i in range(8):
        project.import_transcript(corpus.transcript(rng, 260), title=f"Fokusgruppe {i + 1}", group=f"Fokusgruppe {i + 1}",
                                  group_attributes={"institusjon": f"Senter {i + 1}", "type": "blandet"}, roles=ROLES)
    corpus.code_at_random(project, rng, n_units)
    deid.add_term(project, "Kari", "PER")
    deid.add_term(project, "Solbakken", "ORG")
    project.close()
    return path


# --- the floors: nothing of qualcode's ----------------------------------------------------------


def sqlite_rows(path: Path) -> tuple[list[str], list[list]]:
    """The units table's columns read with plain sqlite3 (no de-identification)."""
    conn = sqlite3.connect(path)
    try:
        codes = {cid: (name, parent) for cid, name, parent in conn.execute("SELECT id, name, parent_id FROM codes")}
        code_paths: dict[str, list[str]] = {}
        for cid in codes:
            chain, at = [], cid
            while at is not None:
                chain.append(codes[at][0])
                at = codes[at][1]
            code_paths[cid] = chain[::-1]
        groups = {name: json.loads(attributes) for name, attributes in conn.execute("SELECT name, attributes FROM groups")}
        keys = list(dict.fromkeys(k for a in groups.values() for k in a))
        transcripts = {tid: (title, group, text) for tid, title, group, text
                       in conn.execute("SELECT id, title, group_name, text FROM transcripts")}
        turns: dict[str, list[tuple]] = {}
        for row in conn.execute("SELECT t.transcript_id, t.start, t.idx, t.speaker, s.role, t.time_start FROM turns t"
                                " LEFT JOIN speakers s ON s.transcript_id = t.transcript_id AND s.label = t.speaker"
                                " ORDER BY t.transcript_id, t.idx"):
            turns.setdefault(row[0], []).append(row[1:])
        starts = {tid: [t[0] for t in ts] for tid, ts in turns.items()}
        headers = ["unit", "transcript", "title", "group", *[f"group: {k}" for k in keys], "turn", "speaker", "role",
                   "timestamp", "start", "end", "text", "condensed meaning", "theme", "subtheme", "code", "code path",
                   "coder", "memo", "starred"]
        body = []
        for cid, tid, start, end, code, coder, condensed, memo, starred in conn.execute(
                "SELECT id, transcript_id, start, end, code_id, coder, condensed, memo, starred FROM codings"
                " ORDER BY transcript_id, start, end, id"):
            title, group, text = transcripts[tid]
            k = bisect.bisect_right(starts[tid], start) - 1
            _, idx, speaker, role, clock = turns[tid][k] if k >= 0 else (None, "", "", "", None)
            stamp = "" if clock is None else f"{int(clock) // 3600:02d}:{int(clock) // 60 % 60:02d}:{int(clock) % 60:02d}"
            path = code_paths[code]
            attributes = groups.get(group, {})
            body.append([cid, tid, title, group, *[attributes.get(k, "") for k in keys], idx, speaker, role or "",
                         stamp, start, end, text[start:end], condensed, path[0], path[1] if len(path) > 1 else "",
                         code, " > ".join(path), coder, memo, "yes" if starred else ""])
        return headers, body
    finally:
        conn.close()


def floor_csv(path: Path, out: Path) -> None:
    headers, body = sqlite_rows(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(body)
    out.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def floor_xlsx(collected: tuple[list[str], list[list]], out: Path) -> None:
    from openpyxl import Workbook

    headers, body = collected
    book = Workbook(write_only=True)
    ws = book.create_sheet("Units")
    ws.append(headers)
    for row in body:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    out.write_bytes(buffer.getvalue())


# --- timing ------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nlp-model", metavar="PATH", help="analyse with this spaCy model before timing "
                        "(distinctive words from its lemmas); default: basic mode")
    parser.add_argument("--project", metavar="FILE", type=Path, help="keep the generated project here (reused)")
    parser.add_argument("--only", metavar="TEXT", help="only the cases whose name contains TEXT (and the floors)")
    parser.add_argument("--no-refi", action="store_true", help="leave out the REFI-QDA export and import")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = args.project or folder / "bench.qualcode"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.units, random.Random(7))
            print(f"built a project with {args.units:,} units in {time.perf_counter() - t0:.1f} s (not timed below)")
        project = Project.open(path, backup=False)
        units = project.conn.execute("SELECT count(*) FROM codings").fetchone()[0]
        out = folder / "out"
        out.mkdir()
        from qualcode.nlp import analysis
        from qualcode.nlp.model import load_pipeline

        pipeline = load_pipeline(args.nlp_model) if args.nlp_model else load_pipeline(basic=True)
        t0 = time.perf_counter()
        analysis.analyse(project, pipeline=pipeline)  # what `qualcode analyse` leaves in the file
        print(f"analyses in the project file: {pipeline.label} ({time.perf_counter() - t0:.1f} s, not timed below)")
        collected = rows(ExportData(project))
        imported = iter(range(1_000_000))

        def summary(words: bool) -> None:
            data = ExportData(project, prefer_consensus=True)
            found = None
            if words:
                analysis._MEMO.clear()  # a new process decodes the cached analyses from the file
                found = distinctive_words_or_note(project, None)
                assert not isinstance(found, str), found
            write_summary(data, out / "summary.docx", "docx", words=found)

        floors: dict[str, Callable[[], object]] = {
            "floor: sqlite3 -> csv": lambda: floor_csv(path, out / "floor.csv"),
            "floor: rows -> openpyxl write-only": lambda: floor_xlsx(collected, out / "floor.xlsx"),
        }
        cases: dict[str, Callable[[], object]] = {
            "collect + de-identify (every export)": lambda: ExportData(project),
            "units -> CSV": lambda: write_csv(ExportData(project), out / "units.csv"),
            "units -> JSON": lambda: write_json(ExportData(project), out / "units.json"),
            "units -> XLSX": lambda: write_xlsx(ExportData(project), out / "units.xlsx"),
            "units -> XLSX, a sheet per theme": lambda: write_xlsx(ExportData(project), out / "units2.xlsx",
                                                                  sheet_per_theme=True),
            "quotes -> DOCX (quotes + comments)": lambda: write_docx(ExportData(project), out / "quotes.docx"),
            "summary -> DOCX, no words": lambda: summary(False),
            "summary -> DOCX, distinctive words": lambda: summary(True),
        }
        if not args.no_refi:
            cases["project -> qdpx"] = lambda: write_qdpx(project, out / "p.qdpx")
            cases["qdpx -> new project (import; no goal)"] = \
                lambda: import_qdpx(out / "p.qdpx", out / f"imported-{next(imported)}.qualcode")
        if args.only:
            cases = {k: v for k, v in cases.items() if args.only.lower() in k.lower()}
            if "words" in args.only.lower():
                cases["summary -> DOCX, no words"] = lambda: summary(False)
        everything = {**floors, **cases}
        summary(True)  # warm up: imports, the basic analyses decoded once
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in everything}
        for _ in range(args.repeat):
            for name, fn in everything.items():
                runs[name].append(timed(fn))
        project.close()
    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    csv_floor, xlsx_floor = wall["floor: sqlite3 -> csv"], wall["floor: rows -> openpyxl write-only"]
    print(f"{units:,} units; median of {args.repeat} rounds; ratios of wall time")
    print(f"{'':<40} {'wall s':>8} {'cpu s':>8} {'x csv floor':>12} {'x own floor':>12}")
    for name in everything:
        own = ""
        if "XLSX" in name:
            own = f"{wall[name] / xlsx_floor:>11.2f}x"
        elif name == "summary -> DOCX, distinctive words" and "summary -> DOCX, no words" in wall:
            own = f"{wall[name] / wall['summary -> DOCX, no words']:>11.2f}x"
        print(f"{name:<40} {wall[name]:>8.3f} {cpu[name]:>8.3f} {wall[name] / csv_floor:>11.2f}x {own:>12}")
    print("(own floor: XLSX against the openpyxl write-only floor; the summary with words against the one without)")
    goals = []
    if "units -> XLSX" in wall:
        ratio = wall["units -> XLSX"] / xlsx_floor
        goals.append(f"XLSX {ratio:.2f}x the openpyxl floor (goal {XLSX_GOAL}x: {'met' if ratio <= XLSX_GOAL else 'NOT met'})")
    if "summary -> DOCX, distinctive words" in wall:
        ratio = wall["summary -> DOCX, distinctive words"] / wall["summary -> DOCX, no words"]
        goals.append(f"words {ratio:.2f}x the summary without (goal {WORDS_GOAL}x: "
                     f"{'met' if ratio <= WORDS_GOAL else 'NOT met'})")
    print("; ".join(goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
