"""Audit bench: the audit trail must not slow coding noticeably.

Adds N codings through the store with the audit trail on, and N with its work taken out
(``audit.record_action`` replaced by a no-op: no journal read, no hash, no insert), in the same
project and the same run, alternating, ROUNDS times; prints the median time per coding of each,
CPU time beside wall time, and the ratio to the floor; and the CPU time spent inside the audit
hook itself (reading the action's journal, hashing, one insert), which the noise of a shared
machine does not blur. Then the same with a trail of TRAIL entries already written (appending
reads only the last entry, so it must stay flat).
Goal: the audit's own work under 0.25 ms CPU per coding (a coding's commit, fsync and all, takes
about 1 ms), so within 1.25x of the floor in CPU at any length of trail; wall time within noise.

    python bench/bench_audit.py [--codings 200] [--rounds 5] [--trail 50000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project, audit

CODEBOOK = "codebook: Bench\ncodes:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"


class Coder:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.next = 0

    def add(self, n: int) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            start = self.next * 3
            self.next += 1
            self.project.add_coding("T1", start, start + 2, "a" if i % 2 else "b", "AB")
        return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def measure(coder: Coder, n: int, rounds: int) -> dict[str, tuple[float, float]]:
    real = audit.record_action
    inside: list[float] = []

    def timed(*args, **kwargs):  # the audit's own CPU time, inside each coding
        cpu = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            inside.append(time.process_time() - cpu)

    runs: dict[str, list[tuple[float, float]]] = {"floor": [], "audit": []}
    for r in range(rounds):
        for which in (("floor", "audit") if r % 2 == 0 else ("audit", "floor")):
            audit.record_action = timed if which == "audit" else (lambda *a, **k: None)  # type: ignore[assignment]
            try:
                runs[which].append(coder.add(n))
            finally:
                audit.record_action = real
    out = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    out["inside"] = (0.0, sum(inside) / len(inside))
    return out


def fill_trail(project: Project, entries: int) -> None:
    with project.transaction() as conn:
        for i in range(entries):
            audit.append(conn, "CD", "action", f"old change {i}",
                         {"rows": [{"table": "codings", "op": "insert", "id": 10_000_000 + i}]})


def report(label: str, result: dict[str, tuple[float, float]]) -> None:
    (fw, fc), (aw, ac), (_, inside) = result["floor"], result["audit"], result["inside"]
    print(f"{label}: floor {1000 * fw:.2f} ms wall / {1000 * fc:.2f} ms CPU per coding; "
          f"with the trail {1000 * aw:.2f} ms wall / {1000 * ac:.2f} ms CPU; "
          f"ratio {aw / fw:.2f}x wall, {ac / fc:.2f}x CPU (goal: under 1.25x CPU); "
          f"the audit's own work {1000 * inside:.3f} ms CPU per coding ({inside / fc:.0%} of the floor's CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trail", type=int, default=50_000)
    args = parser.parse_args()
    words = " ".join(["ord"] * (args.codings * args.rounds * 8 + 10))
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.create(Path(tmp) / "bench.qualcode", codebook=parse_codebook(CODEBOOK, "bench.yaml"))
        project.import_transcript(ParsedTranscript.from_dialogue([("P1", words)]), title="bench")
        coder = Coder(project)
        coder.add(20)  # warm up
        report("short trail", measure(coder, args.codings, args.rounds))
        fill_trail(project, args.trail)
        report(f"{args.trail:,}-entry trail", measure(coder, args.codings, args.rounds))
        assert audit.verify(project) == []
        project.close()


if __name__ == "__main__":
    main()
