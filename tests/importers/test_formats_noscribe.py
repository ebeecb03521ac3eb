"""noScribe: its HTML, its text, its WebVTT and its editor's HTML (tests/data/transcribers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript

DATA = Path(__file__).resolve().parent.parent / "data" / "transcribers"
PATH_IN_HEADER = "C:/Users/ingrid"

# The focus group as noScribe's speaker detection labelled it: S02 is the moderator.
EXPECTED = [
    ("S02", "Velkommen, alle sammen, og takk for at dere ville være med. Vi skal snakke om hvordan det "
            "har vært å komme tilbake til jobb etter sykemeldingen. Hvem vil begynne?"),
    ("S00", "Jeg kan begynne. Det første jeg merket var at jeg var veldig sliten. Jeg gikk hjem og la "
            "meg rett etter middag hver dag den første uka."),
    ("S03", "Ja, ikke sant."),
    ("S00", "Men det ble bedre etter hvert, når jeg fikk jobbe halv dag."),
    ("S02", "Hva var det som gjorde det lettere, tror du?"),
    ("S00", "At sjefen min var tydelig på at jeg ikke trengte å ta igjen alt på en gang."),
    ("S01", "For meg var det helt motsatt. Jeg følte at alle ventet på at jeg skulle være den samme som "
            "før, og det var jeg jo ikke. Jeg er vel ikke det nå heller."),
    ("S02", "Kjenner dere andre dere igjen i det?"),
    ("S03", "Ja, veldig. Jeg hadde en kollega som spurte hver dag om jeg var frisk nå. Det var sikkert "
            "godt ment, men det ble en slags press."),
    ("S01", "Det er det som er vanskelig å forklare for folk."),
    ("S02", "Hvis dere skulle gi ett råd til arbeidsgivere, hva ville det vært?"),
    ("S00", "Snakk med den som kommer tilbake, ikke om dem."),
    ("S03", "Og la det ta tid. Det er ikke en rett linje."),
    ("S01", "Enig. Og spør heller én gang for mye enn én gang for lite."),
    ("S02", "Tusen takk. Da avslutter vi der."),
    ("S02", "Teksting av Nicolai Winther"),
]
TIMES = [(0, 11.4), (13.9, 23.1), (23.4, 24.2), (24.3, 28.7), (29.5, 33.8), (34.6, 39.9), (40.8, 50.5),
         (51, 53.2), (54.1, 64), (76.5, 80.2), (80.9, 86.4), (87.2, 92.6), (93, 97.3), (97.8, 101.1),
         (101.9, 105.6), (112, 115)]


def annotated(parsed) -> list[tuple[str, str]]:
    return [(parsed.text[a.start:a.end], a.kind) for a in parsed.annotations]


def test_noscribe_html(spoken):
    parsed = parse_transcript(DATA / "noscribe.html")
    assert parsed.format == "noscribe-html"
    assert parsed.title == "Fokusgruppe 2 Solbakken"
    assert spoken(parsed) == EXPECTED
    assert [(t.time_start, t.time_end) for t in parsed.turns] == TIMES
    assert parsed.suspect_turns == [15]
    # the header, with the audio file's path, is not stored; the visible timestamps neither
    assert PATH_IN_HEADER not in parsed.text and "noScribe" not in parsed.text
    assert "[00:00" not in parsed.text
    assert parsed.text.startswith("S02: Velkommen, alle sammen,")
    assert "//S03: Ja, ikke sant.// Men det ble bedre" in parsed.text
    assert annotated(parsed) == [("(..)", "pause"), ("//", "overlap"), ("//", "overlap"),
                                 ("(12 seconds pause)", "pause"), ("(......)", "pause")]
    assert parsed.warnings[0].startswith("left out noScribe's header")
    assert "audio file's path" in parsed.warnings[0]
    assert "turn 15 «Teksting av Nicolai Winther»" in parsed.warnings[1]  # numbered as qualcode turns numbers them
    assert parsed.warnings[2].startswith("speakers S02, S00, S03, S01 are noScribe's speaker detection labels")
    assert parsed.speakers == ["S02", "S00", "S03", "S01"]


def test_pauses_and_overlaps_are_not_in_the_turns():
    parsed = parse_transcript(DATA / "noscribe.html")
    for turn in parsed.turns:
        for note in parsed.annotations:
            inside = turn.start <= note.start and note.end <= turn.end
            assert not inside, (parsed.text[turn.start:turn.end], parsed.text[note.start:note.end])


def test_noscribe_editor_file_reads_the_same(spoken):
    parsed = parse_transcript(DATA / "noscribe-edited.html")
    assert parsed.format == "noscribe-html"
    assert parsed.title == "Fokusgruppe 2 Solbakken"
    renamed = {"S02": "Moderator", "S00": "Ola"}
    assert spoken(parsed) == [(renamed.get(s, s), text) for s, text in EXPECTED]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == TIMES
    assert PATH_IN_HEADER not in parsed.text
    assert parsed.suspect_turns == [15]


def test_noscribe_text_in_german(spoken):
    parsed = parse_transcript(DATA / "noscribe-de.txt")
    assert parsed.format == "noscribe-txt"
    assert parsed.title == "Fokusgruppe 2 Solbakken"
    assert PATH_IN_HEADER not in parsed.text and "Transkribiert" not in parsed.text
    assert parsed.text.startswith("S02: [00:00:00] Velkommen")  # the file's own text, from there on
    assert spoken(parsed) == EXPECTED
    # times from the visible timestamps (whole seconds); the last line has none
    assert [t.time_start for t in parsed.turns] == [0, 13, None, None, 29, 34, 40, 51, 54, 76, 80, 87,
                                                     93, 97, 101, None]
    kinds = annotated(parsed)
    assert ("(12 Sekunden Pause)", "pause") in kinds and ("[00:01:16]", "time") in kinds
    assert parsed.suspect_turns == [15]
    assert parsed.warnings[0].startswith("left out noScribe's header")


def test_noscribe_vtt(spoken):
    parsed = parse_transcript(DATA / "noscribe.vtt")
    assert parsed.format == "noscribe-vtt"
    assert parsed.title == "Fokusgruppe 2 Solbakken"
    assert spoken(parsed) == EXPECTED
    assert [(t.time_start, t.time_end) for t in parsed.turns] == TIMES
    assert PATH_IN_HEADER not in parsed.text
    assert parsed.suspect_turns == [15]
    assert parsed.warnings[0].startswith("left out noScribe's header")


@pytest.mark.parametrize("name", ["noscribe.html", "noscribe-de.txt", "noscribe.vtt", "noscribe-edited.html"])
def test_windows_line_endings(name, tmp_path):
    data = (DATA / name).read_bytes()
    crlf = tmp_path / name
    crlf.write_bytes(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    original, converted = parse_transcript(DATA / name), parse_transcript(crlf)
    assert converted.text == original.text
    assert converted.turns == original.turns
    assert converted.annotations == original.annotations


def _page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN">\n<html >\n<head >\n<meta charset="UTF-8" />\n'
            f"{head}</head>\n<body > <div class=\"WordSection1\" >{body}</div></body>\n</html>\n")


def test_pause_before_the_first_words_and_overlap_to_a_new_speaker(write, spoken):
    body = ('<p style="font-weight: 600" >intervju</p><p ><span >Transcribed with noScribe vers. 0.7<br />'
            'Audio file: /home/forsker/intervju.mp3<br />(Language: Norwegian (no))</span></p>'
            '<p ><a name="ts_0_12140_" >(12 seconds pause) </a></p>'
            '<p ><a name="ts_12140_15000_S01" >S01: Hei.</a><a name="ts_15100_16000_//S00" > //S00: Hei på deg.//</a></p>'
            '<p ><a name="ts_16500_18000_S00" >S00: Fint å se deg &amp; dere.</a></p>')
    parsed = parse_transcript(write("intervju.html", _page(body)))
    assert spoken(parsed) == [("S01", "Hei."), ("S00", "Hei på deg."), ("S00", "Fint å se deg & dere.")]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == [(12.14, 15), (15.1, 16), (16.5, 18)]
    assert annotated(parsed)[0] == ("(12 seconds pause)", "pause")
    assert parsed.title == "intervju"


def test_without_speaker_detection_one_long_paragraph(write, spoken):
    segments = "".join(f'<a name="ts_{i * 4000}_{i * 4000 + 3900}_" > Dette er setning nummer {i} i opptaket.</a>'
                       for i in range(200))
    body = f'<p >Transcribed with noScribe vers. 0.7</p><p ><a name="ts_0_1_" >[00:00:00]</a>{segments}</p>'
    parsed = parse_transcript(write("uten.html", _page(body)))
    assert [t.speaker for t in parsed.turns] == [None]
    assert (parsed.turns[0].time_start, parsed.turns[0].time_end) == (0, 799.9)
    assert any(w.startswith("line 1 is 7,") and "imported whole" in w for w in parsed.warnings)


def test_old_noscribe_href_anchors(write, spoken):
    body = ("<h1>Samtale</h1><p><span>Transkribiert mit noScribe Vers. 0.3 </span></p>"
            "<p><span>Audiodatei: C:/Users/kari/samtale.mp3 </span></p><p>  </p>"
            '<p><a href="ts_1000_2000" ><span>S00: Hei, velkommen.</span></a></p>'
            '<p><a href="ts_2500_4000" ><span>S01: Takk.</span></a></p>')
    parsed = parse_transcript(write("gammel.htm", _page(body)))
    assert parsed.format == "noscribe-html"
    assert parsed.title == "Samtale"
    assert spoken(parsed) == [("S00", "Hei, velkommen."), ("S01", "Takk.")]
    assert parsed.turns[1].time_start == 2.5
    assert "kari" not in parsed.text


def test_other_html_is_read_like_text(write, spoken):
    page = ("<html><head><title>Intervju</title><style>p {color: red}</style></head><body>"
            "<h1>Intervju 4</h1><p><b>Intervjuer:</b> Hva tenker du?</p>"
            "<p><b>P1:</b> At det&nbsp;går <i>fint</i>.<br>Mest.</p><script>var x = 1;</script></body></html>")
    parsed = parse_transcript(write("intervju.html", page))
    assert parsed.format == "html"
    assert spoken(parsed) == [(None, "Intervju 4"), ("Intervjuer", "Hva tenker du?"), ("P1", "At det går fint.\nMest.")]
    assert parsed.title == "Intervju 4"


@pytest.mark.parametrize("name, line, fragment", [
    ("noscribe-truncated.html", 16, "the HTML ends before </body> and </html>: the file looks cut off"),
    ("noscribe-cp1252.html", 16, "cannot decode as utf-8: byte 0xe6 is not valid in that encoding (the file says it is utf-8)"),
])
def test_bad_noscribe_files(name, line, fragment):
    path = DATA / "bad" / name
    with pytest.raises(UserError) as err:
        parse_transcript(path)
    assert str(err.value) == f"{path}:{line}: {fragment}" + ("; save or copy it again" if "cut off" in fragment else "")


def test_forced_encoding_reads_the_cp1252_file(spoken):
    parsed = parse_transcript(DATA / "bad" / "noscribe-cp1252.html", encoding="cp1252")
    assert spoken(parsed) == EXPECTED


def test_html_without_text(write):
    with pytest.raises(UserError, match="contains no text"):
        parse_transcript(write("tom.html", "<html><body><p> </p></body></html>"))
    with pytest.raises(UserError, match="contains no transcript text"):
        parse_transcript(write("tom2.html", _page('<p >Transcribed with noScribe vers. 0.7</p>')))


def test_a_name_used_once_is_still_the_speaker_of_its_paragraph(write, spoken):
    body = ('<p ><a name="ts_0_2000_S00" >Intervjuer: Hei.</a></p>'
            '<p ><a name="ts_2000_4000_S01" >Kari: Hei, hei.</a></p>'
            '<p ><a name="ts_4000_6000_S00" >Intervjuer: Hvordan går det?</a></p>')
    parsed = parse_transcript(write("omdopt.html", _page(body)))
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Kari", "Hei, hei."), ("Intervjuer", "Hvordan går det?")]
    # without speaker detection the anchors name nobody, and a colon is just a colon
    body = '<p ><a name="ts_0_2000_" >Han sa: hei.</a><a name="ts_2000_4000_" > Og så gikk vi.</a></p>'
    parsed = parse_transcript(write("uten.html", _page(body)))
    assert spoken(parsed) == [(None, "Han sa: hei. Og så gikk vi.")]
