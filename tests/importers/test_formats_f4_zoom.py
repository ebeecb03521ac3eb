"""f4/f5 transcripts and Zoom's WebVTT (tests/data/transcribers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.importers import parse_transcript

DATA = Path(__file__).resolve().parent.parent / "data" / "transcribers"


def test_f4_transcript(spoken):
    parsed = parse_transcript(DATA / "f4.txt")
    assert parsed.format == "f4-txt"
    said = spoken(parsed)
    assert [speaker for speaker, _ in said] == ["I", "B1", "B2", "B1", "I", "B1", "B3", "I", "B2", "B3",
                                                "I", "B1", "B2", "B3", "I"]
    assert said[1] == ("B1", "Jeg kan begynne. (..) Det første jeg merket var at jeg var veldig sliten. Jeg "
                             "gikk hjem og la meg rett etter middag hver dag den første uka.")
    assert said[2] == ("B2", "Ja, ikke sant.")  # //B2: ...// is its own turn
    assert said[3] == ("B1", "Men det ble bedre etter hvert, når jeg fikk jobbe halv dag.")
    assert said[11] == ("B1", "Snakk med den som kommer tilbake, ikke om dem.")  # "(unv.)" is left out
    # the mark at a paragraph's end is when it ends, and so when the next one starts
    times = [(t.time_start, t.time_end) for t in parsed.turns]
    assert times[0] == (None, 11.4)
    assert times[1] == (11.4, None) and times[3] == (None, 28.7)
    assert times[4] == (28.7, 33.8)
    assert times[9] == (76.5, 80.2)  # after the "(12)" paragraph, which is a pause and no turn
    kinds = [(parsed.text[a.start:a.end], a.kind) for a in parsed.annotations]
    assert ("#00:00:11-4#", "time") in kinds and ("(4)", "pause") in kinds and ("(12)", "pause") in kinds
    assert ("(lacht)", "sound") in kinds and ("(unv.)", "sound") in kinds and ("//", "overlap") in kinds
    assert "\r" not in parsed.text
    assert parsed.warnings == []


def test_f4_with_unix_line_endings_and_one_paragraph(write, spoken):
    parsed = parse_transcript(write("kort.txt", "I: Hvordan går det? #00:00:03-2#\n\nB: Bra. (3) Takk. #00:00:07-9#\n"))
    assert parsed.format == "f4-txt"
    assert spoken(parsed) == [("I", "Hvordan går det?"), ("B", "Bra. (3) Takk.")]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == [(None, 3.2), (3.2, 7.9)]
    single = parse_transcript(write("en.txt", "B1: Bare én. #00:00:03-2#\n"))
    assert single.format == "f4-txt" and single.turns[0].time_end == 3.2


ZOOM = [
    ("Kari Lunde", "Velkommen, alle sammen, og takk for at dere ville være med. Vi skal snakke om hvordan "
                   "det har vært å komme tilbake til jobb etter sykemeldingen. Hvem vil begynne?"),
    ("Ola Berg", "Jeg kan begynne. Det første jeg merket var at jeg var veldig sliten. Jeg gikk hjem og la "
                 "meg rett etter middag hver dag den første uka."),
    ("Silje Nilsen", "Ja, ikke sant."),
    ("Ola Berg", "Men det ble bedre etter hvert, når jeg fikk jobbe halv dag."),
]


def test_zoom_vtt(spoken):
    parsed = parse_transcript(DATA / "zoom.vtt")
    assert parsed.format == "zoom-vtt"
    said = spoken(parsed)
    assert said[:4] == ZOOM
    assert len(said) == 15
    assert parsed.speakers == ["Kari Lunde", "Ola Berg", "Silje Nilsen", "Arne Haugland"]
    assert (parsed.turns[0].time_start, parsed.turns[0].time_end) == (0, 11.4)
    assert parsed.text.startswith("[00:00:00] Kari Lunde: Velkommen, alle sammen,")
    assert parsed.warnings == []


@pytest.mark.parametrize("name", ["zoom.vtt", "f4.txt"])
def test_windows_line_endings(name, tmp_path):
    data = (DATA / name).read_bytes().replace(b"\r\n", b"\n")
    for variant, raw in (("lf", data), ("crlf", data.replace(b"\n", b"\r\n"))):
        path = tmp_path / f"{variant}-{name}"
        path.write_bytes(raw)
    lf, crlf = parse_transcript(tmp_path / f"lf-{name}"), parse_transcript(tmp_path / f"crlf-{name}")
    assert (lf.text, lf.turns, lf.annotations, lf.format) == (crlf.text, crlf.turns, crlf.annotations, crlf.format)


def test_zoom_names_used_once_and_display_names(write, spoken):
    data = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nKari Lunde (UiB): Hei, alle sammen.\n\n"
            "2\n00:00:02.500 --> 00:00:04.000\niPad: Hei!\n\n"
            "3\n00:00:04.500 --> 00:00:06.000\nKari Lunde (UiB): Kan du høre meg?\n\n"
            "4\n00:00:06.500 --> 00:00:08.000\nOla: Ja.\n")
    parsed = parse_transcript(write("zoom.vtt", data))
    assert parsed.format == "zoom-vtt"
    assert spoken(parsed) == [("Kari Lunde (UiB)", "Hei, alle sammen."), ("iPad", "Hei!"),
                              ("Kari Lunde (UiB)", "Kan du høre meg?"), ("Ola", "Ja.")]


def test_teams_vtt_is_not_zoom(spoken):
    parsed = parse_transcript(DATA.parent / "foreign" / "teams.vtt")
    assert parsed.format == "vtt"
