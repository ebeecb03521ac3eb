"""Journal bench: adding codings through the store must stay flat as the undo journal grows.

Adds N codings to a project with an empty journal (the floor, measured in the same run), then
fills the journal with JOURNAL earlier actions (one in ten undone, as a coder who undoes now and
then leaves them) and adds N more. Prints codings per second for both, CPU time beside wall time,
and the ratio. Goal: the time per coding at 50,000 journal rows within 1.3x of the floor.

    python bench/bench_journal.py [--codings 300] [--journal 50000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project

CODEBOOK = "codebook: Bench\ncodes:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"


def add(project: Project, n: int, offset: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        start = (offset + i) * 3
        project.add_coding("T1", start, start + 2, "a" if i % 2 else "b", "AB")
    return time.perf_counter() - wall, time.process_time() - cpu


def fill_journal(project: Project, rows: int) -> None:
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO actions (label, coder, created_at, undone) VALUES (?, ?, ?, ?)",
            [(f"old {i}", "CD" if i % 3 else "AB", "2026-01-01T00:00:00", i if i % 10 == 0 else 0)
             for i in range(1, rows + 1)],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=300)
    parser.add_argument("--journal", type=int, default=50_000)
    args = parser.parse_args()
    words = " ".join(["ord"] * (args.codings * 4 + 10))
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.create(Path(tmp) / "bench.qualcode", codebook=parse_codebook(CODEBOOK, "bench.yaml"))
        project.import_transcript(ParsedTranscript.from_dialogue([("P1", words)]), title="bench")
        floor_wall, floor_cpu = add(project, args.codings, 0)
        fill_journal(project, args.journal)
        wall, cpu = add(project, args.codings, args.codings)
        project.close()
    n = args.codings
    print(f"adding {n} codings, empty journal (floor): {n / floor_wall:,.0f}/s wall, "
          f"{1000 * floor_cpu / n:.2f} ms CPU each")
    print(f"adding {n} codings, {args.journal:,} journal rows: {n / wall:,.0f}/s wall, {1000 * cpu / n:.2f} ms CPU each")
    print(f"ratio to the floor: {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU (goal: under 1.3x)")


if __name__ == "__main__":
    main()
