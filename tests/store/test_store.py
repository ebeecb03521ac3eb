"""The project store: what is saved, what can be undone, what is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualcode.core.errors import UserError
from qualcode.core.models import CodeNode
from qualcode.store import Project, schema
from qualcode.store import backup as backups
from qualcode.store.restore import restore_backup
from tests.conftest import make_parsed


def test_import_keeps_turns_speakers_roles_and_group(project):
    t = project.transcript("t1")  # ids are case-insensitive for users
    assert (t.id, t.title, t.group, t.turn_count) == ("T1", "Fokusgruppe 1", "FG1", 4)
    assert [(s.label, s.role) for s in t.speakers] == [
        ("Intervjuer", "moderator"), ("P1", "pasient"), ("Ansatt 1", "ansatt"), ("P2", "pasient")]
    turns = project.turns("T1")
    assert turns[1].text.startswith("Eh, jeg kjente meg igjen")
    assert project.text("T1")[turns[3].start:turns[3].end] == turns[3].text


def test_the_same_text_is_not_imported_twice(project):
    with pytest.raises(UserError, match="already in the project as T1"):
        project.import_transcript(make_parsed(), title="again")
    assert len(project.transcripts()) == 1
    again = project.import_transcript(make_parsed(), title="again", allow_duplicate=True)
    assert again.transcript.id == "T2"


@pytest.mark.file_only
def test_a_failing_import_leaves_nothing_behind(project):
    # Make the database fail halfway: after the transcript row, while its turns go in.
    project.conn.execute("CREATE TEMP TRIGGER fail BEFORE INSERT ON turns BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    parsed = make_parsed([("P1", "Noe helt annet enn før.")])
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        project.import_transcript(parsed, title="broken", group="FG2")
    assert [t.id for t in project.transcripts()] == ["T1"]
    assert [g.name for g in project.groups()] == ["FG1"]
    assert project.conn.execute("SELECT count(*) FROM speakers").fetchone()[0] == 4


def test_inconsistent_turns_from_an_importer_are_refused(project):
    parsed = make_parsed([("P1", "Kort.")])
    parsed.turns[0].end = 999
    with pytest.raises(ValueError, match="turn 0"):
        project.import_transcript(parsed, title="bad")
    assert len(project.transcripts()) == 1


def test_unit_reports_speaker_role_text_and_code_path(project):
    [(s, e)] = project.find_quote("T1", "kjente meg igjen")
    project.add_coding("T1", s, e, "hap-gjen", "AB", condensed="Gjenkjennelse", memo="sterk")
    [unit] = project.units()
    assert unit.text == "kjente meg igjen"
    assert (unit.speaker, unit.role, unit.group) == ("P1", "pasient", "FG1")
    assert unit.code_path == ("Opplevelser av håp", "Gjenkjennelse")
    assert (unit.theme, unit.subtheme) == ("Opplevelser av håp", "Gjenkjennelse")
    assert (unit.coder, unit.condensed, unit.memo) == ("AB", "Gjenkjennelse", "sterk")
    # The same unit as scripts read it: every key, in the order they always came.
    assert list(unit.as_dict()) == [
        "id", "transcript", "title", "group", "turn", "speaker", "role", "timestamp", "start", "end", "text",
        "code", "code_name", "code_path", "theme", "coder", "condensed", "memo", "starred", "created_at",
        "updated_at"]
    assert unit.as_dict()["code_path"] == ["Opplevelser av håp", "Gjenkjennelse"]


def test_quotes_are_found_exactly_then_loosely_in_a_turn_or_by_occurrence(project):
    text = project.text("T1")
    [(s, e)] = project.find_quote("T1", "KJENTE  meg\nigjen")
    assert text[s:e] == "kjente meg igjen"
    with pytest.raises(UserError, match="not found"):
        project.find_quote("T1", "dette ble aldri sagt")
    hits = project.find_quote("T1", "det ")
    assert len(hits) == 3 and hits[0][0] == text.index("det ")
    [(s2, _)] = project.find_quote("T1", "det ", occurrence=2)
    assert s2 == hits[1][0]
    [(s3, _)] = project.find_quote("T1", "det ", turn=3)  # P2's turn has exactly one
    assert s3 == hits[2][0]
    with pytest.raises(UserError, match="occurrence must be 1 to 3"):
        project.find_quote("T1", "det ", occurrence=4)
    with pytest.raises(UserError, match="not found in turn 0"):
        project.find_quote("T1", "håp", turn=0)


def test_bad_codings_are_refused(project):
    with pytest.raises(UserError, match="not inside T1"):
        project.add_coding("T1", 5, 3, "hap", "AB")
    with pytest.raises(UserError, match="not inside T1"):
        project.add_coding("T1", 0, 10_000, "hap", "AB")
    with pytest.raises(UserError, match="no code 'nope'"):
        project.add_coding("T1", 0, 3, "nope", "AB")
    with pytest.raises(UserError, match="no transcript 'T9'"):
        project.add_coding("T9", 0, 3, "hap", "AB")
    with pytest.raises(UserError, match="--coder"):
        project.add_coding("T1", 0, 3, "hap", "")
    project.add_coding("T1", 0, 3, "hap", "AB")
    with pytest.raises(UserError, match="already coded"):
        project.add_coding("T1", 0, 3, "hap", "AB")
    project.add_coding("T1", 0, 3, "hap", "CD")  # another coder may code the same span
    project.add_coding("T1", 0, 3, "rec", "AB")  # and one span may carry several codes
    assert len(project.codings()) == 3


def test_codebook_operations_move_codings_and_undo(project):
    [(s, e)] = project.find_quote("T1", "ga det håp")
    u1 = project.add_coding("T1", s, e, "hap-sol", "AB")
    [(s, e)] = project.find_quote("T1", "ho klarte seg")
    u2 = project.add_coding("T1", s, e, "hap-sol", "AB")

    project.add_code(CodeNode(id="hap-ansatt", name="Ansattes håp", parent="hap"), coder="AB")
    project.rename_code("rec", "Recovery", coder="AB")
    project.move_code("rec", "hap", coder="AB")
    assert project.code("rec").parent == "hap"
    with pytest.raises(UserError, match="own ancestor"):
        project.move_code("hap", "rec", coder="AB")
    assert project.code("hap").parent is None  # the refused move changed nothing

    project.split_code("hap-sol", CodeNode(id="hap-sol-ansatt", name="Ansattes solskinn", parent="hap-sol"), [u1.id], coder="AB")
    assert project.coding(u1.id).code == "hap-sol-ansatt"
    assert project.coding(u2.id).code == "hap-sol"

    moved = project.merge_codes("hap-sol", "hap-gjen", coder="AB")
    assert moved == 1 and project.coding(u2.id).code == "hap-gjen"
    assert project.code("hap-sol-ansatt").parent == "hap-gjen"  # children follow the merge
    with pytest.raises(UserError):
        project.code("hap-sol")

    # Undo walks back through merge, split, move, rename and add, in that order.
    for label in ["merge code hap-sol into hap-gjen", "split code hap-sol", "move code rec",
                  "rename code rec", "add code hap-ansatt"]:
        assert project.undo("AB") == label
    assert project.coding(u1.id).code == "hap-sol" and project.coding(u2.id).code == "hap-sol"
    assert project.code("rec").name == "Opplevelser av recovery" and project.code("rec").parent is None
    assert [c.id for c in project.codebook().codes] == ["hap", "hap-sol", "hap-gjen", "rec"]
    assert project.redo("AB") == "add code hap-ansatt"
    assert project.code("hap-ansatt").name == "Ansattes håp"


def test_delete_code_refuses_when_used_or_parent(project):
    project.add_coding("T1", 0, 3, "rec", "AB")
    with pytest.raises(UserError, match="used by 1"):
        project.delete_code("rec")
    with pytest.raises(UserError, match="subcodes"):
        project.delete_code("hap")
    project.delete_code("hap-gjen")
    assert "hap-gjen" not in {c.id for c in project.codebook().codes}


def test_undo_survives_restart_and_is_per_coder(project, tmp_path):
    a = project.add_coding("T1", 0, 3, "hap", "AB")
    b = project.add_coding("T1", 4, 8, "hap", "CD")
    project.update_coding(a.id, condensed="kortversjon")
    project.close()
    with Project.open(project.path, backup=False) as again:
        assert again.undo("AB") == f"edit unit {a.id}"
        assert again.coding(a.id).condensed == ""
        assert again.undo("AB") == "code T1 0-3 as hap"
        assert again.undo("AB") is None  # AB's history is empty; CD's unit stays
        assert [c.id for c in again.codings()] == [b.id]
    with Project.open(project.path, backup=False) as third:
        assert third.redo("AB") == "code T1 0-3 as hap"
        assert third.coding(a.id).start == 0


def test_a_new_action_clears_the_redo_stack(project):
    project.add_coding("T1", 0, 3, "hap", "AB")
    project.undo("AB")
    project.add_coding("T1", 4, 8, "hap", "AB")
    assert project.redo("AB") is None


def test_undo_refuses_when_a_later_change_touched_the_same_row(project):
    u = project.add_coding("T1", 0, 3, "hap", "AB")
    project.update_coding(u.id, condensed="CD skrev dette", coder="CD")
    with pytest.raises(UserError, match="changed again"):
        project.undo("AB")
    assert project.coding(u.id).condensed == "CD skrev dette"


def test_memos_on_project_transcript_code_and_unit(project):
    u = project.add_coding("T1", 0, 3, "hap", "AB")
    project.add_memo("Min forforståelse: jeg har jobbet i TSB.", author="AB")
    project.add_memo("Livlig gruppe.", target_type="transcript", target_id="t1", author="AB")
    project.add_memo("Definisjonen er for vid.", target_type="code", target_id="hap", author="AB")
    project.add_memo("Usikker på denne.", target_type="coding", target_id=str(u.id), author="AB")
    assert [m.target_type for m in project.memos()] == ["project", "transcript", "code", "coding"]
    assert project.memos(target_type="transcript")[0].target_id == "T1"
    with pytest.raises(UserError, match="no code"):
        project.add_memo("x", target_type="code", target_id="nope")
    assert project.undo("AB") == "memo on coding"


def test_opening_things_that_are_not_projects(tmp_path):
    with pytest.raises(UserError, match="no such project"):
        Project.open(tmp_path / "missing.qualcode")
    text = tmp_path / "notes.qualcode"
    text.write_text("hei")
    with pytest.raises(UserError, match="not a qualcode project"):
        Project.open(text)
    other = tmp_path / "other.qualcode"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(UserError, match="another program"):
        Project.open(other)
    with pytest.raises(UserError, match="exists already"):
        Project.create(text)


@pytest.mark.file_only
def test_a_file_from_a_newer_qualcode_is_refused(project):
    project.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    project.close()
    with pytest.raises(UserError, match="newer qualcode"):
        Project.open(project.path)


@pytest.mark.file_only
def test_migrations_run_in_a_transaction_after_a_backup(project, monkeypatch):
    project.add_coding("T1", 0, 3, "hap", "AB")
    project.close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, "ALTER TABLE codings ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;"])
    monkeypatch.setattr("qualcode.store.project.SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with Project.open(project.path, backup=False) as upgraded:
        assert upgraded.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert [tuple(r) for r in upgraded.conn.execute("SELECT reviewed FROM codings")] == [(0,)]
    assert len(backups.list_backups(project.path)) == 1  # the old version was copied first


@pytest.mark.file_only
def test_a_failing_migration_changes_nothing(project, monkeypatch):
    project.close()
    version = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, "ALTER TABLE codings ADD COLUMN x;\nTHIS IS NOT SQL;"])
    monkeypatch.setattr("qualcode.store.project.SCHEMA_VERSION", version + 1)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", version + 1)
    with pytest.raises(UserError, match="could not upgrade the project.*unchanged"):
        Project.open(project.path, backup=False)
    conn = sqlite3.connect(project.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert "x" not in [r[1] for r in conn.execute("PRAGMA table_info(codings)")]
    conn.close()


@pytest.mark.file_only
def test_backups_rotate_and_restore_brings_back_a_deleted_code(project, monkeypatch):
    monkeypatch.setattr(backups, "MIN_INTERVAL", 0)
    project.close()
    for _ in range(backups.KEEP + 3):
        Project.open(project.path).close()
    kept = backups.list_backups(project.path)
    assert len(kept) == backups.KEEP
    good = kept[-1]
    with Project.open(project.path, backup=False) as p:
        p.delete_code("hap-gjen")
    restore_backup(good, project.path)
    with Project.open(project.path, backup=False) as p:
        assert p.code("hap-gjen").name == "Gjenkjennelse"
        assert p.integrity_check() == []


@pytest.mark.file_only
def test_a_recent_backup_is_not_repeated(project):
    project.close()
    Project.open(project.path).close()
    Project.open(project.path).close()
    assert len(backups.list_backups(project.path)) == 1


def test_a_version_1_file_is_upgraded_and_its_history_still_undoes(tmp_path, monkeypatch):
    """Files from the first release: v1 schema, undo images without the later 'starred' column."""
    path = tmp_path / "gammel.qualcode"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        m.setattr(schema, "SCHEMA_VERSION", 1)
        m.setattr("qualcode.store.project.SCHEMA_VERSION", 1)
        m.setattr(schema, "JOURNALED", schema._JOURNALED_V1)
        m.setattr("qualcode.store.project.JOURNALED", schema._JOURNALED_V1)
        old = Project.create(path)  # today's code writes columns a v1 file lacks: the codes by hand
        old.import_transcript(make_parsed(), title="FG1")
        conn = old.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE journal_state SET recording = 0")
        conn.execute("INSERT INTO codes (id, name) VALUES ('hap', 'Håp')")
        conn.execute("UPDATE journal_state SET recording = 1")
        conn.execute("INSERT INTO actions (label, coder, created_at) VALUES ('code', 'AB', '2025-01-01T00:00:00')")
        conn.execute("INSERT INTO codings (transcript_id, start, end, code_id, coder, created_at, updated_at)"
                     " VALUES ('T1', 0, 3, 'hap', 'AB', '2025-01-01T00:00:00', '2025-01-01T00:00:00')")
        conn.execute("COMMIT")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        old.close()
    with Project.open(path, backup=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        [unit] = p.codings()
        assert unit.starred is False
        starred = p.update_coding(unit.id, starred=True)
        assert starred.starred is True
        assert p.undo("AB") == f"edit unit {unit.id}"   # a v2 action
        assert p.undo("AB") == "code"                   # a v1 action, image without 'starred'
        assert p.codings() == []
        assert p.redo("AB") == "code"
        assert p.codings()[0].start == 0
        assert p.integrity_check() == []


def test_staged_changes_reach_the_project_whole_or_not_at_all(project):
    from qualcode.store.staging import staged

    path = project.path
    project.close()
    with pytest.raises(RuntimeError, match="halfway"), staged(path) as copy:
        copy.add_coding("T1", 0, 3, "hap", "AB")
        raise RuntimeError("halfway")
    with Project.open(path, backup=False) as p:
        assert p.codings() == []
    with staged(path) as copy:
        for i in range(3):
            copy.add_coding("T1", i, i + 1, "hap", "AB")
    with Project.open(path, backup=False) as p:
        assert len(p.codings()) == 3 and p.integrity_check() == []
        assert p.undo("AB") is not None  # the copy's journal came along
    if isinstance(path, Path):
        assert not [f for f in path.parent.iterdir() if "staging" in f.name]
