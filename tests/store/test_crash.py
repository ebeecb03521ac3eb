"""Killing qualcode mid-work never corrupts a project or loses a coding it reported as saved.

A child process codes as fast as it can and prints each unit after the store returns; the test
kills it with SIGKILL at a random moment, again and again, and then checks the file.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qualcode.core.errors import ProjectBusy
from qualcode.store import Project

CODER_LOOP = r"""
import sys
from qualcode.store import Project

path, round_no = sys.argv[1], int(sys.argv[2])
project = Project.open(path, backup=False)
span = len(project.text("T1")) - 1
i = 0
while True:
    coder = f"K{round_no}x{i // span}"
    start = i % span
    unit = project.add_coding("T1", start, start + 1, "hap", coder, condensed=f"{round_no}:{i}")
    print("add", i, unit.id, start, flush=True)
    if i % 5 == 2:
        project.update_coding(unit.id, memo=f"memo {i}")
        print("memo", i, unit.id, flush=True)
    if i % 11 == 7:
        project.undo(coder)
        print("undo", i, unit.id, flush=True)
    i += 1
"""


def _ops_after(kind: str, i: int) -> str:
    """The action the child takes after ``kind`` in iteration ``i`` (its loop, restated)."""
    if kind == "add" and i % 5 == 2:
        return "memo"
    if kind in ("add", "memo") and i % 11 == 7:
        return "undo"
    return "add"


class Model:
    """What the project must hold after the child's reported actions."""

    def __init__(self, round_no: int):
        self.round_no = round_no
        self.units: dict[int, tuple[int, str, str]] = {}
        self.last: tuple | None = None  # (kind, i, unit id, state of that unit before)

    def apply(self, kind: str, i: int, unit_id: int, start: int | None = None) -> None:
        before = self.units.get(unit_id)
        if kind == "add":
            self.units[unit_id] = (start, f"{self.round_no}:{i}", "")
        elif kind == "memo":
            s, c, _ = self.units[unit_id]
            self.units[unit_id] = (s, c, f"memo {i}")
        else:  # undo takes back the action just before it: the memo edit or the creation
            _, _, last_id, last_before = self.last
            if last_before is None:
                del self.units[last_id]
            else:
                self.units[last_id] = last_before
        self.last = (kind, i, unit_id, before)

    def in_flight(self) -> dict[int, tuple[int, str, str]] | None:
        """The state if the action after the last reported one committed but was not reported."""
        if self.last is None:
            return None
        kind, i, unit_id, _ = self.last
        following = _ops_after(kind, i)
        if following == "add":
            return None  # a new unit the test never heard of: no reported unit changes
        import copy

        twin = copy.deepcopy(self)
        twin.apply(following, i, unit_id)
        return twin.units


def _run_and_kill(path, round_no: int, seconds: float) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CODER_LOOP, str(path), str(round_no)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    time.sleep(seconds)
    assert proc.poll() is None, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(5)
    # Only whole lines were reported; a line cut off by the kill was never a report.
    return [line for line in lines if line.endswith("\n")]


def test_sigkill_mid_work_loses_nothing_reported(project):
    path = project.path
    project.close()
    rng = random.Random(20261122)
    reported_units = 0
    for round_no in range(8):
        model = Model(round_no)
        for line in _run_and_kill(path, round_no, rng.uniform(0.8, 1.6)):
            kind, i, unit_id, *start = line.split()
            model.apply(kind, int(i), int(unit_id), int(start[0]) if start else None)
        with Project.open(path, backup=False) as p:
            assert p.integrity_check() == []
            found = {c.id: (c.start, c.condensed, c.memo) for c in p.codings() if c.coder.startswith(f"K{round_no}x")}
        acceptable = [model.units, model.in_flight()]
        seen = {k: found.get(k) for k in set(model.units) | set(acceptable[1] or {})}
        assert any(seen == {k: state.get(k) for k in seen} for state in acceptable if state is not None), (
            f"round {round_no}: the project does not hold what the coder was told was saved: "
            f"{[(k, found.get(k), model.units.get(k)) for k in model.units if found.get(k) != model.units.get(k)][:5]}"
        )
        reported_units += len(model.units)
    assert reported_units > 100  # the children really worked before being killed


WRITER = r"""
import sys
from qualcode.store import Project
project = Project.open(sys.argv[1], backup=False)
for i in range(int(sys.argv[3])):
    project.add_coding("T1", i, i + 1, "rec", sys.argv[2])
print("done", flush=True)
"""


def test_two_processes_writing_at_once_both_succeed(project):
    project.close()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(project.path), coder, "150"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for coder in ("AB", "CD")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    with Project.open(project.path, backup=False) as p:
        assert p.integrity_check() == []
        assert {c: len(p.codings(coder=c)) for c in ("AB", "CD")} == {"AB": 150, "CD": 150}


HOLDER = r"""
import sys, time, sqlite3
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


HOLDER_SERVER = r"""
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("BEGIN")
conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")  # as a writing qualcode does
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_a_second_process_waits_then_gets_a_clear_message(project, monkeypatch):
    path = project.path
    project.close()
    holder_code = HOLDER if isinstance(path, Path) else HOLDER_SERVER
    holder = subprocess.Popen([sys.executable, "-c", holder_code, str(path), "2.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT_MS", "300")
    with Project.open(path, backup=False) as p:
        with pytest.raises(ProjectBusy, match="another qualcode process is writing"):
            p.add_coding("T1", 0, 3, "hap", "AB")
        assert p.codings() == []
        # With a patient timeout the same action waits for the lock and then succeeds.
        monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT_MS", "20000")
    with Project.open(path, backup=False) as p:
        p.add_coding("T1", 0, 3, "hap", "AB")
        assert len(p.codings()) == 1
    holder.wait(10)
