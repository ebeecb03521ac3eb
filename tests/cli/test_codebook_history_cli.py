"""``qualcode codebook PROJECT --history | --as-of DATE | --diff V1 V2`` as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.core.codebook import load_codebook, parse_codebook
from qualcode.store import Project

from ..conftest import CODEBOOK_YAML, make_parsed

STAMPS = ["2026-03-01T09:00:00.000+00:00", "2026-03-02T10:00:00.000+00:00", "2026-03-02T10:05:00.000+00:00",
          "2026-03-03T08:00:00.000+00:00", "2026-03-04T14:30:00.000+00:00", "2026-03-05T12:00:00.000+00:00"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def studie(tmp_path) -> Path:
    path = tmp_path / "studie.qualcode"
    with Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "t.yaml")) as p:
        p.import_transcript(make_parsed(), title="Fokusgruppe 1")
    return path


def _stamp(path: Path) -> None:
    with Project.open(path, backup=False) as p:
        for vid, stamp in enumerate(STAMPS, 1):
            p.conn.execute("UPDATE codebook_versions SET at = ? WHERE id = ?", (stamp, vid))


def _history(studie: Path, capsys) -> dict[str, str]:
    """Six versions; returns the plain ``codebook -v`` output as it was after the first three."""
    shown = {}
    assert run(capsys, "code-add", studie, "hap-ans", "Ansattes historier", "--parent", "hap",
               "--definition", "Det de ansatte forteller.", "--coder", "AB")[0] == 0
    assert run(capsys, "code-rename", studie, "rec", "Recovery", "--coder", "CD")[0] == 0
    shown["3"] = run(capsys, "codebook", studie, "-v")[1]
    for start in (0, 5, 10):
        assert run(capsys, "code", studie, "T1", "--start", start, "--end", start + 4, "--code", "hap-sol",
                   "--coder", "AB")[0] == 0
    code, _, err = run(capsys, "code-split", studie, "hap-sol", "hap-sol-ans", "Ansattes solskinn",
                         "--units", "2,3", "--coder", "AB")
    assert code == 0, err
    assert run(capsys, "code-merge", studie, "hap-sol-ans", "hap-ans", "--coder", "AB")[0] == 0
    assert run(capsys, "undo", studie, "--coder", "AB")[1].startswith("undo merge code")
    _stamp(studie)
    return shown


def test_the_history_as_a_table_and_as_json(studie, capsys):
    _history(studie, capsys)
    code, out, err = run(capsys, "codebook", studie, "--history")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["version", "when", "who", "what", "changed", "units", "moved"]
    rows = [line.split("  ") for line in lines[2:]]
    rows = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    assert rows == [
        ["1", "2026-03-01 09:00 UTC", "-", "create project with codebook Testbok"],
        ["2", "2026-03-02 10:00 UTC", "AB", "add code hap-ans"],
        ["3", "2026-03-02 10:05 UTC", "CD", "rename code rec (Opplevelser av recovery → Recovery)"],
        ["4", "2026-03-03 08:00 UTC", "AB", "split code hap-sol", "2 units: hap-sol → hap-sol-ans"],
        ["5", "2026-03-04 14:30 UTC", "AB", "merge code hap-sol-ans into hap-ans", "2 units: hap-sol-ans → hap-ans"],
        ["6", "2026-03-05 12:00 UTC", "AB", "undo merge code hap-sol-ans into hap-ans",
         "2 units: hap-ans → hap-sol-ans"],
    ]
    code, out, err = run(capsys, "codebook", studie, "--history", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [(v["version"], v["at"], v["who"]) for v in data] == [
        (i, stamp, who) for i, (stamp, who) in enumerate(zip(STAMPS, [None, "AB", "CD", "AB", "AB", "AB"]), 1)]
    assert data[4]["label"] == "merge code hap-sol-ans into hap-ans"
    assert data[4]["moved"] == {"hap-sol-ans": {"how": "merge", "to": "hap-ans", "units": 2}}
    assert [v["codes"] for v in data] == [4, 5, 5, 6, 5, 6]


def test_the_codebook_as_of_a_date_is_the_codebook_as_it_was_shown_then(studie, capsys):
    shown = _history(studie, capsys)
    for moment in ("2026-03-02T10:05", "2026-03-02T12:00:00+01:00", "2026-03-02"):
        code, out, err = run(capsys, "codebook", studie, "-v", "--as-of", moment)
        assert code == 0, err
        assert out == shown["3"], moment
        assert "version 3" in err
    code, out, _ = run(capsys, "codebook", studie, "--as-of", "2026-03-01")
    assert "Recovery" not in out and "Opplevelser av recovery" in out and "hap-ans" not in out
    code, out, err = run(capsys, "codebook", studie, "--as-of", "2026-03-02", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["version"]["version"] == 3 and data["name"] == "Testbok"
    hap = next(c for c in data["codes"] if c["id"] == "hap")
    assert [c["id"] for c in hap["children"]] == ["hap-sol", "hap-gjen", "hap-ans"]
    assert hap["children"][2]["definition"] == "Det de ansatte forteller."


def test_the_codebook_as_of_a_date_written_as_yaml_or_as_markdown_for_an_appendix(studie, tmp_path, capsys):
    _history(studie, capsys)
    out_yaml = tmp_path / "bok-mars.yaml"
    code, out, err = run(capsys, "codebook", studie, "--as-of", "2026-03-03", "--export", out_yaml)
    assert code == 0, err
    assert f"wrote {out_yaml}" in out and "version 4" in out
    book = load_codebook(out_yaml)
    assert [(c.id, c.parent, c.name) for c in book.codes] == [
        ("hap", None, "Opplevelser av håp"), ("hap-sol", "hap", "Solskinnshistorier"),
        ("hap-sol-ans", "hap-sol", "Ansattes solskinn"), ("hap-gjen", "hap", "Gjenkjennelse"),
        ("hap-ans", "hap", "Ansattes historier"), ("rec", None, "Recovery")]
    assert book.get("hap-ans").definition == "Det de ansatte forteller."

    out_md = tmp_path / "vedlegg.md"
    code, out, err = run(capsys, "codebook", studie, "--as-of", "2026-03-03", "--export", out_md, "--lang", "en")
    assert code == 0, err
    text = out_md.read_text(encoding="utf-8")
    assert text.startswith("# Testbok\n")
    assert "version 4" in text and "2026-03-03 08:00 UTC" in text
    assert "### 1.3 Ansattes historier (`hap-ans`)" in text
    assert "**Definition:** Det de ansatte forteller." in text
    assert "#### 1.1.1 Ansattes solskinn (`hap-sol-ans`)" in text

    now_md = tmp_path / "naa.md"  # without --as-of: the codebook as it is now
    assert run(capsys, "codebook", studie, "--export", now_md)[0] == 0
    assert "## 2 Recovery (`rec`)" in now_md.read_text(encoding="utf-8")


def test_the_difference_between_two_versions(studie, capsys):
    _history(studie, capsys)
    code, out, err = run(capsys, "codebook", studie, "--diff", 1, 4)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "codebook version 1 (2026-03-01 09:00 UTC) → version 4 (2026-03-03 08:00 UTC): 3 changes"
    body = sorted(" ".join(line.split()) for line in lines[1:])
    assert body == sorted([
        "added hap-ans Ansattes historier (under hap)",
        "split hap-sol-ans Ansattes solskinn, from hap-sol: 2 units",
        "renamed rec Opplevelser av recovery → Recovery",
    ])
    code, out, err = run(capsys, "codebook", studie, "--diff", 4, 5)
    assert " ".join(out.splitlines()[1].split()) == "merged hap-sol-ans Ansattes solskinn, into hap-ans: 2 units"
    code, out, err = run(capsys, "codebook", studie, "--diff", 4, 6)
    assert out.splitlines()[0].endswith(": no changes")
    code, out, err = run(capsys, "codebook", studie, "--diff", 1, 6, "--json")
    data = json.loads(out)
    assert (data["from"]["version"], data["to"]["version"]) == (1, 6)
    assert {(c["change"], c["code"]) for c in data["changes"]} == {
        ("added", "hap-ans"), ("split", "hap-sol-ans"), ("renamed", "rec")}


def test_bad_input_is_one_clear_line_and_exit_1(studie, capsys):
    _history(studie, capsys)
    cases = [
        (["--diff", 1, 9], "no codebook version 9"),
        (["--diff", "en", 2], "not a version number"),
        (["--diff", 5, 2], "older version first"),
        (["--as-of", "2026-02-28"], "before the first version"),
        (["--as-of", "28.02.2026"], "not a date"),
        (["--as-of", "2026-02-30"], "not a date"),
        (["--as-of", "2026-03-02", "--load", "bok.yaml"], "one of"),
        (["--history", "--diff", 1, 2], "one of"),
        (["--history", "--export", "x.yaml"], "--export"),
        (["--as-of", "2026-03-02", "--export", "x.qdc"], ".qdc"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, "codebook", studie, *argv)
        assert code == 1, (argv, out, err)
        assert len(err.strip().splitlines()) == 1 and message in err, (argv, err)
        assert out == ""
