"""Concurrency soak: workbenches driven by Pilot in subprocesses, CLI writers and CLI readers,
all on one project file at once. Every coding a process reported as saved must be in the file
afterwards, under the id it was reported with, and no process may print a traceback or
'database is locked'. A CLI writer that waited and then got the one-line busy message is
allowed (it was never told its coding was saved).

Bounded: QUALCODE_SOAK_SECONDS (default 35) for the two-workbench run, 60 % of it for the
four-workbench run; every subprocess has its own timeout, so the test cannot hang.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .support import BUSY_TEXT, PY, build_project, child_env, cli, integrity, is_one_line_error, read_codings

SOAK_SECONDS = float(os.environ.get("QUALCODE_SOAK_SECONDS", "35"))

# One workbench: opens the transcripts in turn from the transcripts screen, codes sentences and
# turns with the coding screen's own keys (g next uncoded turn, x sentence / t turn, c, a few
# letters in the picker, Enter), and prints 'ack' once the status line says '✓ saved'. Now and
# then ctrl+z, printed as 'undo' when the status line says the undo was saved.
# Mode 'soak': until the deadline. Mode 'pause': code 2, print 'paused', wait for the file
# <path>.go1, code 2, print 'coded4', wait for <path>.go2, quit.
WORKBENCH = r'''
import asyncio, os, random, sys, time
from textual.widgets import DataTable
from textual.worker import WorkerCancelled
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.transcripts import TranscriptsScreen

path, coder, mode, seconds, seed = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
OUT = sys.__stdout__
QUERIES = ["sol", "gjen", "rec"]


def say(*parts):
    OUT.write(" ".join(str(p) for p in parts) + "\n")
    OUT.flush()


def notes(app):
    return [str(n.message) for n in app._notifications]


async def until(pilot, predicate, timeout=25.0):
    end = time.monotonic() + timeout
    while not predicate():
        if not pilot.app.is_running:
            raise RuntimeError("the app stopped")  # run_test then raises what stopped it
        if time.monotonic() > end:
            return False
        await pilot.pause(0.02)
    return True


async def code_one(app, pilot, screen, rng):
    """Select the next uncoded turn's first sentence (or whole turn) and code it. Returns the
    unit as (id, transcript, start, end, code) once saved, else None."""
    await pilot.press("g", rng.choice("xt"))
    if screen.view.selection is None:
        return None
    app.status_text = "coding"
    seen = len(notes(app))
    await pilot.press("c")
    await pilot.press(*rng.choice(QUERIES), "enter")
    await until(pilot, lambda: app.status_text.startswith("✓ saved") or len(notes(app)) > seen)
    if not app.status_text.startswith("✓ saved"):
        say("refused", coder, screen.tid, repr((notes(app) or ["no answer"])[-1])[:200])
        return None
    c = app.project.coding(screen.current)
    say("ack", coder, c.transcript, c.start, c.end, c.code, c.id)
    return c.id, c.transcript, c.start, c.end, c.code


async def settle(app):
    # Other processes' saves redraw screens (live view), which restarts exclusive workers: a
    # cancelled worker was replaced by a newer one, so wait again.
    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await asyncio.sleep(0.05)


async def open_transcript(app, pilot, visit):
    await settle(app)
    await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen)
                and app.screen.query_one(DataTable).row_count > 0)
    rows = app.screen.query_one(DataTable).row_count
    await pilot.press(*["up"] * rows, *["down"] * (visit % rows), "enter")
    assert await until(pilot, lambda: isinstance(app.screen, CodingScreen)), "the coding screen did not open"
    return app.screen


async def back_to_list(app, pilot):
    for _ in range(3):
        if isinstance(app.screen, CodingScreen):
            await pilot.press("escape")
            await pilot.pause()
    await until(pilot, lambda: isinstance(app.screen, TranscriptsScreen))


async def soak(app, pilot, rng):
    deadline = time.monotonic() + seconds
    visit = int(coder[1:]) if coder[1:].isdigit() else 0
    while time.monotonic() < deadline and app.is_running:
        screen = await open_transcript(app, pilot, visit)
        visit += 1
        for _ in range(rng.randint(6, 14)):
            if time.monotonic() > deadline:
                break
            unit = await code_one(app, pilot, screen, rng)
            if unit and rng.random() < 0.15:
                app.status_text = "undoing"
                await pilot.press("ctrl+z")
                await until(pilot, lambda: app.status_text != "undoing", 15)
                if app.status_text.startswith("✓ saved: undo"):
                    say("undo", coder, *unit[1:], unit[0])
                else:
                    say("refused-undo", coder, repr((notes(app) or ["no answer"])[-1])[:200])
        await back_to_list(app, pilot)


async def wait_file(name, timeout=120):
    end = time.monotonic() + timeout
    while not os.path.exists(name):
        if time.monotonic() > end:
            raise SystemExit(f"no {name} in time")
        await asyncio.sleep(0.05)


async def paused(app, pilot, rng):
    screen = await open_transcript(app, pilot, 0)
    for stage in ("paused", "coded4"):
        done = 0
        for _ in range(10):
            if done == 2:
                break
            done += (await code_one(app, pilot, screen, rng)) is not None
        say(stage)
        await wait_file(f"{path}.go{1 if stage == 'paused' else 2}")
    await back_to_list(app, pilot)


async def main():
    rng = random.Random(seed)
    app = QualcodeApp(path, coder=coder)
    async with app.run_test(size=(120, 40)) as pilot:
        await (soak if mode == "soak" else paused)(app, pilot, rng)
        await settle(app)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, 10)
    say("done", coder, app.return_code)


asyncio.run(main())
'''


@dataclass
class Tally:
    """What every process reported, and what went wrong."""

    acked: list[tuple] = field(default_factory=list)  # (id, coder, transcript, start, end, code, who)
    undone: list[tuple] = field(default_factory=list)
    busy: Counter = field(default_factory=Counter)
    runs: Counter = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def output(self, who: str, stdout: str, stderr: str) -> None:
        with self.lock:
            if "Traceback" in stderr or "Traceback" in stdout:
                self.tracebacks.append(f"{who}: {_last_lines(stderr or stdout)}")
            if "database is locked" in stderr + stdout:
                self.locked.append(f"{who}: {_last_lines(stderr + stdout)}")


def _last_lines(text: str, n: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-n:])


def _cli_writer(path: Path, coder: str, lengths: dict[str, int], deadline: float, tally: Tally, env) -> None:
    rng = random.Random(coder)
    codes = ["hap", "hap-sol", "hap-gjen", "rec"]
    n = 0
    while time.monotonic() < deadline:
        tid = sorted(lengths)[n % len(lengths)]
        start = (n * 37 + rng.randrange(5)) % (lengths[tid] - 40)
        end = start + 8 + rng.randrange(25)
        code = codes[n % len(codes)]
        n += 1
        try:
            r = cli("code", path, tid, "--start", start, "--end", end, "--code", code, "--coder", coder,
                    env=env, timeout=90)
        except subprocess.TimeoutExpired:
            with tally.lock:
                tally.unexpected.append(f"{coder}: 'code' hung for 90 s")
            continue
        tally.output(coder, r.stdout, r.stderr)
        with tally.lock:
            tally.runs[coder] += 1
            if r.returncode == 0:
                unit_id = int(r.stdout.split()[1].rstrip(":"))
                tally.acked.append((unit_id, coder, tid, start, end, code, coder))
            elif is_one_line_error(r) and BUSY_TEXT in r.stderr:
                tally.busy[coder] += 1
            elif is_one_line_error(r) and "already coded" in r.stderr:
                pass  # the same span and code twice: a refusal, not a loss
            elif "Traceback" not in r.stderr:
                tally.unexpected.append(f"{coder}: exit {r.returncode}: {_last_lines(r.stderr)}")


def _cli_reader(path: Path, coders: list[str], deadline: float, tally: Tally, env, out: Path) -> None:
    commands = [
        ["info", path], ["units", path, "--json"], ["transcripts", path],
        ["agreement", path, "--coders", ",".join(coders[:2]), "--transcript", "T1", "--transcript", "T2",
         "--bootstrap", "0", "--json"],
        ["backup", path], ["check", path], ["backups", path],
        ["export", path, "units", "--format", "csv", "--out", out],
    ]
    n = 0
    while time.monotonic() < deadline:
        args = commands[n % len(commands)]
        n += 1
        try:
            r = cli(*args, env=env, timeout=90)
        except subprocess.TimeoutExpired:
            with tally.lock:
                tally.unexpected.append(f"reader: {args[0]} hung for 90 s")
            continue
        tally.output(f"reader {args[0]}", r.stdout, r.stderr)
        with tally.lock:
            tally.runs[f"reader {args[0]}"] += 1
            if r.returncode == 0:
                continue
            if is_one_line_error(r) and BUSY_TEXT in r.stderr:
                tally.busy[f"reader {args[0]}"] += 1
            elif args[0] == "agreement" and is_one_line_error(r) and "damaged" not in r.stderr:
                pass  # a user error, e.g. a coder with no units in these transcripts yet
            elif "Traceback" not in r.stderr:
                tally.unexpected.append(f"reader {args[0]}: exit {r.returncode}: {_last_lines(r.stderr + r.stdout)}")


def _start_workbench(tmp_path: Path, path: Path, coder: str, mode: str, seconds: float, seed: int, env):
    script = tmp_path / "workbench.py"
    script.write_text(WORKBENCH, encoding="utf-8")
    out = (tmp_path / f"{coder}.out").open("w")
    err = (tmp_path / f"{coder}.err").open("w")
    proc = subprocess.Popen([PY, str(script), str(path), coder, mode, str(seconds), str(seed)],
                            stdout=out, stderr=err, env=env, text=True)
    proc.files = (out, err)  # type: ignore[attr-defined]
    return proc


def collect(tmp_path: Path, proc, coder: str, timeout: float, tally: Tally, what: str) -> tuple[str, str]:
    """Wait for a coder process started with its output in ``CODER.out``/``.err`` (killed after
    ``timeout``, which the tally notes), and hand its output to the tally; (stdout, stderr)."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        tally.unexpected.append(f"{coder}: {what} did not finish within {timeout:.0f} s (killed)")
    for fh in proc.files:
        fh.close()
    stdout = (tmp_path / f"{coder}.out").read_text(encoding="utf-8")
    stderr = (tmp_path / f"{coder}.err").read_text(encoding="utf-8")
    tally.output(coder, stdout, stderr)
    tally.runs[coder] += 1
    return stdout, stderr


