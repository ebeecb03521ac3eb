"""Issue 11's end to end: one focus group from each transcriber reaches the same state (the right
speakers with roles, no invented lines, times on turns), is coded, survives a repair with every
unit on its words, and gives quotes attributed by role without the transcriber's marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.core.codebook import parse_codebook
from qualcode.store import Project
from tests.conftest import CODEBOOK_YAML

DATA = Path(__file__).resolve().parent.parent / "data" / "transcribers"

# (file, the moderator's label, the label of who says "Jeg kan begynne")
SOURCES = [
    ("noscribe.html", "S02", "S00"),
    ("atrain/transcription_timestamps.txt", "SPEAKER_01", "SPEAKER_00"),
    ("atrain/transcription.json", "SPEAKER_01", "SPEAKER_00"),
    ("zoom.vtt", "Kari Lunde", "Ola Berg"),
    ("f4.txt", "I", "B1"),
]
QUOTE = "Jeg kan begynne"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "moderator", "first"), SOURCES, ids=[s[0] for s in SOURCES])
def test_each_source_reaches_the_same_state(capsys, tmp_path, name, moderator, first):
    path = tmp_path / "studie.qualcode"
    Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "cb.yaml")).close()
    code, _out, err = run(capsys, "import", path, DATA / name, "--group", "Fokusgruppe 2", "--drop-suspect",
                         "--speaker", f"{moderator}=Moderator", "--speaker", f"{first}=P1",
                         "--role", "Moderator=moderator", "--role", "*=pasient")
    assert code == 0, err
    with Project.open(path, backup=False) as p:
        tid = p.transcripts()[0].id
        text = p.text(tid)
        speakers = {s.label: s.role for s in p.transcript(tid).speakers}
        assert speakers["Moderator"] == "moderator" and speakers["P1"] == "pasient"
        assert all(role for role in speakers.values())
        assert moderator not in text.replace("Moderator", "") and first not in speakers  # labels mapped
        assert "Teksting av" not in text  # the line invented on silence is gone
        turns = p.turns(tid)
        p1 = next(t for t in turns if QUOTE in t.text)
        assert p1.speaker == "P1" and p1.time_start is not None
        assert p1.text.startswith(QUOTE) and p1.text.rstrip().endswith((".", "?", "!"))  # whole sentences
        [(start, end)] = p.find_quote(tid, QUOTE)
        unit = p.add_coding(tid, start, end, "hap", "AB", condensed="Begynner").id
        later = next(t for t in turns if t.index > p1.index and t.speaker not in (None, "Moderator"))
        [(start, end)] = p.find_quote(tid, later.text[:25])
        other = p.add_coding(tid, start, end, "rec", "AB").id
        before = {u.id: u.text for u in p.units()}
    # A repair before both units: the moderator's first words corrected (the text before them moves).
    opening = next(t for t in turns if t.speaker == "Moderator")
    code, _, err = run(capsys, "turns", path, tid, "--edit", opening.index, "--text",
                       opening.text.replace("Velkommen", "Hjertelig velkommen", 1))
    assert code == 0, err
    with Project.open(path, backup=False) as p:
        assert {u.id: u.text for u in p.units()} == before
        assert {u.id: u.role for u in p.units()} == {unit: "pasient", other: "pasient"}
    out_file = tmp_path / "sitater.md"
    code, _, err = run(capsys, "export", path, "quotes", "--format", "md", "--out", out_file)
    assert code == 0, err
    quotes = out_file.read_text(encoding="utf-8")
    assert QUOTE in quotes and "(pasient, fokusgruppe 2)" in quotes
    for mark in ("(..)", "(...)", "//", "seconds pause", "Sekunden Pause"):
        assert mark not in quotes


def test_quotes_keep_the_marks_when_asked(capsys, tmp_path):
    path = tmp_path / "studie.qualcode"
    Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "cb.yaml")).close()
    assert run(capsys, "import", path, DATA / "noscribe.html")[0] == 0
    with Project.open(path, backup=False) as p:
        text = p.text("T1")
        start = text.index("Hvem vil begynne?")
        end = text.index("(..)") + len("(..)")
        p.add_coding("T1", start, end, "hap", "AB")
    plain, marked = tmp_path / "a.md", tmp_path / "b.md"
    assert run(capsys, "export", path, "quotes", "--format", "md", "--out", plain)[0] == 0
    assert run(capsys, "export", path, "quotes", "--format", "md", "--out", marked, "--keep-marks")[0] == 0
    assert "Hvem vil begynne?" in plain.read_text(encoding="utf-8")
    assert "(..)" not in plain.read_text(encoding="utf-8") and "(..)" in marked.read_text(encoding="utf-8")
