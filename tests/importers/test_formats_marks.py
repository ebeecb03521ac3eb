"""Transcription marks, time marks and overlaps in turns, suspect lines, long lines, titles."""

from __future__ import annotations

import pytest

from qualcode.core.parsed import ParsedAnnotation, ParsedTranscript
from qualcode.importers import parse_transcript
from qualcode.importers.hallucinations import CREDIT_PREFIXES, PHRASES, TRIGGERS, is_hallucination, normalise
from qualcode.importers.marks import classify_bracket, ends_sentence, find_marks


def marks_of(text: str, **options) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.kind) for m in find_marks(text, **options)]


def annotated(parsed) -> list[tuple[str, str]]:
    return [(parsed.text[a.start:a.end], a.kind) for a in parsed.annotations]


def test_new_fields_default_to_empty():
    parsed = ParsedTranscript("P1: Hei.", [], "txt")
    assert (parsed.annotations, parsed.suspect_turns, parsed.title) == ([], [], None)
    assert ParsedTranscript.from_dialogue([("P1", "Hei.")]).annotations == []
    note = ParsedAnnotation(0, 4, "pause")
    with pytest.raises(AttributeError):
        note.kind = "sound"  # type: ignore[misc]


@pytest.mark.parametrize("text, expected", [
    ("Ja (.) nei (..) kanskje (...) eller (…)", [("(.)", "pause"), ("(..)", "pause"), ("(...)", "pause"),
                                                  ("(…)", "pause")]),
    ("(......) og [pause] og (lang pause) og (3 sek.)", [("(......)", "pause"), ("[pause]", "pause"),
                                                        ("(lang pause)", "pause"), ("(3 sek.)", "pause")]),
    ("(12 seconds pause) (2 minute[s] pause) (12 Sekunden Pause) (12 segundos de pausa) (12 секунд паузы)",
     [("(12 seconds pause)", "pause"), ("(2 minute[s] pause)", "pause"), ("(12 Sekunden Pause)", "pause"),
      ("(12 segundos de pausa)", "pause"), ("(12 секунд паузы)", "pause")]),
    ("[latter] (ler) (ler litt) [fniser] (alle ler) (lacht) (unv.) [uforståelig] [Laughter]",
     [("[latter]", "sound"), ("(ler)", "sound"), ("(ler litt)", "sound"), ("[fniser]", "sound"),
      ("(alle ler)", "sound"), ("(lacht)", "sound"), ("(unv.)", "sound"), ("[uforståelig]", "sound"),
      ("[Laughter]", "sound")]),
    ("[00:01:02] tekst #00:01:05-3# [00:01:07] - mer", [("[00:01:02]", "time"), ("#00:01:05-3#", "time"),
                                                        ("[00:01:07] -", "time")]),
    ("jeg //S02: ja// og //", [("//", "overlap"), ("//", "overlap"), ("//", "overlap")]),
    # not marks: a placeholder for a name, a reference, a number, a URL
    ("Jeg bodde i [sted] med [navn] (se over) punkt (3) på https://example.org/x//y", []),
])
def test_marks(text, expected):
    assert marks_of(text) == expected


def test_numbers_are_pauses_only_in_f4():
    assert marks_of("Ja. (4) Nei.") == []
    assert marks_of("Ja. (4) Nei.", numeric_pauses=True) == [("(4)", "pause")]
    assert classify_bracket("4", round_brackets=True, numeric_pauses=True) == "pause"


def test_times_and_overlap_labels_are_read():
    marks = find_marks("//Kari Nordmann: ja #00:01:05-3# [01:02:03]")
    assert (marks[0].label, marks[0].body) == ("Kari Nordmann", 16)
    assert (marks[1].seconds, marks[1].after) == (65.3, True)
    assert (marks[2].seconds, marks[2].after) == (3723, False)


def test_sentence_ends():
    assert ends_sentence("Ja.") and ends_sentence("Hva?») ") and ends_sentence("Så…")
    assert not ends_sentence("Men så --") and not ends_sentence("og at") and not ends_sentence("")


# --- plain text ----------------------------------------------------------------------------------


def test_a_timestamped_line_of_marks_is_no_part_of_the_turn_before(write, spoken):
    parsed = parse_transcript(write("fg.txt", "P1: Vi gikk hjem.\n[00:08:23] [latter]\nP2: Ja.\n"))
    assert spoken(parsed) == [("P1", "Vi gikk hjem."), ("P2", "Ja.")]
    assert annotated(parsed) == [("[00:08:23]", "time"), ("[latter]", "sound")]


def test_a_time_mark_inside_a_turn_starts_a_new_turn(write, spoken):
    parsed = parse_transcript(write("fg.txt", "Intervjuer: Hva tenker du?\nP1: [00:01:02] Først dette. "
                                              "[00:01:30] Og så dette.\n[00:02:00] Og mer.\n"))
    assert spoken(parsed) == [("Intervjuer", "Hva tenker du?"), ("P1", "Først dette."), ("P1", "Og så dette."),
                              ("P1", "Og mer.")]
    assert [t.time_start for t in parsed.turns] == [None, 62, 90, 120]


def test_an_overlap_is_a_turn_of_its_own(write, spoken):
    parsed = parse_transcript(write("fg.txt", "P1: Jeg tenkte //P2: ja, ikke sant// at det var bra.\n"
                                              "P2: Helt enig.\n"))
    assert spoken(parsed) == [("P1", "Jeg tenkte"), ("P2", "ja, ikke sant"), ("P1", "at det var bra."),
                              ("P2", "Helt enig.")]
    assert [a.kind for a in parsed.annotations] == ["overlap", "overlap"]


