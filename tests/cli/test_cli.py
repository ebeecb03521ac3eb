"""The command line as a user meets it: the contract commands on the example data, and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.cli import main

from ..conftest import REPO

EXAMPLES = REPO / "transcripts_example"
ROLES = ["--role", "P*=pasient", "--role", "Ansatt*=ansatt", "--role", "Intervjuer=moderator"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def studie(tmp_path, capsys) -> Path:
    path = tmp_path / "studie.qualcode"
    assert run(capsys, "init", path, "--codebook", REPO / "codebooks" / "et_bedre_liv.yaml")[0] == 0
    code, out, err = run(capsys, "import", path, EXAMPLES / "fg1.docx", "--group", "Fokusgruppe 1", *ROLES)
    assert code == 0, err
    assert out.startswith("T1 ")
    return path


def test_the_contract_commands_on_the_example_data(studie, capsys):
    [t] = run_json(capsys, "transcripts", studie)
    assert (t["id"], t["group"], t["speakers"]) == ("T1", "Fokusgruppe 1", 6)
    assert t["turns"] > 50 and t["words"] > 1500
    code, out, _ = run(capsys, "transcripts", studie)
    assert out.splitlines()[0].split() == ["id", "title", "group", "turns", "speakers", "words"]

    shown = run_json(capsys, "show", studie, "T1")
    turn = next(u for u in shown["turns"] if u["speaker"] == "P1")
    assert set(turn) >= {"index", "speaker", "role", "start", "end", "timestamp", "text"}
    assert turn["role"] == "pasient"

    book = run_json(capsys, "codebook", studie)
    hap = next(c for c in book["codes"] if c["id"] == "hap")
    assert hap["definition"] and hap["keywords"]
    assert {c["id"] for c in hap["children"]} >= {"hap-solskinn", "hap-ansatte", "hap-gjenkjennelse"}

    code, out, err = run(capsys, "code", studie, "T1", "--quote", "kjente meg igjen", "--code", "hap-gjenkjennelse",
                         "--coder", "AB", "--note", "tydelig")
    assert code == 0, err
    assert "kjente meg igjen" in out
    code, _, err = run(capsys, "code", studie, "T1", "--start", 120, "--end", 188, "--code", "hap", "--coder", "AB")
    assert code == 0, err

    units = run_json(capsys, "units", studie)
    assert len(units) == 2
    by_code = {u["code"]: u for u in units}
    quote = by_code["hap-gjenkjennelse"]
    assert quote["text"] == "kjente meg igjen" and quote["memo"] == "tydelig"
    assert quote["code_path"] == ["Opplevelser av håp", "Håpet kan ligge i gjenkjennelsen"]
    assert set(quote) >= {"transcript", "speaker", "role", "start", "end", "text", "code_path", "coder"}
    assert by_code["hap"]["start"] == 120 and by_code["hap"]["end"] == 188


def test_an_ambiguous_quote_codes_the_first_and_says_so(studie, capsys):
    hits = [u for u in run_json(capsys, "show", studie, "T1")["turns"] if "kjente meg igjen" in u["text"]]
    assert len(hits) >= 2  # fg1 has the phrase in more than one turn
    code, out, err = run(capsys, "code", studie, "T1", "--quote", "kjente meg igjen", "--code", "hap", "--coder", "AB")
    assert code == 0 and "occurs" in err and "--occurrence" in err
    code, out, err = run(capsys, "code", studie, "T1", "--quote", "kjente meg igjen", "--turn", hits[1]["index"],
                         "--code", "hap", "--coder", "AB", "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["turn"] == hits[1]["index"]


def test_a_misspelt_code_is_the_one_error_with_a_suggestion_and_no_warning_before_it(studie, capsys):
    """Seen: "warning: the quote occurs 2 times; coded the first" and then "error: no code"."""
    code, _, err = run(capsys, "code", studie, "T1", "--quote", "kjente meg igjen", "--code", "hap-gjenkjenelse",
                         "--coder", "AB")
    assert code == 1 and "occurs" not in err and "warning" not in err
    assert "no code 'hap-gjenkjenelse'" in err and "did you mean 'hap-gjenkjennelse'" in err
    assert len(err.strip().splitlines()) == 1
    assert run_json(capsys, "units", studie) == []
    code, _, err = run(capsys, "code", studie, "T1", "--quote", "kjente meg igjen", "--code", "hap",
                         "--coder", "AB", "--memo", "sjekk")
    assert code == 0 and run_json(capsys, "units", studie)[0]["memo"] == "sjekk"  # --memo, as the CSV names it


def test_starring_candidate_quotes(studie, capsys):
    run(capsys, "code", studie, "T1", "--start", 120, "--end", 188, "--code", "hap", "--coder", "AB")
    run(capsys, "code", studie, "T1", "--start", 200, "--end", 230, "--code", "hap", "--coder", "AB")
    assert run(capsys, "unit", studie, 2, "--star", "--coder", "AB")[0] == 0
    assert [u["id"] for u in run_json(capsys, "units", studie, "--starred")] == [2]
    run(capsys, "unit", studie, 2, "--unstar", "--coder", "AB")
    assert run_json(capsys, "units", studie, "--starred") == []


def test_codebook_edits_and_undo_from_the_cli(studie, capsys):
    run(capsys, "code", studie, "T1", "--start", 120, "--end", 188, "--code", "hap-solskinn", "--coder", "AB")
    assert run(capsys, "code-add", studie, "hap-innledere", "Innledernes historier", "--parent", "hap")[0] == 0
    code, out, _ = run(capsys, "code-split", studie, "hap-solskinn", "hap-sol-ansatt", "Ansattes solskinn", "--units", "1")
    assert code == 0 and "1 meaning units" in out
    assert run(capsys, "code-merge", studie, "hap-sol-ansatt", "hap-innledere")[0] == 0
    [unit] = run_json(capsys, "units", studie)
    assert unit["code"] == "hap-innledere"
    assert run(capsys, "undo", studie)[1].startswith("undo merge code")
    [unit] = run_json(capsys, "units", studie)
    assert unit["code"] == "hap-sol-ansatt"


def test_user_errors_are_one_line_with_a_non_zero_exit(studie, tmp_path, capsys):
    cases = [
        (["code", studie, "T1", "--quote", "finnes ikke her", "--code", "hap", "--coder", "AB"], "quote not found"),
        (["code", studie, "T1", "--quote", "håp", "--code", "nei", "--coder", "AB"], "no code 'nei'"),
        (["show", studie, "T7"], "no transcript 'T7'"),
        (["transcripts", tmp_path / "nope.qualcode"], "no such project"),
        (["init", studie], "exists already"),
        (["init", tmp_path / "x.qualcode", "--codebook", REPO / "README.md"], "README.md:"),
        (["import", studie, tmp_path / "missing.txt"], "missing.txt"),
        (["import", studie, EXAMPLES / "fg1.docx"], "already in the project as T1"),
        (["import", studie, REPO / "pyproject.toml"], "pyproject.toml"),
        (["roles", studie, "T1", "P*"], "PATTERN=ROLE"),
        (["code-add", studie, "a b", "Navn"], "code id 'a b' must start"),
        (["code-add", studie, "ny", "Navn", "--colour", "rød"], "#RRGGBB"),
        (["code-rename", studie, "hap", "  "], "code name is empty"),
        (["code-split", studie, "hap", "hap x", "Ny", "--units", "1"], "code id 'hap x'"),
        (["code-move", studie, "hap", "--parent", "hap-solskinn"], "own ancestor"),
        (["code-merge", studie, "hap", "hap-solskinn"], "own subcode"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert code == 1, (argv, out, err)
        assert err.count("\n") == 1 and err.startswith("qualcode: error: ") and message in err, (argv, err)
    assert not (tmp_path / "x.qualcode").exists()


def test_a_bad_file_among_good_ones_is_skipped_whole(tmp_path, capsys):
    project = tmp_path / "p.qualcode"
    run(capsys, "init", project)
    empty = tmp_path / "tom.txt"
    empty.write_bytes(b"")
    code, _out, err = run(capsys, "import", project, empty, EXAMPLES / "fg2.txt", "--group", "FG2")
    assert code == 1
    assert "tom.txt" in err and "empty" in err
    # Titled by the file's own header line, not its name (issue 11).
    assert [t["title"] for t in run_json(capsys, "transcripts", project)] == [
        "Fokusgruppe 2 – pasienter – Fjordtun behandlingssenter – 14.03.2024 (oppdiktet eksempel)"]


def test_the_installed_command_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qualcode", "show", str(tmp_path / "nope.qualcode"), "T1"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"qualcode: error: {tmp_path / 'nope.qualcode'}: no such project; create one with 'qualcode init'"


def test_example_project_and_manifest_import(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    target = tmp_path / "example.qualcode"
    code, out, err = run(capsys, "example", target)
    assert code == 0, err
    rows = run_json(capsys, "transcripts", target)
    assert [r["group"] for r in rows] == ["Fokusgruppe 1", "Fokusgruppe 2", "Fokusgruppe 3"]
    assert all(r["words"] >= 1500 for r in rows)
    assert [r["format"] for r in rows] == ["docx", "txt", "vtt"]
    groups = run_json(capsys, "group", target)
    assert groups[0]["attributes"]["institusjon"] == "Solbakken behandlingssenter"
    roles = {s["label"]: s["role"] for s in run_json(capsys, "show", target, "T3")["speakers"]}
    assert roles["Intervjuer"] == "moderator" and roles["Ansatt 1"] == "ansatt"
    units = run_json(capsys, "units", target)
    assert {u["coder"] for u in units} == {"AB", "CD"} and len(units) > 50  # the example is coded by two
    assert all(u["text"] for u in units)
    names = run_json(capsys, "names", target)
    assert {"Kari", "Hamar", "Solbakken"} <= {n["term"] for n in names if n["hide"]}
    run(capsys, "code", target, "T1", "--start", 0, "--end", 5, "--code", "hap", "--coder", "EF")
    code, out, _ = run(capsys, "example", target)  # running the README's command again is harmless
    assert code == 0 and "exists already" in out
    assert len(run_json(capsys, "units", target, "--coder", "EF")) == 1
    assert run(capsys, "example", target, "--force")[0] == 0
    assert run_json(capsys, "units", target, "--coder", "EF") == []
    [kept] = [p for p in (tmp_path / "example.qualcode-backups").iterdir() if p.stem.endswith("-replaced")]
    assert len(run_json(capsys, "units", kept, "--coder", "EF")) == 1


def test_memos_history_backups_and_check(studie, capsys):
    assert run(capsys, "memo", studie, "Forforståelse: jeg har jobbet i TSB i ti år.", "--coder", "AB")[0] == 0
    assert run(capsys, "memo", studie, "Mye latter i starten.", "--transcript", "T1", "--coder", "AB")[0] == 0
    memos = run_json(capsys, "memo", studie)
    assert [m["target_type"] for m in memos] == ["project", "transcript"]
    assert run_json(capsys, "history", studie)[0]["label"] == "memo on transcript"
    assert run(capsys, "check", studie)[1].strip() == "ok"
    info = run_json(capsys, "info", studie)
    assert (info["transcripts"], info["codes"], info["memos"], info["codebook"]) == (1, 16, 2, "Et bedre liv")
    code, out, _ = run(capsys, "backup", studie)
    assert code == 0 and Path(out.split(": ", 1)[1].strip()).exists()
    assert run(capsys, "restore", studie, out.split(": ", 1)[1].strip())[0] == 1  # needs --yes
    code, _, err = run(capsys, "restore", studie, REPO / "README.md", "--yes")
    assert code == 1 and "not a qualcode project" in err


@pytest.mark.parametrize(("sqlite_says", "user_reads"), [
    ("attempt to write a readonly database", "read-only"),
    ("database or disk is full", "disk is full"),
    ("database disk image is malformed", "qualcode restore"),
])
def test_storage_failures_are_explained_in_one_line(studie, capsys, monkeypatch, sqlite_says, user_reads):
    import sqlite3

    from qualcode.store import Project

    def fail(*args, **kwargs):
        raise sqlite3.OperationalError(sqlite_says)

    monkeypatch.setattr(Project, "add_coding", fail)
    code, _, err = run(capsys, "code", studie, "T1", "--start", 0, "--end", 3, "--code", "hap", "--coder", "AB")
    assert code == 1 and err.count("\n") == 1 and user_reads in err and str(studie) in err


def test_an_unexplained_database_error_is_a_bug_and_keeps_its_traceback(studie, monkeypatch):
    import sqlite3

    from qualcode.store import Project

    def fail(*args, **kwargs):
        raise sqlite3.OperationalError("no such column: oops")

    monkeypatch.setattr(Project, "add_coding", fail)
    with pytest.raises(sqlite3.OperationalError):
        main(["code", str(studie), "T1", "--start", "0", "--end", "3", "--code", "hap", "--coder", "AB"])


def test_info_counts_in_the_right_number(tmp_path, capsys):
    """Seen: "1 units, 1 transcripts", "0 meaning units by nobody yet"."""
    from qualcode.core.codebook import parse_codebook
    from qualcode.store import Project
    from tests.conftest import CODEBOOK_YAML, make_parsed

    path = tmp_path / "en.qualcode"
    with Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "b.yaml")) as p:
        p.import_transcript(make_parsed(), title="FG1", group="G")
    code, out, _ = run(capsys, "info", str(path))
    assert code == 0 and "1 transcript," in out and "1 focus group" in out and "no meaning units yet" in out
    with Project.open(path, backup=False) as p:
        p.add_coding("T1", 0, 5, "hap", "AB")
    out = run(capsys, "info", str(path))[1]
    assert "1 meaning unit by AB; 0 memos" in out
