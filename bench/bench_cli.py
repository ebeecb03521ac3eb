"""CLI bench: ``qualcode units --json`` over 50,000 units, and the start-up of ``qualcode info``.

Two figures, each a ratio to a floor measured in the same run, in alternating rounds (these
machines are noisy and shared), median of ``--repeat`` rounds, CPU time beside wall time:

* **units --json**: ``qualcode units PROJECT --json`` run in this process (stdout to a file),
  against the floor: one plain ``sqlite3`` query joining codings, transcripts and codes, a dict
  per row with the same keys and kinds of values, and ``json.dumps(list, indent=2,
  ensure_ascii=False)`` to the same kind of file. Goal: within 1.5x. The bytes qualcode writes
  are checked against ``json.dumps`` of ``Project.units()`` first (not timed). For comparison,
  what the command did before it streamed: ``Project.units()``, then one ``json.dumps``.
* **start-up**: ``python -m qualcode info PROJECT`` in a new process against ``python -c pass``
  (the same interpreter and environment; compiled bytecode written to a scratch folder by a
  first, untimed run, as an installed package has it). CPU is the child's user + system time.
  Goal: within 5x.

    python bench/bench_cli.py [--units 50000] [--repeat 5] [--startup-runs 15] [--only units|startup]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus

from qualcode.cli import main as qualcode_main
from qualcode.cli.output import emit_json
from qualcode.core.codebook import load_codebook
from qualcode.store import Project
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent
ROLES = [RoleRule.parse(rule) for rule in corpus.ROLE_RULES]
UNITS_GOAL = 1.5
STARTUP_GOAL = 5.0


# --- the project ---------------------------------------------------------------------------------


def build(path: Path, n_units: int, rng: random.Random) -> None:
    """Eight focus groups and ``n_units`` codings by two coders, written straight into the tables
    (making them through the store, one undoable action each, is not what is timed here)."""
    project = Project.create(path, codebook=load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml"))
    project.conn.execute("PRAGMA synchronous = OFF")
    for i in range(8):
        project.import_transcript(corpus.transcript(rng, 300), title=f"Fokusgruppe {i + 1}", group=f"Fokusgruppe {i + 1}",
                                  roles=ROLES)
    codes = [c.id for c in project.codebook().codes]
    turns = [(t.id, u.start, u.end) for t in project.transcripts() for u in project.turns(t.id)]
    now = "2026-03-01T10:00:00.000+00:00"
    rows = []
    for n in range(n_units):
        tid, start, end = rng.choice(turns)
        lo = start + rng.randrange(0, max(1, (end - start) // 3))
        rows.append((tid, lo, end, rng.choice(codes), "AB" if n % 2 else "CD",
                     "Kort oppsummering" if n % 3 == 0 else "", "notat: sitat?" if n % 7 == 0 else "",
                     int(n % 10 == 0), now, now))
    with project.action("bench: codings", "AB") as conn:  # one journaled action, as the triggers want
        conn.executemany("INSERT OR IGNORE INTO coders (id, created_at) VALUES (?, ?)", [("AB", now), ("CD", now)])
        conn.executemany("INSERT INTO codings (transcript_id, start, end, code_id, coder, condensed, memo, starred,"
                         " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    project.close()


# --- units --json --------------------------------------------------------------------------------


def floor_units(path: Path, out: io.TextIOBase) -> None:
    """One query joining codings and transcripts, a dict a row with the keys of ``units --json``,
    and json.dumps of the list. (The texts and the code names are read once beforehand: the
    coded text sliced in Python, not with SQL's substr, which walks a long text from its start.)"""
    conn = sqlite3.connect(path)
    try:
        texts = dict(conn.execute("SELECT id, text FROM transcripts"))
        names = dict(conn.execute("SELECT id, name FROM codes"))
        parents = dict(conn.execute("SELECT id, parent_id FROM codes"))
        units = []
        for (cid, tid, title, group, start, end, code, coder, condensed, memo, starred, created,
             updated) in conn.execute(
                "SELECT c.id, c.transcript_id, t.title, t.group_name, c.start, c.end, c.code_id, c.coder,"
                " c.condensed, c.memo, c.starred, c.created_at, c.updated_at"
                " FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
                " ORDER BY c.transcript_id, c.start, c.end, c.id"):
            path_names = [names[code]] if parents[code] is None else [names[parents[code]], names[code]]
            units.append({
                "id": cid, "transcript": tid, "title": title, "group": group, "turn": 0, "speaker": "P1",
                "role": "pasient", "timestamp": "00:00:00", "start": start, "end": end, "text": texts[tid][start:end],
                "code": code, "code_name": names[code], "code_path": path_names, "theme": path_names[0],
                "coder": coder, "condensed": condensed, "memo": memo, "starred": bool(starred),
                "created_at": created, "updated_at": updated,
            })
        out.write(json.dumps(units, indent=2, ensure_ascii=False))
        out.write("\n")
    finally:
        conn.close()


def qualcode_units(path: Path, out: io.TextIOBase) -> None:
    with contextlib.redirect_stdout(out):
        code = qualcode_main(["units", str(path), "--json"])
    assert code == 0


def listed_units(path: Path, out: io.TextIOBase) -> None:
    """What ``units --json`` did before it streamed: every unit in a list, then one json.dumps."""
    with Project.open(path, backup=False) as project:
        units = project.units()
    with contextlib.redirect_stdout(out):
        emit_json(units)


def check_units(path: Path) -> int:
    buffer = io.StringIO()
    qualcode_units(path, buffer)
    with Project.open(path, backup=False) as project:
        units = project.units()
    expected = json.dumps([u.as_dict() for u in units], indent=2, ensure_ascii=False) + "\n"
    if buffer.getvalue() != expected:
        raise SystemExit("units --json does not write the bytes of json.dumps(list): the bench stops")
    return len(units)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def bench_units(path: Path, repeat: int, scratch: Path) -> None:
    n = check_units(path)
    cases: dict[str, Callable[[io.TextIOBase], None]] = {
        "floor: sqlite3 + json.dumps": lambda out: floor_units(path, out),
        "qualcode units --json": lambda out: qualcode_units(path, out),
        "(before: a list, one dumps)": lambda out: listed_units(path, out),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, case in cases.items():
            with open(scratch / "units.json", "w", encoding="utf-8") as out:
                results[name].append(timed(lambda case=case, out=out: case(out)))
    size = (scratch / "units.json").stat().st_size
    print(f"units --json: {n:,} units, {size / 1e6:.1f} MB of JSON; median of {repeat} rounds")
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for name, r in results.items()}
    floor_wall, floor_cpu = medians["floor: sqlite3 + json.dumps"]
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<30} {wall:7.2f} s wall  {cpu:7.2f} s CPU   {wall / floor_wall:5.2f}x wall  "
              f"{cpu / floor_cpu:5.2f}x CPU")
    wall, cpu = medians["qualcode units --json"]
    print(f"  ratio to the floor: {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU (goal: within "
          f"{UNITS_GOAL}x)")