def _finish_workbench(tmp_path: Path, proc, coder: str, timeout: float, tally: Tally) -> None:
    stdout, stderr = collect(tmp_path, proc, coder, timeout, tally, "the workbench")
    for line in stdout.splitlines():
        kind, *rest = line.split()
        if kind in ("ack", "undo"):
            who, tid, start, end, code, unit_id = rest
            entry = (int(unit_id), who, tid, int(start), int(end), code, coder)
            (tally.acked if kind == "ack" else tally.undone).append(entry)
        elif kind in ("refused", "refused-undo") and BUSY_TEXT in line:
            tally.busy[coder] += 1
    if proc.returncode != 0:
        tally.unexpected.append(f"{coder}: the workbench exited with {proc.returncode}: {_last_lines(stderr)}")
    elif not any(line.startswith("done") for line in stdout.splitlines()):
        tally.unexpected.append(f"{coder}: the workbench did not get to the end: {_last_lines(stderr)}")


def _verify(path: Path, tally: Tally) -> tuple[list[str], dict]:
    """Everything acknowledged and not undone is in the file, under its id; ids are not shared."""
    problems = []
    try:
        rows = {r[0]: r[1:] for r in read_codings(path)}
    except sqlite3.DatabaseError as exc:
        rows = {}
        problems.append(f"the codings cannot be read back: {exc}")
    undone = {(u[0], u[1], u[2], u[3], u[4], u[5]) for u in tally.undone}
    live = [a for a in tally.acked if a[:6] not in undone]
    lost = [a for a in live if rows.get(a[0]) != a[1:6]]
    ids = Counter(a[0] for a in tally.acked)  # also those undone since: an id is never given twice
    reused = sorted(i for i, n in ids.items() if n > 1)
    if lost:
        problems.append(f"{len(lost)} acknowledged codings are not in the file as reported, e.g. "
                        + "; ".join(f"id {a[0]} {a[1:6]} by {a[6]}: file has {rows.get(a[0])}" for a in lost[:4]))
    if reused:
        problems.append(f"{len(reused)} unit ids were acknowledged twice (reused), e.g. {reused[:6]}")
    bad = integrity(path)
    if bad:
        problems.append(f"integrity_check: {bad[:3]}")
    if tally.tracebacks:
        problems.append(f"{len(tally.tracebacks)} processes printed a traceback, e.g. {tally.tracebacks[:3]}")
    if tally.locked:
        problems.append(f"{len(tally.locked)} processes printed 'database is locked', e.g. {tally.locked[:2]}")
    problems += tally.unexpected[:8]
    figures = {
        "codings acknowledged": Counter(a[6] for a in tally.acked),
        "undone": len(tally.undone),
        "lost": len(lost),
        "ids reused": len(reused),
        "tracebacks": len(tally.tracebacks),
        "busy refusals": dict(tally.busy),
        "process runs": dict(tally.runs),
        "rows in file": len(rows),
    }
    return problems, figures


