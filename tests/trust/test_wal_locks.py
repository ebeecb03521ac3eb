"""Finding 1 of the trust issue: a second handle on a project in the same process must not
drop the first one's locks, or another process deletes the live WAL and saved codings vanish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qualcode.store import Project


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True, text=True, timeout=120)


def _count_codings_elsewhere(path: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys, sqlite3; c = sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from codings').fetchone()[0])",
         str(path)],
        capture_output=True, text=True, check=True,
    )
    return int(out.stdout)


def test_second_open_in_process_keeps_the_wal_of_the_first(project: Project) -> None:
    path = project.path
    project.add_coding("T1", 0, 5, "hap", "EF")
    Project.open(path, backup=False).close()  # a worker or screen opening its own handle
    assert _cli("info", str(path)).returncode == 0
    assert Path(f"{path}-wal").exists(), "another process deleted the live WAL"
    unit = project.add_coding("T1", 6, 9, "hap", "EF")
    # What this process saves after that must be visible to every other process.
    assert _count_codings_elsewhere(path) == 2
    assert project.coding(unit.id).coder == "EF"


def test_ids_seen_by_other_processes_are_never_reused(project: Project) -> None:
    path = project.path
    Project.open(path, backup=False).close()
    _cli("info", str(path))
    first = project.add_coding("T1", 0, 5, "hap", "EF")
    r = _cli("code", str(path), "T1", "--start", "10", "--end", "20", "--code", "rec", "--coder", "GH")
    assert r.returncode == 0, r.stderr
    second = project.add_coding("T1", 21, 25, "hap", "EF")
    ids = [c.id for c in project.codings()]
    assert len(ids) == len(set(ids)) == 3
    assert first.id != second.id
