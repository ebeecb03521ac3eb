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
    start = i % span
    unit = project.add_coding("T1", start, start + 1, "hap", f"K{round_no}x{i // span}", condensed=f"{round_no}:{i}")
    print("saved", unit.id, unit.start, unit.condensed, flush=True)
    if i % 5 == 2:
        project.update_coding(unit.id, memo=f"memo {i}")
        print("memo", unit.id, f"memo {i}", flush=True)
    if i % 11 == 7:
        project.undo(unit.coder)
        print("undone", unit.id, flush=True)
    i += 1
"""


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
    expected: dict[int, tuple[int, str, str]] = {}
    for round_no in range(8):
        for line in _run_and_kill(path, round_no, rng.uniform(0.8, 1.6)):
            kind, unit_id, payload = (line.rstrip("\n").split(" ", 2) + [""])[:3]
            unit_id = int(unit_id)
            if kind == "saved":
                start, condensed = payload.split(" ")
                expected[unit_id] = (int(start), condensed, "")
            elif kind == "memo":
                start, condensed, _ = expected[unit_id]
                expected[unit_id] = (start, condensed, payload)
            else:  # undone: the unit's creation was taken back
                del expected[unit_id]
        with Project.open(path, backup=False) as p:
            assert p.integrity_check() == []
            found = {c.id: (c.start, c.condensed, c.memo) for c in p.codings()}
        missing = {k: v for k, v in expected.items() if found.get(k) != v}
        assert not missing, f"round {round_no}: {len(missing)} reported as saved but not found, e.g. {list(missing.items())[:5]}"
    assert len(expected) > 100  # the children really worked before being killed


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


def test_a_second_process_waits_then_gets_a_clear_message(project, monkeypatch):
    path = project.path
    project.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), "2.5"], stdout=subprocess.PIPE, text=True)
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