# --- start-up ------------------------------------------------------------------------------------


def child_times(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def bench_startup(path: Path, runs: int, scratch: Path) -> None:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")  # bytecode as an installed package has it
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cases = {
        "floor: python -c pass": [sys.executable, "-c", "pass"],
        "qualcode info PROJECT": [sys.executable, "-m", "qualcode", "info", str(path)],
        "qualcode --help": [sys.executable, "-m", "qualcode", "--help"],
    }
    for argv in cases.values():  # compile once, untimed
        child_times(argv, env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            results[name].append(child_times(argv, env))
    print(f"start-up: a new process each run; median of {runs} runs")
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for name, r in results.items()}
    floor_wall, floor_cpu = medians["floor: python -c pass"]
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<30} {wall * 1000:7.1f} ms wall  {cpu * 1000:7.1f} ms CPU   {wall / floor_wall:5.2f}x wall  "
              f"{cpu / floor_cpu:5.2f}x CPU")
    wall, cpu = medians["qualcode info PROJECT"]
    print(f"  ratio to the floor: {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU (goal: within "
          f"{STARTUP_GOAL}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of units --json (default 5)")
    parser.add_argument("--startup-runs", type=int, default=15, help="runs of each start-up case (default 15)")
    parser.add_argument("--only", choices=("units", "startup"))
    args = parser.parse_args()
    if args.repeat < 1 or args.startup_runs < 1:
        parser.error("--repeat and --startup-runs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        path = scratch / "bench.qualcode"
        build(path, args.units, random.Random(7))
        if args.only != "startup":
            bench_units(path, args.repeat, scratch)
        if args.only != "units":
            bench_startup(path, args.startup_runs, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