def _soak(tmp_path: Path, workbenches: int, seconds: float) -> None:
    path = build_project(tmp_path / "soak.qualcode")
    env = child_env(tmp_path)
    conn = sqlite3.connect(path)  # no Project is open in this process
    lengths = dict(conn.execute("SELECT id, length(text) FROM transcripts").fetchall())
    conn.close()
    coders = [f"W{i + 1}" for i in range(workbenches)]
    tally = Tally()
    started = time.monotonic()
    procs = [_start_workbench(tmp_path, path, c, "soak", seconds, i, env) for i, c in enumerate(coders)]
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_cli_writer, args=(path, c, lengths, deadline, tally, env), daemon=True)
               for c in ("CLI1", "CLI2")]
    threads.append(threading.Thread(target=_cli_reader, daemon=True,
                                    args=(path, coders, deadline, tally, env, tmp_path / "units.csv")))
    for t in threads:
        t.start()
    ended = {}
    for proc, coder in zip(procs, coders):
        _finish_workbench(tmp_path, proc, coder, max(5.0, deadline - time.monotonic()) + 120, tally)
        ended[coder] = round(time.monotonic() - started)
    for t in threads:
        t.join(120)
        if t.is_alive():
            tally.unexpected.append("a CLI loop did not stop")
    ended["cli"] = round(time.monotonic() - started)
    problems, figures = _verify(path, tally)
    acked = figures["codings acknowledged"]
    summary = (f"soak {workbenches} workbenches + 2 CLI writers + 1 reader, {seconds:.0f} s "
               f"(took {time.monotonic() - started:.0f} s): {len(acked)} processes x "
               f"{sum(acked.values())} codings acknowledged {dict(acked)}, undone {figures['undone']}, "
               f"lost {figures['lost']}, ids reused {figures['ids reused']}, tracebacks {figures['tracebacks']}, "
               f"busy refusals {figures['busy refusals']}, runs {figures['process runs']}, "
               f"rows in file {figures['rows in file']}, ended at s {ended}")
    print("\n" + summary)
    for problem in problems:
        print("  PROBLEM:", problem)
    assert not problems, summary + "\n" + "\n".join(problems)
    assert all(acked.get(c, 0) > 0 for c in coders), f"a workbench never saved anything: {summary}"


