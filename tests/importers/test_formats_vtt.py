"""WebVTT: voice tags, cue merging, and errors that name their line."""

from __future__ import annotations

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript

TEAMS = """WEBVTT

3f5a2c1e-8b1d-4c0e-9a51-1f2d3e4c5b6a/12-0
00:00:01.000 --> 00:00:04.500
<v Kari Nordmann>Velkommen til fokusgruppa.</v>

3f5a2c1e-8b1d-4c0e-9a51-1f2d3e4c5b6a/13-0
00:00:04.500 --> 00:00:07.000
<v Kari Nordmann>Hva tenkte dere om fagdagen?

3f5a2c1e-8b1d-4c0e-9a51-1f2d3e4c5b6a/14-0
00:00:07.200 --> 00:01:02.000
<v Ola Hansen>Det var sterkt å høre.

3f5a2c1e-8b1d-4c0e-9a51-1f2d3e4c5b6a/15-0
01:00:02.000 --> 01:00:05.000
<v Kari Nordmann>Takk.</v>
"""


def test_teams_voice_tags_with_and_without_closing_tag(write, spoken):
    parsed = parse_transcript(write("teams.vtt", TEAMS))
    assert parsed.format == "vtt"
    assert spoken(parsed) == [
        ("Kari Nordmann", "Velkommen til fokusgruppa. Hva tenkte dere om fagdagen?"),
        ("Ola Hansen", "Det var sterkt å høre."),
        ("Kari Nordmann", "Takk."),
    ]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == [(1, 7), (7.2, 62), (3602, 3605)]
    assert parsed.text == (
        "[00:00:01] Kari Nordmann: Velkommen til fokusgruppa. Hva tenkte dere om fagdagen?\n\n"
        "[00:00:07] Ola Hansen: Det var sterkt å høre.\n\n"
        "[01:00:02] Kari Nordmann: Takk.")
    assert parsed.warnings == []


def test_markup_blocks_and_settings(write, spoken):
    data = """\ufeffWEBVTT - fokusgruppe 3
Kind: captions
Language: no

STYLE
::cue { color: yellow }

NOTE Dette er en merknad
over to linjer

REGION
id:nederst

1
00:05.000 --> 00:07.500 align:start position:10%
<v.loud Pasient 1>Det <i>var</i> <b>sånn</b> &amp; <c.gul>sånn</c>,<00:00:06.000> <u>ærlig</u>&nbsp;talt.</v>

00:08.000 --> 00:09.000
<v Ansatt 2><lang no>Jeg</lang> er enig &lt;3</v>
"""
    parsed = parse_transcript(write("markup.vtt", data))
    assert spoken(parsed) == [("Pasient 1", "Det var sånn & sånn, ærlig talt."),
                              ("Ansatt 2", "Jeg er enig <3")]
    assert parsed.turns[0].time_start == 5


def test_name_prefix_when_there_are_no_voice_tags(write, spoken):
    data = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nIntervjuer: Hei.\n\n"
            "00:00:02.000 --> 00:00:03.000\nP1: Hei.\n\n"
            "00:00:03.000 --> 00:00:04.000\nP1: Det jeg mener er: ja.\n\n"
            "00:00:04.000 --> 00:00:05.000\nMusikk spilles.\n")
    parsed = parse_transcript(write("labels.vtt", data))
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("P1", "Hei. Det jeg mener er: ja."),
                              (None, "Musikk spilles.")]
    assert parsed.text.split("\n\n")[1] == "[00:00:02] P1: Hei. Det jeg mener er: ja."


def test_unattributed_cues_are_not_merged(write, spoken):
    data = "WEBVTT\n\n00:01.000 --> 00:02.000\nFørste.\n\n00:02.000 --> 00:03.000\nAndre.\n"
    parsed = parse_transcript(write("anon.vtt", data))
    assert spoken(parsed) == [(None, "Første."), (None, "Andre.")]
    assert parsed.text == "[00:00:01] Første.\n\n[00:00:02] Andre."


def test_cue_without_text_is_skipped_with_warning(write, spoken):
    data = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v P1></v>\n\n"
            "00:02.000 --> 00:03.000\n<v P1>Ja.</v>\n")
    parsed = parse_transcript(write("tom.vtt", data))
    assert spoken(parsed) == [("P1", "Ja.")]
    assert parsed.warnings == ["skipped 1 cue(s) without text (line 3)"]


def test_voice_name_variants_are_merged(write):
    data = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Kari Nordmann>Ja.\n\n"
            "00:02.000 --> 00:03.000\n<v kari  nordmann>Nei.\n\n"
            "00:03.000 --> 00:04.000\n<v Ola>Kanskje.\n")
    parsed = parse_transcript(write("varianter.vtt", data))
    assert [t.speaker for t in parsed.turns] == ["Kari Nordmann", "Ola"]
    assert parsed.warnings == ["merged speaker label variants 'kari nordmann' into 'Kari Nordmann'"]


@pytest.mark.parametrize("timing, line", [
    ("00:00:0x.000 --> 00:00:04.000", 6),
    ("00:00:01.000 -> 00:00:04.000", None),  # no "-->": reported as stray text
    ("00:00:01,000 --> 00:00:04,000", 6),
    ("00:61:01.000 --> 00:62:04.000", 6),
    ("00:00:01.000 -->", 6),
])
def test_malformed_timing_names_the_line(write, timing, line):
    data = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v P1>Hei.\n\n{timing}\n<v P1>Hallo.\n"
    with pytest.raises(UserError) as err:
        parse_transcript(write("feil.vtt", data))
    if line is not None:
        assert err.value.line == line
        assert f"malformed cue timing '{timing}'" in str(err.value)
    else:
        assert err.value.line == 6
        assert "expected a cue timing line" in str(err.value)


def test_missing_header(write):
    with pytest.raises(UserError) as err:
        parse_transcript(write("uten.vtt", "00:00:01.000 --> 00:00:02.000\nHei.\n"))
    assert err.value.line == 1
    assert "first line must be 'WEBVTT'" in str(err.value)
    with pytest.raises(UserError, match="WEBVTT"):
        parse_transcript(write("nesten.vtt", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHei.\n"))


def test_no_cues(write):
    with pytest.raises(UserError, match="no cues"):
        parse_transcript(write("tom.vtt", "WEBVTT\n\nNOTE bare en merknad\n"))
    with pytest.raises(UserError, match="no cues with text"):
        parse_transcript(write("stille.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v P1></v>\n"))


def test_id_without_timing_is_an_error(write):
    data = "WEBVTT\n\n00:01.000 --> 00:02.000\nHei.\n\nbare-en-id\n\n00:03.000 --> 00:04.000\nJa.\n"
    with pytest.raises(UserError) as err:
        parse_transcript(write("id.vtt", data))
    assert err.value.line == 6


def test_timing_line_without_blank_line_starts_a_new_cue(write, spoken):
    data = "WEBVTT\n\n00:01.000 --> 00:02.000\nHei.\n00:02.000 --> 00:03.000\nHallo.\n"
    assert spoken(parse_transcript(write("tett.vtt", data))) == [(None, "Hei."), (None, "Hallo.")]
