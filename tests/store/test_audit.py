"""The audit trail: every change an entry with who and when, hash-chained, so that an entry
changed or deleted behind qualcode's back (the sqlite3 shell) is found and named."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qualcode.core.errors import UserError
from qualcode.store import Project, audit, deid, reconcile
from qualcode.store.merge import merge_project

from ..conftest import make_parsed


def log(path: Path) -> list[tuple]:
    """Every row of audit_log, read with plain sqlite3 (no Project of this process has it open)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, at, who, kind, summary, detail, prev_hash, hash FROM audit_log"
                            " ORDER BY id").fetchall()
    finally:
        conn.close()


def shell(path: Path, *statements: str, guard_back: bool = False) -> None:
    """What someone with the sqlite3 shell would do: drop the guard, change the log, and perhaps
    put the guard back to hide it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)
        if guard_back:
            conn.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
                         " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
            conn.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
                         " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
        conn.commit()
    finally:
        conn.close()


def problems(path: Path, **kwargs) -> list[str]:
    with Project.open(path, backup=False) as p:
        return audit.verify(p, **kwargs)


def last(project: Project) -> audit.Entry:
    return audit.entries(project)[-1]


# --- what is recorded ------------------------------------------------------------------------------


def test_each_entry_is_chained_to_the_one_before_by_its_hash(project):
    turn = project.turns("T1")[1]
    project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    rows = log_of(project)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    previous = "0" * 64
    for entry_id, at, who, kind, summary, detail, prev_hash, digest in rows:
        assert prev_hash == previous
        payload = json.dumps({"id": entry_id, "at": at, "who": who, "kind": kind, "summary": summary,
                              "detail": json.loads(detail)}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert digest == hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()
        previous = digest
    assert audit.verify(project) == []


def log_of(project: Project) -> list[tuple]:
    return [tuple(r) for r in project.conn.execute(
        "SELECT id, at, who, kind, summary, detail, prev_hash, hash FROM audit_log ORDER BY id")]


def test_creation_import_and_coding_are_entries_with_who_when_and_the_unit(project):
    first, second = audit.entries(project)
    assert (first.kind, first.summary) == ("create", "create project")
    assert {r["id"] for r in first.detail["rows"] if r["table"] == "codes"} == {"hap", "hap-sol", "hap-gjen", "rec"}
    assert (second.kind, second.summary) == ("import", "import transcript T1")
    text = project.text("T1")
    assert second.detail["transcripts"]["T1"]["checksum"] == hashlib.sha256(text.encode()).hexdigest()

    turn = project.turns("T1")[1]
    unit = project.add_coding("T1", turn.start, turn.end, "hap-gjen", "AB")
    entry = last(project)
    assert (entry.kind, entry.who, entry.summary) == ("action", "AB", f"code T1 {turn.start}-{turn.end} as hap-gjen")
    assert entry.at.endswith("+00:00") and entry.at[:4].isdigit()
    [row] = entry.detail["rows"]
    assert row == {"table": "codings", "op": "insert", "id": unit.id, "transcript": "T1",
                   "span": [turn.start, turn.end], "code": "hap-gjen", "coder": "AB", "origin": "manual", "starred": 0}

    project.update_coding(unit.id, code="hap-sol", condensed="Kjente seg igjen", coder="CD")
    entry = last(project)
    assert entry.who == "CD"
    [row] = entry.detail["rows"]
    assert (row["op"], row["code"], row["was"], row["changed"]) == ("update", "hap-sol", {"code": "hap-gjen"},
                                                                    ["code", "condensed"])
    assert "Kjente seg igjen" not in json.dumps(entry.as_dict(), ensure_ascii=False)  # no text in the trail
    project.delete_coding(unit.id)
    assert last(project).detail["rows"][0]["op"] == "delete"
    assert audit.verify(project) == []


def test_who_without_a_coder_is_the_environments_coder_or_the_login(project, monkeypatch):
    from qualcode.core.models import CodeNode

    monkeypatch.setenv("QUALCODE_CODER", "EF")
    project.add_code(CodeNode(id="ny", name="Ny kode"))
    assert last(project).who == "EF"
    monkeypatch.delenv("QUALCODE_CODER")
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "kari")
    project.add_code(CodeNode(id="ny2", name="Ny kode 2"))
    assert last(project).who == "kari (login)"


def test_a_change_that_fails_leaves_no_entry(project):
    turn = project.turns("T1")[1]
    project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    before = len(audit.entries(project))
    with pytest.raises(UserError, match="already coded"):
        project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    assert len(audit.entries(project)) == before
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.append(project.conn, "AB", "action", "outside")


def test_undo_and_redo_are_entries_naming_the_action_and_what_they_changed(project):
    turn = project.turns("T1")[2]
    unit = project.add_coding("T1", turn.start, turn.end, "rec", "AB")
    made = last(project)
    assert project.undo("AB") == f"code T1 {turn.start}-{turn.end} as rec"
    undo = last(project)
    assert (undo.kind, undo.who, undo.summary) == ("undo", "AB", f"undo code T1 {turn.start}-{turn.end} as rec")
    assert undo.detail["action"] == made.detail["action"] and undo.detail["entry"] == made.id
    assert undo.detail["rows"][0] | {"op": "insert"} == made.detail["rows"][0]
    assert undo.detail["rows"][0]["op"] == "delete"
    project.redo("AB")
    redo = last(project)
    assert (redo.kind, redo.detail["rows"][0]["op"], redo.detail["rows"][0]["id"]) == ("redo", "insert", unit.id)
    assert audit.verify(project) == []


def test_a_repair_records_the_texts_checksums_before_and_after(project):
    turn = project.turns("T1")[1]
    unit = project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    before = project.transcript("T1").checksum
    project.edit_turn("T1", 1, "Eh, jeg kjente meg igjen. Det var som å høre min egen historie.", coder="AB")
    entry = last(project)
    after = project.transcript("T1").checksum
    assert (entry.kind, entry.who) == ("repair", "AB")
    assert entry.detail["transcripts"] == {"T1": {"before": before, "after": after}}
    [row] = [r for r in entry.detail["rows"] if r["table"] == "transcript"]
    assert row["checksum"] == [before, after] and row["units_moved"] == [[unit.id, unit.id]]
    project.rename_speaker("T1", "P2", "Deltaker 2")
    assert "P2" not in last(project).summary and "Deltaker" not in last(project).summary
    project.undo()
    assert last(project).kind == "undo"
    project.set_roles("T1", [], strict=False)  # changes nothing: no action, no entry
    assert last(project).kind == "undo"
    from qualcode.core.edits import TextEdit

    project.edit_text("T1", [TextEdit(0, 0, "(start) ")], coder="AB")
    entry = last(project)
    assert (entry.kind, entry.summary) == ("repair", "edit text in T1")
    assert entry.detail["transcripts"]["T1"]["after"] == project.transcript("T1").checksum
    assert audit.verify(project) == []


def test_names_decisions_are_entries_that_never_hold_the_name(project):
    deid.add_term(project, "Kari", coder="AB")
    deid.add_term(project, "Fjellvik", "GPE_LOC", hide=False, coder="AB")
    deid.add_term(project, "Karri", variant_of="Kari", coder="AB")
    deid.remove_term(project, "Karri", coder="AB")
    assert project.undo("AB") == "forget name Karri"  # the journal's label has it; the trail never
    assert last(project).summary == "undo forget a name decision"
    names = [e for e in audit.entries(project) if e.kind == "names"]
    assert [e.summary for e in names] == ["hide a name (PER)", "keep a name (GPE_LOC)",
                                          "hide a spelling variant (PER)", "forget a name decision"]
    assert [(r["op"], r["kind"], r["hide"]) for e in names[:2] for r in e.detail["rows"]] == [
        ("insert", "PER", 1), ("insert", "GPE_LOC", 0)]
    everything = json.dumps([e.as_dict() for e in audit.entries(project)], ensure_ascii=False)
    assert "Kari" not in everything and "Fjellvik" not in everything


def test_a_redaction_records_every_texts_checksums_and_the_trail_stays_intact(project):
    project.import_transcript(make_parsed([("P1", "Kari bodde i Hamar.")]), title="FG2")
    turn = project.turns("T2")[0]
    unit = project.add_coding("T2", turn.start, turn.end, "rec", "AB")
    deid.add_term(project, "Kari")
    deid.add_term(project, "Hamar", "GPE_LOC")
    before = project.transcript("T2").checksum
    deid.redact(project, coder="AB")
    entry = last(project)
    assert (entry.kind, entry.who, entry.summary) == ("redact", "AB", "redact hidden names in 1 transcript")
    assert entry.detail["transcripts"]["T2"]["before"] == before
    assert entry.detail["transcripts"]["T2"]["after"] == project.transcript("T2").checksum != before
    assert entry.detail["transcripts"]["T2"]["replaced"] == 2
    trace = audit.trace_unit(project, unit.id)
    assert trace.text_as_recorded and entry.id in [e.id for e in trace.entries]
    assert audit.verify(project) == []


def test_reconciliation_decisions_are_entries(project):
    t = project.turns("T1")
    project.add_coding("T1", t[2].start, t[2].end, "hap-sol", "AB")
    project.add_coding("T1", t[2].start, t[2].start + 28, "rec", "CD")
    [item] = reconcile.items(project, ["AB", "CD"], disagreements_only=True)
    reconcile.decide(project, item, "accept", accept="CD", decided_by="AB", coders=["AB", "CD"], note="Enige")
    entry = last(project)
    assert (entry.kind, entry.who) == ("reconcile", "AB")
    [decision] = [r for r in entry.detail["rows"] if r["table"] == "reconciliation"]
    assert (decision["decision"], decision["accepted_from"], decision["coders"]) == ("accept", "CD", "AB,CD")
    [made] = [r for r in entry.detail["rows"] if r["table"] == "codings"]
    assert made["coder"] == "consensus" and decision["result_ids"] == [made["id"]]
    assert "Enige" not in json.dumps(entry.as_dict())
    assert audit.verify(project) == []


@pytest.mark.file_only
def test_a_merge_is_one_entry_and_the_trail_stays_intact(project, tmp_path):
    turns = project.turns("T1")
    copy = tmp_path / "studie-B.qualcode"
    project.close()
    shutil.copy(project.path, copy)
    with Project.open(copy, backup=False) as b:
        b.import_transcript(make_parsed([("P1", "Bare B har denne.")]), title="FG2")
        b.add_coding("T1", turns[1].start, turns[1].end, "hap-sol", "CD")
        b.add_coding("T2", 0, 4, "rec", "CD")
    with Project.open(project.path, backup=False) as a:
        before = len(audit.entries(a))
        merge_project(a, copy)
        merge_project(a, copy)  # nothing new: no entry
        [entry] = audit.entries(a)[before:]
        assert (entry.kind, entry.summary) == ("merge", f"merge from {copy.name}")
        assert {r["coder"] for r in entry.detail["rows"] if r["table"] == "codings"} == {"CD"}
        assert entry.detail["codings_added"] == 2 and list(entry.detail["transcripts"]) == ["T2"]
        assert entry.detail["transcripts"]["T2"]["checksum"] == a.transcript("T2").checksum
        a.undo()
        assert last(a).kind == "undo"
        assert audit.verify(a) == []


def test_deleting_a_transcript_names_its_units_and_their_trace_survives(project):
    turn = project.turns("T1")[1]
    unit = project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    checksum = project.transcript("T1").checksum
    project.delete_transcript("T1")
    entry = last(project)
    assert entry.summary == "delete transcript T1"
    assert entry.detail["transcripts"] == {"T1": {"checksum": checksum, "deleted": True}}
    assert entry.detail["units"] == [[unit.id, unit.id]]
    trace = audit.trace_unit(project, unit.id)
    assert not trace.exists and trace.transcript == "T1"
    assert [e.kind for e in trace.entries] == ["import", "action", "action"]
    with pytest.raises(UserError, match="no meaning unit with id 999"):
        audit.trace_unit(project, 999)


def test_a_refi_import_is_one_entry_and_its_units_trace_to_it(tmp_path):
    from qualcode.refi.importer import import_qdpx
    from qualcode.refi.write import write_qdpx
    from tests.exports.conftest import build_coded

    with build_coded(tmp_path / "a.qualcode") as coded:
        write_qdpx(coded, tmp_path / "a.qdpx")
    file_hash = hashlib.sha256((tmp_path / "a.qdpx").read_bytes()).hexdigest()
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "ny.qualcode")  # a new project
    with Project.open(tmp_path / "ny.qualcode", backup=False) as p:
        create, entry = audit.entries(p)
        assert (create.kind, entry.kind, entry.summary) == ("create", "import", "import REFI-QDA file a.qdpx")
        ids = [c.id for c in p.codings()]
        assert entry.detail["units"] == audit.ranges(ids) and entry.detail["unit_count"] == 7
        assert entry.detail["sha256"] == file_hash and sorted(entry.detail["transcripts"]) == ["T1", "T2"]
        assert [e.id for e in audit.trace_unit(p, ids[0]).entries] == [entry.id]
        assert audit.verify(p) == []
    with Project.create(tmp_path / "b.qualcode") as p:  # into an existing project: staged, then one entry
        p.import_transcript(make_parsed([("P1", "Et annet intervju.")]), title="FG9")
        before = len(audit.entries(p))
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "b.qualcode")
    with Project.open(tmp_path / "b.qualcode", backup=False) as p:
        [entry] = audit.entries(p)[before:]
        assert entry.kind == "import" and entry.detail["unit_count"] == 7
        assert sorted(entry.detail["transcripts"]) == ["T2", "T3"]
        assert audit.verify(p) == []


def test_an_export_is_recorded_with_each_files_checksum(project, tmp_path):
    files = [tmp_path / "sitater.docx", tmp_path / "enheter.csv"]
    files[0].write_bytes(b"PK\x03\x04" + bytes(range(256)) * 5000)  # over a chunk
    files[1].write_text("id;kode\n1;hap\n", encoding="utf-8")
    audit.record_export(project, "quotes", files, who="AB", detail={"format": "docx"})
    entry = last(project)
    assert (entry.kind, entry.who, entry.summary) == ("export", "AB", "export quotes: sitater.docx, enheter.csv")
    assert [f["sha256"] for f in entry.detail["files"]] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert entry.detail["format"] == "docx" and entry.detail["files"][1]["bytes"] == files[1].stat().st_size


def test_entries_since_a_date_and_of_a_unit(project):
    turn = project.turns("T1")[1]
    one = project.add_coding("T1", turn.start, turn.end, "hap", "AB")
    other = project.add_coding("T1", turn.start, turn.end, "rec", "CD")
    project.update_coding(one.id, condensed="Gjenkjennelse")
    assert audit.entries(project, since="2000-01-01") == audit.entries(project)
    assert audit.entries(project, since="2999-01-01") == []
    with pytest.raises(UserError, match="--since"):
        audit.entries(project, since="i går")
    kinds = [(e.kind, e.summary) for e in audit.entries(project, unit=one.id)]
    assert kinds == [("import", "import transcript T1"), ("action", f"code T1 {turn.start}-{turn.end} as hap"),
                     ("action", f"edit unit {one.id}")]
    assert other.id not in [r["id"] for e in audit.entries(project, unit=one.id) for r in e.detail.get("rows", [])]
    trace = audit.trace_unit(project, one.id)
    assert (trace.transcript, trace.turn, trace.speaker) == ("T1", 1, "P1")
    assert trace.checksum == project.transcript("T1").checksum and trace.text_as_recorded


# --- what is found -------------------------------------------------------------------------------


@pytest.fixture
def coded(project):
    turns = project.turns("T1")
    for i, code in enumerate(("hap", "rec", "hap-sol")):
        project.add_coding("T1", turns[i + 1].start, turns[i + 1].end, code, "AB")
    path = project.path
    project.close()
    assert len(log(path)) == 5 and problems(path) == []
    return path


@pytest.mark.file_only
def test_the_log_refuses_to_be_changed_through_sqlite(coded):
    conn = sqlite3.connect(coded)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET who = 'XY' WHERE id = 3")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE id = 3")
    finally:
        conn.close()


@pytest.mark.file_only
@pytest.mark.parametrize("guard_back", [False, True])
def test_an_entry_changed_with_the_sqlite3_shell_is_named(coded, guard_back):
    shell(coded, "UPDATE audit_log SET who = 'XY' WHERE id = 3", guard_back=guard_back)
    found = problems(coded)
    assert "entry 3: changed after it was written (its hash does not match what it says)" in found
    assert len(found) == (1 if guard_back else 3)  # without the guard back, its removal is said too
    assert not any(p.startswith("entry 4") for p in found)


@pytest.mark.file_only
def test_an_entry_changed_with_its_hash_recomputed_breaks_the_next_link(coded):
    entry_id, at, _, kind, summary, detail, prev_hash, _ = log(coded)[2]
    forged = audit.entry_hash(prev_hash, entry_id, at, "XY", kind, summary, json.loads(detail))
    shell(coded, f"UPDATE audit_log SET who = 'XY', hash = '{forged}' WHERE id = 3", guard_back=True)
    assert problems(coded) == ["entry 4: the chain is broken before it (it does not follow entry 3 as written)"]


@pytest.mark.file_only
def test_a_deleted_entry_is_named(coded):
    shell(coded, "DELETE FROM audit_log WHERE id = 3", guard_back=True)
    assert problems(coded) == ["entry 3 is missing (deleted)"]


@pytest.mark.file_only
def test_entries_deleted_from_the_end_are_named(coded):
    shell(coded, "DELETE FROM audit_log WHERE id >= 4", guard_back=True)
    assert problems(coded) == ["entries 4–5 are missing (deleted from the end of the trail)"]
    with Project.open(coded, backup=False) as p:  # a new entry does not mend the chain quietly
        turn = p.turns("T1")[3]
        p.add_coding("T1", turn.start, turn.end, "rec", "CD")
        assert last(p).id == 6
        assert audit.verify(p) == ["entries 4–5 are missing (deleted)"]


@pytest.mark.file_only
def test_entries_swapped_are_out_of_order(coded):
    rows = {r[0]: r for r in log(coded)}

    def put(new_id: int, row: tuple) -> str:
        values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in row[1:])
        return (f"INSERT INTO audit_log (id, at, who, kind, summary, detail, prev_hash, hash)"
                f" VALUES ({new_id}, {values})")

    shell(coded, "DELETE FROM audit_log WHERE id IN (3, 4)", put(3, rows[4]), put(4, rows[3]), guard_back=True)
    changed = "changed after it was written (its hash does not match what it says)"  # the id is hashed too
    assert problems(coded) == [
        f"entry 3: {changed}", "entry 3 is out of order: it was written after entry 4, not after entry 2",
        f"entry 4: {changed}", "entry 4 is out of order: it was written after entry 2, not after entry 3",
        "entry 5 is out of order: it was written after entry 3, not after entry 4",
    ]


@pytest.mark.file_only
def test_a_kept_hash_shows_a_rewritten_trail(coded):
    with Project.open(coded, backup=False) as p:
        _, kept = audit.status(p)
        assert audit.verify(p, expect=kept) == []
    shell(coded, "DELETE FROM audit_log", "DELETE FROM sqlite_sequence WHERE name = 'audit_log'", guard_back=True)
    assert problems(coded, expect=kept) == [
        "the trail is empty: every project has at least the entry of its creation or upgrade",
        f"no entry has the hash {kept} kept from before: the trail was rewritten (or the hash is of another project)",
    ]


def test_a_project_from_before_the_trail_starts_it_at_the_upgrade(tmp_path, monkeypatch):
    from qualcode.store import schema

    path = tmp_path / "v10.qualcode"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:10])
        m.setattr(schema, "SCHEMA_VERSION", 10)
        m.setattr("qualcode.store.project.SCHEMA_VERSION", 10)
        with Project.create(path) as old:
            old.import_transcript(make_parsed(), title="FG1")
            deid.add_term(old, "Kari", coder="AB")
            assert old.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'").fetchone()[0] == 0
    with Project.open(path, backup=False) as p:
        [entry] = audit.entries(p)
        assert (entry.id, entry.kind, entry.prev_hash) == (1, "upgrade", audit.GENESIS)
        assert entry.summary.startswith("audit trail begins: project upgraded from schema 10 to ")
        assert entry.detail["transcripts"] == {"T1": {"checksum": p.transcript("T1").checksum,
                                                      "made": "before the audit trail"}}
    with Project.open(path, backup=False) as p:  # once only
        assert len(audit.entries(p)) == 1 and audit.verify(p) == []
        assert p.undo("AB") == "hide name Kari"  # from before the trail: its label is not repeated
        assert last(p).summary == "undo a names decision" and audit.verify(p) == []


WRITER = textwrap.dedent("""
    import sys
    from qualcode.store import Project
    path, coder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Project.open(path, backup=False) as p:
        turns = p.turns("T1")
        for i in range(n):
            t = turns[i % len(turns)]
            p.add_coding("T1", t.start, t.start + 2 + i, "hap", coder)
            if i % 5 == 4:
                p.undo(coder)
""")


def test_several_processes_writing_at_once_keep_one_intact_chain(project):
    path = project.path
    project.close()
    coders, n = ("AB", "CD", "EF"), 15
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), c, str(n)], stderr=subprocess.PIPE, text=True)
             for c in coders]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Project.open(path, backup=False) as p:
        assert audit.verify(p) == []
        found = audit.entries(p)
        for coder in coders:
            mine = [e for e in found if e.who == coder]
            assert len([e for e in mine if e.kind == "action"]) == n and len([e for e in mine if e.kind == "undo"]) == 3
        made = {r["id"] for e in found if e.kind == "action" for r in e.detail["rows"]}
        undone = {r["id"] for e in found if e.kind == "undo" for r in e.detail["rows"]}
        assert {c.id for c in p.codings()} == made - undone
