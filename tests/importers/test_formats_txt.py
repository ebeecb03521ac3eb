"""Plain-text transcripts end to end, through parse_transcript."""

from __future__ import annotations

import time

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript

DIALOGUE = (
    "Fokusgruppe 2 – institusjon B\n"
    "\n"
    "[00:00:05] Intervjuer: Hva tenkte dere da dere gikk derfra?\n"
    "[00:00:12] P1: Eh, at det finnes et bedre liv. Det var som å høre min egen historie.\n"
    "[latter]\n"
    "[00:00:31] Ansatt 2: Jeg ble rørt, ærlig talt --\n"
    "P 1: -- ja, sånn liksom.\n"
)


def test_a_typical_transcript(write, spoken):
    parsed = parse_transcript(write("fg2.txt", DIALOGUE))
    assert parsed.format == "txt"
    assert parsed.encoding == "utf-8"
    assert parsed.text == DIALOGUE  # labels and timestamps stay in the stored text
    assert spoken(parsed) == [
        (None, "Fokusgruppe 2 – institusjon B"),
        ("Intervjuer", "Hva tenkte dere da dere gikk derfra?"),
        ("P1", "Eh, at det finnes et bedre liv. Det var som å høre min egen historie.\n[latter]"),
        ("Ansatt 2", "Jeg ble rørt, ærlig talt --"),
        ("P1", "-- ja, sånn liksom."),
    ]
    assert [t.time_start for t in parsed.turns] == [None, 5, 12, 31, None]
    assert parsed.speakers == ["Intervjuer", "P1", "Ansatt 2"]
    assert parsed.warnings == ["merged speaker label variants 'P 1' into 'P1'"]


def test_crlf_and_nfd_are_normalised_and_offsets_still_right(write, spoken):
    raw = "Intervjuer: Hva betyr ha\u030ap for deg?\r\nP1: A\u030a ha\u0308 noe a\u030a sta\u030a opp for.\r\n"
    parsed = parse_transcript(write("nfd.txt", raw.encode("utf-8")))
    assert "\r" not in parsed.text
    assert spoken(parsed) == [("Intervjuer", "Hva betyr håp for deg?"),
                              ("P1", "Å hä noe å stå opp for.")]


def test_cp1252_file_keeps_norwegian_letters(write, spoken):
    parsed = parse_transcript(write("gammel.txt", DIALOGUE.replace("–", "-").encode("cp1252")))
    assert parsed.encoding == "cp1252"
    assert spoken(parsed)[2] == ("P1", "Eh, at det finnes et bedre liv. Det var som å høre min "
                                       "egen historie.\n[latter]")
    assert parsed.warnings[0] == "decoded as cp1252 (not UTF-8); check æ, ø and å in the result"


def test_utf16_from_notepad(write, spoken):
    parsed = parse_transcript(write("notepad.txt", "\ufeffP1: Blåbærsyltetøy.\r\n".encode("utf-16-le")))
    assert parsed.encoding == "utf-16"
    assert spoken(parsed) == [("P1", "Blåbærsyltetøy.")]


def test_forced_encoding(write, spoken):
    path = write("latin.txt", "P1: Søt.\n".encode("latin-1"))
    parsed = parse_transcript(path, encoding="latin-1")
    assert (parsed.encoding, parsed.warnings) == ("latin-1", [])
    assert spoken(parsed) == [("P1", "Søt.")]


def test_five_megabyte_single_line(write):
    line = ("Dette er en veldig lang linje uten linjeskift, sånn liksom: æ ø å. " * 80_000)[:5_000_000]
    began = time.perf_counter()
    parsed = parse_transcript(write("lang.txt", line))
    elapsed = time.perf_counter() - began
    assert len(parsed.turns) == 1
    turn = parsed.turns[0]
    assert (turn.speaker, turn.start, turn.end) == (None, 0, len(line.rstrip()))
    assert parsed.warnings == ["no speaker labels found; imported as unattributed text",
                               "line 1 is 5,000,000 characters long (no line breaks); it is imported "
                               "whole, nothing cut"]
    assert elapsed < 3.0


def test_errors_name_the_file(write):
    path = write("tom.txt", b"")
    with pytest.raises(UserError) as err:
        parse_transcript(path)
    assert str(err.value) == f"{path}: file is empty"
    with pytest.raises(UserError, match=r"bin\.txt:1: binary content"):
        parse_transcript(write("bin.txt", b"P1: hei\x00\x00"))
