"""A project moved between a file and a PostgreSQL server, both ways, loses nothing.

Built the way a project really fills: the example (two coders, names decisions, marks), then a
memo on a span, reconciliation decisions, suggestions taken and passed over, a cached analysis,
REFI-QDA GUIDs, a renamed code (codebook history), a deleted unit (so the id high-water mark is
above every id) and an undone action (so a redo is waiting). Every table of the store is compared
row by row after file -> server -> file, the audit trail verifies on each side, and undo and redo
go on where they were."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.store import Project, analysis, audit, reconcile, transfer
from qualcode.store.copying import copy_project

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def build_rich_project(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "qualcode", "example", str(path)], check=True, capture_output=True)
    with Project.open(path, backup=False) as p:
        tid = p.transcripts()[0].id
        p.add_memo("Et notat om et sted i teksten", target_type="transcript", target_id=tid, author="AB",
                   start=10, end=40)
        p.add_memo("Prosjektnotat", author="CD")
        items = reconcile.items(p, ["AB", "CD"])
        reconcile.decide(p, items[0], "accept", decided_by="AB", coders=["AB", "CD"], accept="AB")
        reconcile.decide(p, items[1], "both", decided_by="AB", coders=["AB", "CD"])
        code, other = [node.id for _, node in p.codebook().walk()][:2]
        p.record_suggestions(tid, 0, 30, "AB", [(code, 1, 0.61, "accepted"), (other, 2, 0.2, "rejected")])
        analysis.save(p, "abc123", "nb_test", "1.0", b"\x00\x01binary\xff")
        p.remember_refi_guids("code", {code: "0f2a7c3e-0000-4000-8000-000000000001"})
        p.rename_code(code, "Et nytt navn", coder="AB")
        unit = p.add_coding(tid, 50, 90, code, "AB")
        p.delete_coding(unit.id, coder="AB")
        p.add_coding(tid, 95, 120, code, "CD")
        p.undo("CD")


def snapshot(project: Project) -> dict[str, list]:
    conn = project.conn
    out = {table: transfer.rows(conn, table, transfer.columns(conn, table)) for table in transfer.TABLES}
    out["high water"] = sorted((t, mark) for t, mark in transfer.high_water(conn).items() if t != "audit_log")
    return out


def test_file_to_server_to_file_keeps_everything(tmp_path: Path, pg_url: str):
    original = tmp_path / "studie.qualcode"
    build_rich_project(original)
    there = copy_project(original, pg_url, who="AB")
    assert there.units > 50 and there.source_hash
    back = tmp_path / "tilbake.qualcode"
    copy_project(pg_url, back, who="AB")

    with Project.open(original, backup=False) as a, Project.open(pg_url) as s, Project.open(back) as b:
        before, on_server, after = snapshot(a), snapshot(s), snapshot(b)
        for table in before:
            if table == "audit_log":
                continue
            assert on_server[table] == before[table], table
            assert after[table] == before[table], table
        # The trail is the source's, then one entry per copy, each naming where its source ended.
        n = len(before["audit_log"])
        assert on_server["audit_log"][:n] == before["audit_log"]
        assert after["audit_log"][: n + 1] == on_server["audit_log"]
        assert [e.kind for e in audit.entries(b)][-2:] == ["copy", "copy"]
        assert audit.entries(b)[-2].detail["source_hash"] == before["audit_log"][-1][-1]
        assert audit.verify(a) == audit.verify(s) == audit.verify(b) == []
        assert [v.label for v in s.codebook_versions()] == [v.label for v in a.codebook_versions()]
        assert s.history() == a.history()

        # Undo and redo go on where they were, on the server as on the file.
        assert s.redo("CD") == a.redo("CD")
        assert s.undo("AB") == a.undo("AB")
        assert audit.verify(s) == []
        # A new unit never takes the id of one deleted before the copy.
        tid = s.transcripts()[0].id
        code = s.codebook().codes[0].id
        assert s.add_coding(tid, 200, 230, code, "AB").id == a.add_coding(tid, 200, 230, code, "AB").id


def test_a_copy_goes_only_to_an_empty_place(tmp_path: Path, pg_url: str):
    from qualcode.core.errors import UserError

    original = tmp_path / "studie.qualcode"
    build_rich_project(original)
    copy_project(original, pg_url)
    with pytest.raises(UserError, match="a qualcode project is on this server already"):
        copy_project(original, pg_url)
    with pytest.raises(UserError, match="exists already"):
        copy_project(pg_url, original)
    assert not list(tmp_path.glob(".*creating*"))


def test_a_failed_copy_leaves_no_project_on_the_server(tmp_path: Path, pg_url: str, monkeypatch):
    original = tmp_path / "studie.qualcode"
    build_rich_project(original)
    real = transfer.insert_rows

    def failing(conn, table, names, data):
        if table == "codings":
            raise OSError("the network went away")
        return real(conn, table, names, data)

    monkeypatch.setattr(transfer, "insert_rows", failing)
    with pytest.raises(OSError):
        copy_project(original, pg_url)
    monkeypatch.setattr(transfer, "insert_rows", real)
    copy_project(original, pg_url)  # nothing was left behind to refuse it
    with Project.open(pg_url) as s:
        assert s.info().codings > 0


def test_a_qdpx_imported_into_a_server_project_is_one_entry_of_an_intact_trail(tmp_path: Path, pg_url: str):
    """The import runs on a private working copy and comes back whole (store.staging): the trail
    continues without a gap."""
    original = tmp_path / "studie.qualcode"
    build_rich_project(original)
    qdpx = tmp_path / "studie.qdpx"
    done = subprocess.run([sys.executable, "-m", "qualcode", "export", str(original), "qdpx", "--out", str(qdpx)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    subprocess.run([sys.executable, "-m", "qualcode", "init", pg_url], check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "qualcode", "import", pg_url, str(qdpx)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Project.open(pg_url) as s, Project.open(original, backup=False) as a:
        assert s.info().codings == a.info().codings
        assert audit.verify(s) == []
        assert [e.kind for e in audit.entries(s)] == ["create", "import"]
