"""Team mode: five coders at once on ONE server project (PostgreSQL), as a team would work.

Two workbenches driven by Pilot in subprocesses (test_soak's script: they code sentences and
turns with the coding screen's keys and undo now and then), one CLI coder running
``qualcode code URL ...`` in a loop, and two coder processes using the store API in a loop (a few
hundred codings each, spread over the run). While they run, another person edits the codebook
(``code-add``, ``code-rename``) and exports the units (``export URL units --format csv``).

Afterwards: every coding a process reported as saved is in the database under the id it was
reported with (undone ones gone), no id was given twice, no process printed a traceback, every
coder's units are exactly their own (the coder column, and the count per coder), the audit trail
verifies, and the codebook edit and the export succeeded.

Bounded: QUALCODE_TEAM_SECONDS (default 25) of coding; the store-API coders make
QUALCODE_TEAM_CODINGS (default 200) codings each over that time. Every subprocess has a timeout.
"""

from __future__ import annotations

import csv
import os
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from qualcode.store import Project, audit
from qualcode.store.copying import copy_project

from .support import PY, build_project, child_env, cli
from .test_soak import Tally, _cli_writer, _finish_workbench, _last_lines, _start_workbench, collect

TEAM_SECONDS = float(os.environ.get("QUALCODE_TEAM_SECONDS", "25"))
TEAM_CODINGS = int(os.environ.get("QUALCODE_TEAM_CODINGS", "200"))

# One coder through the store API: ``n`` codings spread evenly over ``seconds``, each printed as
# 'ack coder tid start end code id' once add_coding returned. A refusal is printed as such.
API_CODER = r'''
import random, sys, time
from qualcode.core.errors import UserError
from qualcode.store import Project

url, coder, n, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
rng = random.Random(coder)
codes = ["hap", "hap-sol", "hap-gjen", "rec"]
with Project.open(url, backup=False) as project:
    lengths = dict(project.conn.execute("SELECT id, length(text) FROM transcripts").fetchall())
    tids = sorted(lengths)
    began = time.monotonic()
    for i in range(n):
        due = began + seconds * i / n
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        tid = tids[i % len(tids)]
        start = (i * 53 + rng.randrange(7)) % (lengths[tid] - 40)
        end = start + 5 + rng.randrange(30)
        code = codes[i % len(codes)]
        try:
            c = project.add_coding(tid, start, end, code, coder)
        except UserError as exc:
            print("refused", coder, str(exc).replace("\n", " "), flush=True)
            continue
        print("ack", coder, c.transcript, c.start, c.end, c.code, c.id, flush=True)
print("done", coder, flush=True)
'''


def _start_api_coder(tmp_path: Path, url: str, coder: str, n: int, seconds: float, env) -> subprocess.Popen:
    script = tmp_path / "api_coder.py"
    script.write_text(API_CODER, encoding="utf-8")
    out = (tmp_path / f"{coder}.out").open("w")
    err = (tmp_path / f"{coder}.err").open("w")
    proc = subprocess.Popen([PY, str(script), url, coder, str(n), str(seconds)], stdout=out, stderr=err,
                            env=env, text=True)
    proc.files = (out, err)  # type: ignore[attr-defined]
    return proc


def _finish_api_coder(tmp_path: Path, proc: subprocess.Popen, coder: str, timeout: float, tally: Tally) -> None:
    stdout, stderr = collect(tmp_path, proc, coder, timeout, tally, "the API coder")
    for line in stdout.splitlines():
        kind, *rest = line.split()
        if kind == "ack":
            who, tid, start, end, code, unit_id = rest
            tally.acked.append((int(unit_id), who, tid, int(start), int(end), code, coder))
        elif kind == "refused" and "already coded" not in line:
            tally.unexpected.append(f"{coder}: {line[:200]}")
    if proc.returncode != 0 or not stdout.rstrip().endswith(f"done {coder}"):
        tally.unexpected.append(f"{coder}: exited with {proc.returncode}: {_last_lines(stderr)}")


def _editor(url: str, tmp_path: Path, seconds: float, env, results: dict[str, subprocess.CompletedProcess],
            when: dict[str, str], began: float) -> None:
    """Another person, while the coders code: adds a code, exports the units, renames a code
    (at a fifth, two fifths and three fifths of the run; ``when``: from which second to which)."""
    steps = [
        ("code-add", ["code-add", url, "nytt", "Nytt tema under arbeid", "--coder", "ED"]),
        ("export", ["export", url, "units", "--format", "csv", "--out", tmp_path / "units.csv"]),
        ("code-rename", ["code-rename", url, "hap-gjen", "Gjenkjennelse i andres historier", "--coder", "ED"]),
    ]
    for i, (name, args) in enumerate(steps):
        time.sleep(max(0.0, began + seconds * (i + 1) / 5 - time.monotonic()))
        start = time.monotonic() - began
        try:
            results[name] = cli(*args, env=env, timeout=90)
        except subprocess.TimeoutExpired as exc:
            results[name] = subprocess.CompletedProcess(args, -9, "", f"hung for 90 s: {exc}")
        when[name] = f"{start:.0f}-{time.monotonic() - began:.0f}"