def test_soak_two_workbenches_and_cli_writers_lose_nothing(tmp_path):
    _soak(tmp_path, 2, SOAK_SECONDS)


def test_soak_four_workbenches_and_cli_writers_lose_nothing(tmp_path):
    _soak(tmp_path, 4, max(10.0, SOAK_SECONDS * 0.6))


# --- one CLI command while a workbench is open ------------------------------------------------------


def _deleted_wal_links(pid: int, path: Path) -> list[str]:
    """Descriptors of process ``pid`` on the project's -wal (or -shm) file that is deleted."""
    found = []
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:
        return found
    for fd in entries:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(f"{path}-") and "(deleted)" in target:
            found.append(f"fd {fd.name} -> {target}")
    return found


class _WalWatch(threading.Thread):
    """Looks at the workbench's descriptors every 20 ms while it runs."""

    def __init__(self, pid: int, path: Path):
        super().__init__(daemon=True)
        self.pid, self.path = pid, path
        self.seen: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            for link in _deleted_wal_links(self.pid, self.path):
                if link not in self.seen:
                    self.seen.append(link)


def _wait_line(out: Path, proc, wanted: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if wanted in out.read_text(encoding="utf-8").split():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"the workbench never printed {wanted!r}; stdout: {out.read_text()[-500:]}; "
                         f"stderr: {(out.with_suffix('.err')).read_text()[-1500:]}")


