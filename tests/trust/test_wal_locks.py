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


def test_a_version_5_file_keeps_its_ids_and_never_reuses_a_deleted_one(tmp_path, monkeypatch):
    """Schema 6 rebuilds codings and memos with AUTOINCREMENT; the counter starts above every id
    the file ever used, including units deleted and only remembered by the undo journal."""
    from qualcode.store import schema

    from ..conftest import make_parsed

    path = tmp_path / "v5.qualcode"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
        m.setattr(schema, "SCHEMA_VERSION", 5)
        m.setattr("qualcode.store.project.SCHEMA_VERSION", 5)
        # Today's code writes columns a v5 file lacks: the rows as v5 code wrote them, by hand.
        old = Project.create(path)
        old.import_transcript(make_parsed(), title="FG1")
        conn = old.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE journal_state SET recording = 0")
        for code, name in (("hap", "Håp"), ("rec", "Recovery")):
            conn.execute("INSERT INTO codes (id, name) VALUES (?, ?)", (code, name))
        conn.execute("UPDATE journal_state SET recording = 1")
        stamp = "2025-01-01T00:00:00"

        def action(label: str) -> None:
            conn.execute("INSERT INTO actions (label, coder, created_at) VALUES (?, 'AB', ?)", (label, stamp))

        ids = []
        for i in range(3):
            action(f"code T1 {i * 4}-{i * 4 + 3} as hap")
            ids.append(conn.execute(
                "INSERT INTO codings (transcript_id, start, end, code_id, coder, created_at, updated_at)"
                " VALUES ('T1', ?, ?, 'hap', 'AB', ?, ?)", (i * 4, i * 4 + 3, stamp, stamp)).lastrowid)
        action("memo on coding")
        conn.execute("INSERT INTO memos (target_type, target_id, author, text, created_at, updated_at)"
                     " VALUES ('coding', ?, 'AB', 'om enheten', ?, ?)", (str(ids[2]), stamp, stamp))
        action(f"delete unit {ids[2]}")
        conn.execute("DELETE FROM memos WHERE target_type = 'coding' AND target_id = ?", (str(ids[2]),))
        conn.execute("DELETE FROM codings WHERE id = ?", (ids[2],))
        conn.execute("COMMIT")
        assert old.conn.execute("PRAGMA user_version").fetchone()[0] == 5
        old.close()
    with Project.open(path, backup=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert [c.id for c in p.codings()] == ids[:2]
        new = p.add_coding("T1", 30, 33, "rec", "AB")
        assert new.id > ids[2]
        assert p.memos(target_type="coding", target_id=str(new.id)) == []
        assert p.undo("AB") == "code T1 30-33 as rec"
        assert p.undo("AB") == f"delete unit {ids[2]}"  # the old unit comes back, under its id
        assert ids[2] in [c.id for c in p.codings()]
        assert p.integrity_check() == []