def test_the_first_line_is_the_title_when_it_is_a_heading(write):
    parsed = parse_transcript(write("fg.txt", "Fokusgruppe 3 – Solbakken\n\nIntervjuer: Velkommen.\nP1: Takk.\n"))
    assert parsed.title == "Fokusgruppe 3 – Solbakken"
    assert parse_transcript(write("fg2.txt", "Intervjuer: Velkommen.\nP1: Takk.\n")).title is None
    assert parse_transcript(write("fg3.txt", "Bare tekst uten noen som snakker.\n")).title is None


def test_titles_of_the_foreign_files():
    from pathlib import Path

    foreign = Path(__file__).resolve().parent.parent / "data" / "foreign"
    assert parse_transcript(foreign / "libreoffice.docx").title == "Testintervju – Granlia, oppdiktet"
    assert parse_transcript(foreign / "libreoffice.odt").title == "Testintervju – Granlia, oppdiktet"
    assert (parse_transcript(foreign / "windows-cp1252.txt").title
            == "Intervju – Nordre Åsen, gammel Word-maskin (oppdiktet)")
    assert parse_transcript(foreign / "teams.vtt").title is None


# --- what speech recognition invents --------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "Undertekster av Amara.org-fellesskapet", "undertekster av amara.org fellesskapet",
    "Teksting av Nicolai Winther", "Teksting av Nicolai Winther.", "TAKK FOR AT DU SÅ PÅ!",
    "Takk for at du så på", "Teksting av Ola Nordmann", "Thank you for watching!", "Subtitles by the Amara.org community",
])
def test_invented_lines_are_recognised(line):
    assert is_hallucination(line)


@pytest.mark.parametrize("line", [
    "Takk for at du kom.", "Takk for meg.", "Teksten av loven var vanskelig å forstå for oss alle sammen der",
    "Vi så på TV.", "Thank you.", "",
])
def test_ordinary_lines_are_not(line):
    assert not is_hallucination(line)


def test_every_phrase_has_a_trigger():
    for phrase in PHRASES + CREDIT_PREFIXES:
        assert any(trigger in phrase.lower() for trigger in TRIGGERS), phrase
        assert normalise(phrase) == normalise(phrase.upper())


def test_an_invented_sentence_inside_a_turn_becomes_a_suspect_turn(write, spoken):
    parsed = parse_transcript(write("fg.txt", "P1: Vi avslutter der. Takk for at du så på!\nP2: Ha det.\n"))
    assert spoken(parsed) == [("P1", "Vi avslutter der."), ("P1", "Takk for at du så på!"), ("P2", "Ha det.")]
    assert parsed.suspect_turns == [1]
    assert parsed.warnings[-1] == ("1 turn(s) look like text speech recognition invents in silence, not speech: "
                                   "turn 1 «Takk for at du så på!»")


def test_an_invented_cue_is_never_joined_to_the_next(write, spoken):
    data = ("1\n00:00:01,000 --> 00:00:02,000\nUndertekster av Amara.org-fellesskapet\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nsom jeg sa\n\n3\n00:00:04,000 --> 00:00:05,000\nfør.\n")
    parsed = parse_transcript(write("whisper.srt", data))
    assert spoken(parsed) == [(None, "Undertekster av Amara.org-fellesskapet"), (None, "som jeg sa før.")]
    assert parsed.suspect_turns == [0]
    assert (parsed.turns[1].time_start, parsed.turns[1].time_end) == (3, 5)


# --- cues ----------------------------------------------------------------------------------------


def test_speakerless_cues_join_while_a_sentence_goes_on(write, spoken):
    data = ("WEBVTT\n\n00:01.000 --> 00:02.000\nDet jeg husker best\n\n00:02.000 --> 00:03.000\ner at hun sa det.\n\n"
            "00:03.000 --> 00:04.000\nJa.\n\n00:04.000 --> 00:05.000\nMen så --\n\n00:05.000 --> 00:06.000\nnei.\n")
    parsed = parse_transcript(write("whisper.vtt", data))
    assert spoken(parsed) == [(None, "Det jeg husker best er at hun sa det."), (None, "Ja."), (None, "Men så -- nei.")]
    assert [(t.time_start, t.time_end) for t in parsed.turns] == [(1, 3), (3, 4), (4, 6)]


def test_a_voiced_speaker_s_cues_are_one_turn_across_sentences(write, spoken):
    data = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Kari>Hei.\n\n00:02.000 --> 00:03.000\n<v Kari>Velkommen.\n")
    assert spoken(parse_transcript(write("teams.vtt", data))) == [("Kari", "Hei. Velkommen.")]


# --- long lines ----------------------------------------------------------------------------------


def test_long_lines_are_named_with_their_length(write, monkeypatch):
    from qualcode.importers import settle

    monkeypatch.setattr(settle, "LONG_LINE_CHARS", 20)
    text = "P1: kort\n" + "\n".join(f"P{i}: " + "ord " * (10 + i) for i in range(1, 6)) + "\n"
    parsed = parse_transcript(write("lang.txt", text))
    long = [w for w in parsed.warnings if "characters" in w]
    assert long[0] == "line 2 is 48 characters long (no line breaks); it is imported whole, nothing cut"
    assert long[3] == "2 more line(s) over 20 characters (lines 5, 6)"
    assert len(long) == 4