def test_cli_commands_beside_an_open_workbench_keep_its_wal_and_its_codings(tmp_path):
    path = build_project(tmp_path / "beside.qualcode", transcripts=1, turns=24)
    env = child_env(tmp_path)
    proc = _start_workbench(tmp_path, path, "W1", "pause", 0, 7, env)
    watch = _WalWatch(proc.pid, path)
    watch.start()
    out = tmp_path / "W1.out"
    problems = []
    try:
        _wait_line(out, proc, "paused")
        info = cli("info", path, env=env, timeout=60)
        problems += [f"info: {info.stderr.strip()[-300:]}"] if info.returncode else []
        problems += [f"after 'info': {link}" for link in _deleted_wal_links(proc.pid, path)]
        coded = cli("code", path, "T1", "--start", "3", "--end", "12", "--code", "rec", "--coder", "CLI",
                    env=env, timeout=60)
        assert coded.returncode == 0, coded.stderr
        cli_unit = int(coded.stdout.split()[1].rstrip(":"))
        problems += [f"after 'code': {link}" for link in _deleted_wal_links(proc.pid, path)]
        (tmp_path / "beside.qualcode.go1").touch()
        _wait_line(out, proc, "coded4")
        problems += [f"after two more codings: {link}" for link in _deleted_wal_links(proc.pid, path)]
        # What the workbench saved after the CLI ran must be visible to another process now.
        visible = {r[0] for r in read_codings(path)}
        (tmp_path / "beside.qualcode.go2").touch()
        tally = Tally()
        _finish_workbench(tmp_path, proc, "W1", 60, tally)
    finally:
        watch.stop.set()
        watch.join(5)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    acked = {a[0]: a[1:6] for a in tally.acked}
    rows = {r[0]: r[1:] for r in read_codings(path)}
    print(f"\nworkbench acknowledged {len(acked)} units, CLI unit {cli_unit}, file has {sorted(rows)}, "
          f"deleted -wal/-shm seen: {watch.seen}")
    problems += [f"while running: {link}" for link in watch.seen]
    problems += tally.unexpected + tally.tracebacks + tally.locked
    if len(acked) != 4:
        problems.append(f"the workbench acknowledged {len(acked)} units, not 4: {out.read_text()}")
    if cli_unit in acked:
        problems.append(f"unit id {cli_unit} was given to the CLI and to the workbench")
    missing = [(i, a) for i, a in acked.items() if rows.get(i) != a]
    if missing:
        problems.append(f"workbench units not in the file as reported: {missing}; file: {rows}")
    if rows.get(cli_unit) != ("CLI", "T1", 3, 12, "rec"):
        problems.append(f"the CLI's unit {cli_unit} is not in the file: {rows.get(cli_unit)}")
    if not set(acked) <= visible:
        problems.append(f"units the workbench saved were not visible to another process while it ran: "
                        f"saved {sorted(acked)}, visible {sorted(visible)}")
    bad = integrity(path)
    if bad:
        problems.append(f"integrity_check: {bad[:3]}")
    assert not problems, "\n".join(problems)
