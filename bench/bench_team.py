"""Team bench: coding on a PostgreSQL server project against a local SQLite file (issue 16).

Two figures, each against a floor measured in the same run, CPU time (time.process_time, this
client's only: the server's own work is in its processes) beside wall time:

* **latency**: ``Project.add_coding`` one at a time on a server project reached over TCP
  (127.0.0.1), against the same on a local SQLite project file, in alternating rounds (the
  machine is noisy and shared); median and p95 ms per coding over all rounds, and the ratio.
  Goal: under 20 ms per coding on the server.
* **throughput**: five coder processes coding at once as fast as they can (each its own
  initials, ``--per-coder`` codings), started together once all have opened the project;
  codings per second in total and per coder, against one coder process alone on the server (the
  floor) and against five processes on one SQLite file. Median of ``--repeat`` runs.

The server is a throwaway cluster (tests/pgserver.py) run without durability (fsync and
synchronous_commit off): the figures leave out a real server's disk flushes and network.

    python bench/bench_team.py [--codings 200] [--rounds 3] [--per-coder 150] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project
from tests.pgserver import create_database, drop_database, throwaway_cluster

CODEBOOK = "codebook: Bench\ncodes:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"
LATENCY_GOAL_MS = 20.0
CODERS = 5
TEXT_WORDS = 20_000  # room for every span of the run, 3 characters apart


def make_project(where: str | Path) -> None:
    words = " ".join(["ord"] * TEXT_WORDS)
    with Project.create(where, codebook=parse_codebook(CODEBOOK, "bench.yaml")) as project:
        project.import_transcript(ParsedTranscript.from_dialogue([("P1", words)]), title="bench")


def tcp_url(db_url: str, base_url: str) -> str:
    """The database of ``db_url`` (a socket URL) reached over TCP on 127.0.0.1."""
    port = base_url.rsplit("port=", 1)[1]
    name = unquote(urlsplit(db_url).path.lstrip("/"))
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


# --- latency ---------------------------------------------------------------------------------------


def code_timed(project: Project, n: int, offset: int, coder: str) -> tuple[list[float], list[float]]:
    """``n`` codings one by one: wall and CPU ms of each."""
    walls, cpus = [], []
    for i in range(n):
        start = (offset + i) * 3
        w, c = time.perf_counter(), time.process_time()
        project.add_coding("T1", start, start + 2, "a" if i % 2 else "b", coder)
        cpus.append(1000 * (time.process_time() - c))
        walls.append(1000 * (time.perf_counter() - w))
    return walls, cpus


def latency(server: str, file: Path, codings: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in ("sqlite", "server")}
    with Project.open(server, backup=False) as pg, Project.open(file, backup=False) as lite:
        code_timed(pg, 10, 0, "WU")  # warm up: connection, statements, caches
        code_timed(lite, 10, 0, "WU")
        for r in range(rounds):
            for name, project in (("sqlite", lite), ("server", pg)) if r % 2 == 0 else (("server", pg), ("sqlite", lite)):
                walls, cpus = code_timed(project, codings, 10 + r * codings, "AB")
                samples[name]["wall"] += walls
                samples[name]["cpu"] += cpus
    return samples


# --- throughput ------------------------------------------------------------------------------------


def worker(where: str, coder: str, n: int, offset: int) -> None:
    """One coder process: open, say 'ready', wait for 'go' on stdin, code ``n`` spans, report."""
    with Project.open(where, backup=False) as project:
        print("ready", flush=True)
        sys.stdin.readline()
        refused = 0
        t0, c0 = time.monotonic(), time.process_time()
        for i in range(n):
            start = (offset + i) * 3
            try:
                project.add_coding("T1", start, start + 2, "a" if i % 2 else "b", coder)
            except Exception:  # a busy refusal, counted
                refused += 1
        t1, c1 = time.monotonic(), time.process_time()
    print(json.dumps({"coder": coder, "n": n - refused, "refused": refused, "t0": t0, "t1": t1, "cpu": c1 - c0}),
          flush=True)


def run_coders(where: str | Path, coders: int, per_coder: int, offset: int) -> dict[str, float]:
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(where), f"C{i + 1}", str(per_coder),
                               str(offset + i * per_coder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for i in range(coders)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    reports = []
    for p in procs:
        out, _ = p.communicate(timeout=600)
        if p.returncode:
            raise SystemExit(f"a coder process failed ({p.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    span = max(r["t1"] for r in reports) - min(r["t0"] for r in reports)
    done = sum(r["n"] for r in reports)
    return {"total": done / span, "per_coder": done / span / coders, "refused": sum(r["refused"] for r in reports),
            "cpu_ms": 1000 * sum(r["cpu"] for r in reports) / max(1, done)}


def throughput(base: str, folder: Path, per_coder: int, repeat: int) -> dict[str, list[dict[str, float]]]:
    runs: dict[str, list[dict[str, float]]] = {"server, 1 coder": [], "server, 5 coders": [],
                                               "sqlite, 5 coders": []}
    for r in range(repeat):
        db = create_database(base, prefix="bench_")
        try:
            url = tcp_url(db, base)
            make_project(url)
            file = folder / f"tp{r}.qualcode"
            make_project(file)
            runs["server, 1 coder"].append(run_coders(url, 1, per_coder * CODERS, 0))
            runs["server, 5 coders"].append(run_coders(url, CODERS, per_coder, per_coder * CODERS))
            runs["sqlite, 5 coders"].append(run_coders(file, CODERS, per_coder, 0))
        finally:
            drop_database(db, base)
    return runs


def median_of(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=200, help="codings per latency round and backend")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-coder", type=int, default=150, help="codings per coder process")
    parser.add_argument("--repeat", type=int, default=3, help="throughput runs (median)")
    args = parser.parse_args()
    needed = 10 + args.rounds * args.codings
    needed = max(needed, 2 * CODERS * args.per_coder)
    if needed * 3 + 3 > TEXT_WORDS * 4:
        raise SystemExit("too many codings for the bench text")

    with throwaway_cluster() as base, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = create_database(base, prefix="bench_")
        try:
            server = tcp_url(db, base)
            make_project(server)
            file = folder / "latency.qualcode"
            make_project(file)
            lat = latency(server, file, args.codings, args.rounds)
        finally:
            drop_database(db, base)
        tp = throughput(base, folder, args.per_coder, args.repeat)

    n = args.codings * args.rounds
    print(f"latency: Project.add_coding, {n} codings per backend in {args.rounds} alternating rounds")
    print(f"  {'':22} {'wall median':>11} {'wall p95':>9} {'CPU median':>11} {'CPU p95':>8}   (ms per coding)")
    for name, label in (("sqlite", "SQLite file (floor)"), ("server", "server, TCP 127.0.0.1")):
        s = lat[name]
        print(f"  {label:22} {statistics.median(s['wall']):11.2f} {pct(s['wall'], 0.95):9.2f} "
              f"{statistics.median(s['cpu']):11.2f} {pct(s['cpu'], 0.95):8.2f}")
    wall_ratio = statistics.median(lat["server"]["wall"]) / statistics.median(lat["sqlite"]["wall"])
    cpu_ratio = statistics.median(lat["server"]["cpu"]) / statistics.median(lat["sqlite"]["cpu"])
    server_ms = statistics.median(lat["server"]["wall"])
    print(f"  server / SQLite: {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (median); "
          f"server {server_ms:.2f} ms per coding, goal under {LATENCY_GOAL_MS:.0f} ms: "
          f"{'met' if server_ms < LATENCY_GOAL_MS else 'NOT met'}")
    print(f"throughput: {CODERS} coder processes at once, {args.per_coder} codings each "
          f"(one coder alone: {CODERS * args.per_coder}); median of {args.repeat} runs")
    print(f"  {'':24} {'codings/s':>10} {'per coder':>10} {'CPU ms/coding':>14} {'refused':>8} {'vs floor':>9}")
    floor = median_of(tp["server, 1 coder"], "total")
    for label, runs in tp.items():
        total = median_of(runs, "total")
        shown = label + (" (floor)" if label == "server, 1 coder" else "")
        print(f"  {shown:24} {total:10.0f} {median_of(runs, 'per_coder'):10.0f} {median_of(runs, 'cpu_ms'):14.2f} "
              f"{sum(int(r['refused']) for r in runs):8d} {total / floor:8.2f}x")


if __name__ == "__main__":
    main()