def _verify(url: str, tally: Tally, coders: list[str], edits: dict, export: Path) -> tuple[list[str], dict]:
    problems: list[str] = []
    with Project.open(url, backup=False) as project:
        rows = {r[0]: tuple(r[1:]) for r in project.conn.execute(
            "SELECT id, coder, transcript_id, start, end, code_id FROM codings ORDER BY id")}
        trail = audit.verify(project)
        names = {c.id: c.name for c in project.codebook().codes}
    undone = {u[:6] for u in tally.undone}
    live = [a for a in tally.acked if a[:6] not in undone]
    lost = [a for a in live if rows.get(a[0]) != a[1:6]]
    if lost:
        problems.append(f"{len(lost)} acknowledged codings are not in the database as reported, e.g. "
                        + "; ".join(f"id {a[0]} {a[1:6]} by {a[6]}: database has {rows.get(a[0])}" for a in lost[:4]))
    reused = sorted(i for i, n in Counter(a[0] for a in tally.acked).items() if n > 1)
    if reused:
        problems.append(f"{len(reused)} unit ids were acknowledged twice (reused), e.g. {reused[:6]}")
    # Ownership: each coder's rows are the ones that coder's process saved, no more, no fewer.
    in_db = Counter(r[0] for r in rows.values())
    saved = Counter(a[1] for a in live)
    if in_db != saved:
        problems.append(f"units per coder in the database {dict(in_db)} != saved by each process {dict(saved)}")
    wrong = [a for a in live if a[1] != a[6]]
    if wrong:
        problems.append(f"{len(wrong)} units saved by one process under another's initials, e.g. {wrong[:3]}")
    strangers = sorted(set(in_db) - set(coders))
    if strangers:
        problems.append(f"units by coders no process coded as: {strangers}")
    if trail:
        problems.append(f"the audit trail does not verify: {trail[:3]}")
    for name, result in edits.items():
        if result.returncode != 0 or "Traceback" in result.stderr:
            problems.append(f"{name} failed: exit {result.returncode}: {_last_lines(result.stderr)}")
    if set(edits) != {"code-add", "code-rename", "export"}:
        problems.append(f"the editor did not get through its steps: {sorted(edits)}")
    if names.get("nytt") != "Nytt tema under arbeid" or names.get("hap-gjen") != "Gjenkjennelse i andres historier":
        problems.append(f"the codebook edit is not in the codebook: {names}")
    exported = 0
    if export.exists():
        with export.open(encoding="utf-8-sig", newline="") as fh:
            exported = sum(1 for _ in csv.DictReader(fh))
    if exported == 0:
        problems.append("the export wrote no units (it ran while units were already saved)")
    if tally.tracebacks:
        problems.append(f"{len(tally.tracebacks)} processes printed a traceback, e.g. {tally.tracebacks[:3]}")
    problems += tally.unexpected[:8]
    figures = {
        "acknowledged": dict(Counter(a[6] for a in tally.acked)),
        "undone": len(tally.undone),
        "lost": len(lost),
        "ids reused": len(reused),
        "rows": len(rows),
        "rows per coder": dict(in_db),
        "exported": exported,
        "busy refusals": dict(tally.busy),
        "runs": dict(tally.runs),
    }
    return problems, figures


def test_five_coders_an_editor_and_an_export_on_one_server_project(tmp_path, pg_url):
    seconds = TEAM_SECONDS
    copy_project(build_project(tmp_path / "team.qualcode"), pg_url)
    url = pg_url
    env = child_env(tmp_path)
    with Project.open(url, backup=False) as project:
        lengths = dict(project.conn.execute("SELECT id, length(text) FROM transcripts").fetchall())
    tally = Tally()
    began = time.monotonic()
    benches = ["W1", "W2"]
    api = ["S1", "S2"]
    procs = [_start_workbench(tmp_path, url, c, "soak", seconds, i, env) for i, c in enumerate(benches)]
    procs += [_start_api_coder(tmp_path, url, c, TEAM_CODINGS, seconds, env) for c in api]
    deadline = time.monotonic() + seconds
    edits: dict[str, subprocess.CompletedProcess] = {}
    when: dict[str, str] = {}
    threads = [
        threading.Thread(target=_cli_writer, args=(url, "C1", lengths, deadline, tally, env), daemon=True),
        threading.Thread(target=_editor, args=(url, tmp_path, seconds, env, edits, when, began), daemon=True),
    ]
    for t in threads:
        t.start()
    ended = {}
    for proc, coder in zip(procs, benches + api):
        limit = max(5.0, deadline - time.monotonic()) + 90
        if coder in benches:
            _finish_workbench(tmp_path, proc, coder, limit, tally)
        else:
            _finish_api_coder(tmp_path, proc, coder, limit, tally)
        ended[coder] = round(time.monotonic() - began)
    for t in threads:
        t.join(120)
        if t.is_alive():
            tally.unexpected.append("a CLI loop did not stop")
    ended["cli"] = round(time.monotonic() - began)
    problems, figures = _verify(url, tally, benches + api + ["C1"], edits, tmp_path / "units.csv")
    summary = (f"team: 2 workbenches + 2 store-API coders ({TEAM_CODINGS} each) + 1 CLI coder + an editor, "
               f"{seconds:.0f} s of coding (took {time.monotonic() - began:.0f} s, ended at s {ended}, "
               f"editor's commands ran at s {when}): {figures}")
    print("\n" + summary)
    for problem in problems:
        print("  PROBLEM:", problem)
    assert not problems, summary + "\n" + "\n".join(problems)
    acked = figures["acknowledged"]
    assert all(acked.get(c, 0) > 0 for c in benches + api + ["C1"]), f"a coder never saved anything: {summary}"
