"""SubRip: unattributed cues, optional labels, any encoding, strict timings."""

from __future__ import annotations

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript

WHISPER = ("1\r\n00:00:01,000 --> 00:00:04,000\r\nDet var sterkt å høre\r\nhvordan det gikk.\r\n\r\n"
           "2\r\n00:00:04,000 --> 00:00:06,500\r\n<i>Ja,</i> {\\an8}ærlig talt.\r\n\r\n"
           "3\r\n00:01:00,000 --> 00:01:02,000\r\nMen så --\r\n")


def test_whisper_output(write, spoken):
    parsed = parse_transcript(write("whisper.srt", WHISPER))
    assert parsed.format == "srt"
    assert spoken(parsed) == [(None, "Det var sterkt å høre hvordan det gikk."),
                              (None, "Ja, ærlig talt."), (None, "Men så --")]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == [(1, 4), (4, 6.5), (60, 62)]
    assert parsed.text == ("[00:00:01] Det var sterkt å høre hvordan det gikk.\n\n"
                           "[00:00:04] Ja, ærlig talt.\n\n[00:01:00] Men så --")
    assert parsed.warnings == []


def test_cp1252_srt(write, spoken):
    parsed = parse_transcript(write("gammel.srt", WHISPER.encode("cp1252")))
    assert parsed.encoding == "cp1252"
    assert spoken(parsed)[0] == (None, "Det var sterkt å høre hvordan det gikk.")
    assert "cp1252" in parsed.warnings[0]


def test_labels_in_cue_text(write, spoken):
    data = ("1\n00:00:01,000 --> 00:00:02,000\nIntervjuer: Hei.\n\n"
            "2\n00:00:02,000 --> 00:00:03,000\nKari: Hei.\n\n"
            "3\n00:00:03,000 --> 00:00:04,000\nKari: Jeg mener: ja.\n\n"
            "4\n00:00:04,000 --> 00:00:05,000\nOla: Nei.\n")
    parsed = parse_transcript(write("navn.srt", data))
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Kari", "Hei. Jeg mener: ja."),
                              (None, "Ola: Nei.")]  # "Ola" is used only once and not a known label
    assert parsed.turns[1].time_end == 4


@pytest.mark.parametrize("timing", ["00:00:01 --> 00:00:02", "00:00:01,000 --> 0:0:x,5",
                                    "00:00:01,000 --> "])
def test_malformed_timing(write, timing):
    data = f"1\n00:00:00,000 --> 00:00:01,000\nHei.\n\n2\n{timing}\nHallo.\n"
    with pytest.raises(UserError) as err:
        parse_transcript(write("feil.srt", data))
    assert err.value.line == 6
    assert "malformed cue timing" in str(err.value)


def test_missing_number_is_fine_but_stray_text_is_not(write, spoken):
    data = "00:00:01,000 --> 00:00:02,000\nHei.\n"
    assert spoken(parse_transcript(write("uten-nr.srt", data))) == [(None, "Hei.")]
    data = "1\n00:00:01,000 --> 00:00:02,000\nHei.\n\nDette hører ikke til noe.\n"
    with pytest.raises(UserError) as err:
        parse_transcript(write("rest.srt", data))
    assert err.value.line == 5
    data = "en\n00:00:01,000 --> 00:00:02,000\nHei.\n"
    with pytest.raises(UserError, match="expected a cue number"):
        parse_transcript(write("bokstav.srt", data))
    data = "1\n00:00:01,000 --> 00:00:02,000\nHei.\n\n2\n00:00:03,000 -> 00:00:04,000\nJa.\n"
    with pytest.raises(UserError, match="expected a cue timing line") as err:
        parse_transcript(write("pil.srt", data))
    assert err.value.line == 6


def test_no_cues(write):
    with pytest.raises(UserError, match="file is empty"):
        parse_transcript(write("tom.srt", "\r\n\r\n"))
