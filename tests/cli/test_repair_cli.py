"""Transcripts repaired from the command line: speakers mapped at import and later, speakerless
cues attributed, turns split, merged, dropped and corrected, titles set; units stay on their words
and ``qualcode undo`` takes each repair back."""

from __future__ import annotations

import json

import pytest

from qualcode.cli import main
from qualcode.core.codebook import parse_codebook
from qualcode.store import Project
from tests.conftest import CODEBOOK_YAML

DIARIZED = """\
S01: Velkommen til fokusgruppen. Hva tenkte dere om fagdagen?

S00: Jeg kjente meg igjen i historien hans.

S02: Ja, det gjorde jeg også.

S00: Det ga meg håp for framtida.

S01: Takk. Hva med resten av dere?

S02: Jeg trenger litt mer tid.
"""

SRT = """\
1
00:00:00,000 --> 00:00:04,000
Velkommen alle sammen. Jeg leder samtalen i dag.

2
00:00:04,500 --> 00:00:09,000
Jeg har vært her i tre måneder. Det har gått bra. Ja, for meg også.

3
00:00:09,500 --> 00:00:12,000
Jeg fikk håp igjen da jeg så de andre.
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "studie.qualcode"
    Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "test.yaml")).close()
    return path


def turns(capsys, path, tid):
    code, out, _ = run(capsys, "turns", path, tid, "--json")
    assert code == 0
    return json.loads(out)


def unit_words(path):
    with Project.open(path, backup=False) as p:
        return {u.id: u.text for u in p.units()}


def code_quote(path, tid, quote, code="hap"):
    with Project.open(path, backup=False) as p:
        [(start, end)] = p.find_quote(tid, quote)
        return p.add_coding(tid, start, end, code, "AB").id


def test_diarizer_labels_are_mapped_at_import_then_given_roles(capsys, project_path, tmp_path):
    source = tmp_path / "fg3.txt"
    source.write_text(DIARIZED, encoding="utf-8")
    code, out, err = run(capsys, "import", project_path, source, "--speaker", "S01=Moderator",
                         "--speaker", "S00=P1", "--speaker", "S02=P2", "--role", "Moderator=moderator",
                         "--role", "P*=pasient")
    assert code == 0, err
    assert "Moderator (moderator)" in out and "P1 (pasient)" in out and "S0" not in out
    with Project.open(project_path, backup=False) as p:
        text = p.text("T1")
    assert "S00" not in text and text.startswith("Moderator: Velkommen")  # no diarizer label left in the text
    code, out, _ = run(capsys, "speakers", project_path, "T1")
    assert code == 0 and "P1" in out and "2" in out and "Jeg kjente meg igjen" in out


def test_speakers_renamed_merged_and_undone(capsys, project_path, tmp_path):
    source = tmp_path / "fg3.txt"
    source.write_text(DIARIZED, encoding="utf-8")
    assert run(capsys, "import", project_path, source)[0] == 0
    unit = code_quote(project_path, "T1", "kjente meg igjen")
    code, _, err = run(capsys, "speakers", project_path, "T1", "--rename", "S00=S02")
    assert code == 1 and "already a speaker" in err and "--merge S00=S02" in err
    code, out, err = run(capsys, "speakers", project_path, "T1", "--merge", "S02=S00", "--json")
    assert code == 0, err
    assert [s["label"] for s in json.loads(out)["speakers"]] == ["S01", "S00"]
    assert unit_words(project_path) == {unit: "kjente meg igjen"}
    code, out, _ = run(capsys, "undo", project_path)
    assert code == 0 and "speaker S02 → S00" in out
    assert [t["speaker"] for t in turns(capsys, project_path, "T1")] == ["S01", "S00", "S02", "S00", "S01", "S02"]


def test_a_whisper_srt_is_repaired_end_to_end(capsys, project_path, tmp_path):
    source = tmp_path / "opptak.srt"
    source.write_text(SRT + "\n4\n00:00:40,000 --> 00:00:42,000\nUndertekster av Amara.org-fellesskapet\n",
                      encoding="utf-8")
    assert run(capsys, "import", project_path, source)[0] == 0
    code, _, err = run(capsys, "roles", project_path, "T1", "*=pasient")
    assert code == 1 and "no speakers yet" in err and "--set" in err
    code, out, _ = run(capsys, "speakers", project_path, "T1")
    assert "without a speaker" in out
    listed = turns(capsys, project_path, "T1")
    hope = code_quote(project_path, "T1", "Jeg fikk håp igjen")
    months = code_quote(project_path, "T1", "tre måneder", code="rec")
    # The cue that holds two speakers is split where the second begins.
    two = next(t["index"] for t in listed if "tre måneder" in t["text"])
    code, out, err = run(capsys, "turns", project_path, "T1", "--split", two, "--before", "Ja, for meg",
                         "--speaker", "P2")
    assert code == 0, err
    listed = turns(capsys, project_path, "T1")
    assert listed[two + 1]["text"] == "Ja, for meg også." and listed[two + 1]["speaker"] == "P2"
    # Speakers for the rest, then roles.
    last = len(listed) - 1
    assert run(capsys, "speakers", project_path, "T1", "--set", "Moderator", "--turns", "0")[0] == 0
    assert run(capsys, "speakers", project_path, "T1", "--set", "P1", "--turns", f"{two},{last - 1}")[0] == 0
    code, out, err = run(capsys, "roles", project_path, "T1", "Moderator=moderator", "P*=pasient")
    assert code == 0, err
    # The line Whisper invented on silence goes, after the units on it are thought of.
    assert "Amara" in listed[last]["text"]
    code, out, err = run(capsys, "turns", project_path, "T1", "--drop", last)
    assert code == 0, err
    # A word corrected.
    code, _, err = run(capsys, "turns", project_path, "T1", "--edit", "0", "--text",
                       "Velkommen alle sammen. Jeg leder samtalen i dag, altså.")
    assert code == 0, err
    code, _, err = run(capsys, "transcript", project_path, "T1", "--title", "Fokusgruppe 4")
    assert code == 0, err
    assert unit_words(project_path) == {hope: "Jeg fikk håp igjen", months: "tre måneder"}
    with Project.open(project_path, backup=False) as p:
        units = {u.id: u for u in p.units()}
        assert (units[hope].speaker, units[hope].role) == ("P1", "pasient")
        assert "Amara" not in p.text("T1") and p.transcript("T1").title == "Fokusgruppe 4"
    # Every repair undoes, newest first, and the units never leave their words.
    for _ in range(7):
        code, out, err = run(capsys, "undo", project_path)
        assert code == 0 and "nothing" not in out, err
        assert unit_words(project_path) == {hope: "Jeg fikk håp igjen", months: "tre måneder"}
    with Project.open(project_path, backup=False) as p:
        assert "Amara" in p.text("T1") and all(t.speaker is None for t in p.turns("T1"))


@pytest.mark.parametrize(("argv", "message"), [
    (["turns", "T1", "--split", "1"], "--at OFFSET"),
    (["turns", "T1", "--split", "1", "--before", "finnes ikke"], "does not contain"),
    (["turns", "T1", "--merge", "1,3"], "a run of turns"),
    (["turns", "T1", "--merge", "1-2", "--drop", "3"], "one repair at a time"),
    (["turns", "T1", "--edit", "1"], "--text"),
    (["turns", "T1", "--drop", "9"], "no turn 9"),
    (["speakers", "T1", "--set", "P1"], "--turns"),
    (["speakers", "T1", "--set", "P1", "--turns", "2-x"], "must look like"),
    (["speakers", "T1", "--rename", "S01"], "OLD=NEW"),
    (["transcript", "T1", "--delete"], "--yes"),
    (["transcript", "T1"], "--title TEXT, or --delete"),
])
def test_mistakes_are_one_line_and_change_nothing(capsys, project_path, tmp_path, argv, message):
    source = tmp_path / "fg3.txt"
    source.write_text(DIARIZED, encoding="utf-8")
    assert run(capsys, "import", project_path, source)[0] == 0
    argv = [argv[0], project_path, *argv[1:]]
    code, _out, err = run(capsys, *argv)
    assert code == 1 and message in err and err.count("\n") == 1 and "Traceback" not in err
    with Project.open(project_path, backup=False) as p:
        assert p.history() == []


def test_a_transcript_is_deleted_after_a_backup(capsys, project_path, tmp_path):
    source = tmp_path / "fg3.txt"
    source.write_text(DIARIZED, encoding="utf-8")
    assert run(capsys, "import", project_path, source)[0] == 0
    code_quote(project_path, "T1", "kjente meg igjen")
    code, out, err = run(capsys, "transcript", project_path, "T1", "--delete", "--yes")
    assert code == 0, err
    assert "deleted T1 and its 1 unit(s); the project before is in " in out
    copy = out.strip().rsplit(" ", 1)[-1]
    with Project.open(copy, backup=False) as before:
        assert [t.id for t in before.transcripts()] == ["T1"] and len(before.codings()) == 1
    with Project.open(project_path, backup=False) as p:
        assert p.transcripts() == []
