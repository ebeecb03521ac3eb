"""``qualcode audit``: the trail listed, checked (and found broken after the sqlite3 shell has
been at it), and a quote of a quotes export traced back to the entries that made it."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.store import Project

INTACT = re.compile(r"^audit trail intact: (\d+) entries, last hash ([0-9a-f]{64})$")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def example(tmp_path, capsys) -> Path:
    path = tmp_path / "example.qualcode"
    assert main(["example", str(path)]) == 0
    capsys.readouterr()
    return path


def test_the_trail_is_listed_with_time_who_kind_and_what(example, capsys):
    code, out, _ = run(capsys, "audit", example)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["#", "time", "(UTC)", "who", "kind", "what"]
    assert re.match(r"^\s*1  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  \S.*  create  create project$", lines[2])
    assert any(" AB " in line and " action " in line and " code T1 " in line for line in lines)
    code, out, _ = run(capsys, "audit", example, "--json")
    entries = json.loads(out)
    assert [e["id"] for e in entries] == list(range(1, len(entries) + 1))
    assert {"id", "at", "who", "kind", "summary", "detail", "prev_hash", "hash"} == set(entries[0])
    assert run(capsys, "audit", example, "--since", "2999-01-01")[1] == "no entries\n"
    assert json.loads(run(capsys, "audit", example, "--since", "2000-01-01", "--json")[1]) == entries
    code, _, err = run(capsys, "audit", example, "--since", "forrige uke")
    assert code == 1 and "--since 'forrige uke'" in err


def test_verify_passes_on_an_untouched_project_after_every_kind_of_change(example, tmp_path, capsys):
    code, out, _ = run(capsys, "audit", example, "--verify")
    assert code == 0 and INTACT.match(out.strip())
    copy = tmp_path / "b.qualcode"
    shutil.copy(example, copy)
    with Project.open(copy, backup=False) as b:
        turn = b.turns("T2")[2]
        b.add_coding("T2", turn.start, turn.end, "recovery-pasienter", "EF")
    (tmp_path / "fg4.txt").write_text("Intervjuer: Hva tenker dere?\nP1: Det ga meg håp å høre om Ola.\n",
                                      encoding="utf-8")
    steps = [
        ("code", example, "T1", "--start", "0", "--end", "5", "--code", "hap-solskinn", "--coder", "AB"),
        ("undo", example, "--coder", "AB"), ("redo", example, "--coder", "AB"),
        ("import", example, tmp_path / "fg4.txt", "--title", "Fokusgruppe 4"),
        ("names", example, "--hide", "Ola", "--coder", "AB"),
        ("redact", example, "--yes"),
        ("merge", example, copy, "--coders", "EF"),
    ]
    for argv in steps:
        assert run(capsys, *argv)[0] == 0, argv
    code, out, _ = run(capsys, "audit", example, "--verify")
    assert code == 0, out
    kinds = [e["kind"] for e in json.loads(run(capsys, "audit", example, "--json")[1])]
    assert kinds[-7:] == ["action", "undo", "redo", "import", "names", "redact", "merge"]
    assert int(INTACT.match(out.strip())[1]) == len(kinds)


def entry_of(path: Path, entry_id: int) -> dict:
    conn = sqlite3.connect(path)
    try:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM audit_log WHERE id = ?", (entry_id,)).fetchone())
    finally:
        conn.close()


def tamper(path: Path, sql: str) -> None:
    """As someone with the sqlite3 shell would: the shell itself when there is one."""
    script = ("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql + ";"
              " CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
              " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
              " CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
              " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;")
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(path), script], check=True, capture_output=True, text=True)
    else:
        conn = sqlite3.connect(path)
        try:
            conn.executescript(script)
        finally:
            conn.close()


def test_verify_fails_naming_an_entry_changed_with_the_sqlite3_shell(example, capsys):
    entry = entry_of(example, 10)
    assert entry["kind"] == "action"
    tamper(example, "UPDATE audit_log SET who = 'CD' WHERE id = 10")
    code, out, _ = run(capsys, "audit", example, "--verify")
    assert code == 1
    assert out.splitlines() == ["entry 10: changed after it was written (its hash does not match what it says)",
                                out.splitlines()[-1]]
    assert re.match(r"^audit trail broken: 1 problem in \d+ entries$", out.splitlines()[-1])
    report = json.loads(run(capsys, "audit", example, "--verify", "--json")[1])
    assert report["intact"] is False and report["problems"][0].startswith("entry 10:")


def test_verify_fails_naming_an_entry_deleted_with_the_sqlite3_shell(example, capsys):
    tamper(example, "DELETE FROM audit_log WHERE id = 12")
    code, out, _ = run(capsys, "audit", example, "--verify")
    assert (code, out.splitlines()[0]) == (1, "entry 12 is missing (deleted)")


def test_a_kept_last_hash_is_checked(example, capsys):
    kept = INTACT.match(run(capsys, "audit", example, "--verify")[1].strip())[2]
    assert run(capsys, "audit", example, "--verify", "--expect", kept)[0] == 0
    code, out, _ = run(capsys, "audit", example, "--verify", "--expect", "ab" * 32)
    assert code == 1 and f"no entry has the hash {'ab' * 32}" in out
    assert run(capsys, "audit", example, "--expect", kept)[0] == 1  # --expect without --verify


def test_a_quote_in_a_quotes_export_traces_to_its_unit_turn_text_and_entries(example, tmp_path, capsys):
    out_file = tmp_path / "sitater.md"
    assert run(capsys, "export", example, "quotes", "--format", "md", "--out", out_file, "--no-deid")[0] == 0
    reference = re.compile(r"(?:unit|enhet) (\d+) (?:coded|kodet)")  # in the codebook's language
    line = next(line for line in out_file.read_text(encoding="utf-8").splitlines() if reference.search(line))
    unit = int(reference.search(line)[1])
    turn = re.search(r"(?:turn|tur) (\d+)", line)
    code, out, _ = run(capsys, "audit", example, "--unit", str(unit), "--json")
    trace = json.loads(out)
    with Project.open(example, backup=False) as p:
        coding = p.coding(unit)
        checksum = p.transcript(coding.transcript).checksum
    assert (trace["unit"], trace["exists"], trace["transcript"]) == (unit, True, coding.transcript)
    assert f"{coding.transcript} «" in line and (turn is None or int(turn[1]) == trace["turn"])
    assert trace["checksum"] == checksum and trace["text_as_recorded"] is True
    kinds = [(e["kind"], e["summary"]) for e in trace["entries"]]
    assert kinds[0] == ("import", f"import transcript {coding.transcript}")
    assert ("action", f"code {coding.transcript} {coding.start}-{coding.end} as {coding.code}") in kinds
    code, out, _ = run(capsys, "audit", example, "--unit", str(unit))
    first, second = out.splitlines()[:2]
    assert first.startswith(f"unit {unit}: {coding.transcript}, turn {trace['turn']}")
    assert second == f"text of {coding.transcript}: SHA-256 {checksum} (the last the trail recorded)"
    code, _, err = run(capsys, "audit", example, "--unit", "99999")
    assert code == 1 and "no meaning unit with id 99999" in err
