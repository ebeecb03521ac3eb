"""The importers on files real tools wrote (tests/data/foreign, described in its README)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from qualcode.importers import parse_transcript

FOREIGN = Path(__file__).resolve().parent.parent / "data" / "foreign"


def turns_per_speaker(parsed) -> dict[str | None, int]:
    return dict(Counter(turn.speaker for turn in parsed.turns))


@pytest.mark.parametrize("name", ["libreoffice.docx", "libreoffice.odt"])
def test_libreoffice_documents(name, spoken):
    parsed = parse_transcript(FOREIGN / name)
    said = spoken(parsed)
    assert said[0] == (None, "Testintervju – Granlia, oppdiktet")
    assert turns_per_speaker(parsed) == {None: 1, "Moderator": 5, "Deltaker 1": 3,
                                         "Deltaker 2": 4, "Ansatt 1": 3}
    assert ("Deltaker 2", "Det ga litt håp, på en måte. At det ikkje er for seint. [pause] "
                          "At familien kanskje kan tilgi.") in said
    ansatt = [text for speaker, text in said if speaker == "Ansatt 1"]
    assert ansatt[1].endswith("\nOg kanskje med frivillige tilbud òg, sånne treffsteder som de "
                              "snakka om i går.")
    assert parsed.warnings == []


def test_teams_vtt(spoken):
    parsed = parse_transcript(FOREIGN / "teams.vtt")
    assert turns_per_speaker(parsed) == {"Siri Bråten": 5, "Ingrid Haugen": 3, "Tor Olsen": 3}
    assert len(parsed.turns) == 11
    assert any("Jeg kjente meg faktisk igjen" in text for _, text in spoken(parsed))
    assert parsed.turns[0].time_start == pytest.approx(3.436)
    assert parsed.turns[-1].time_end == pytest.approx(141.004)


def test_whisper_srt(spoken):
    parsed = parse_transcript(FOREIGN / "whisper.srt")
    assert turns_per_speaker(parsed) == {None: 18}
    assert any("jeg kjente meg igjen" in text for _, text in spoken(parsed))
    assert parsed.turns[-1].time_end == pytest.approx(87.6)


def test_cp1252_and_utf16_files_decode_to_the_same_text(spoken):
    cp1252 = parse_transcript(FOREIGN / "windows-cp1252.txt")
    utf16 = parse_transcript(FOREIGN / "utf16-bom.txt")
    assert (cp1252.encoding, utf16.encoding) == ("cp1252", "utf-16")
    assert cp1252.text == utf16.text
    assert "–" in cp1252.text and "…" in cp1252.text and "«" in cp1252.text
    assert spoken(cp1252) == spoken(utf16)
    assert turns_per_speaker(cp1252) == {None: 1, "Intervjuer": 5, "P1": 4}
