"""Speaker labels in lines: what counts as a label, and what must not."""

from __future__ import annotations

import time

import pytest

from qualcode.core.models import format_timestamp
from qualcode.core.parsed import ParsedTranscript
from qualcode.importers.labels import (
    LabelHint,
    find_turns,
    label_prefixes,
    merge_variants,
    parse_clock,
    table_lines,
)


def parse(text: str, hints=None) -> tuple[ParsedTranscript, list[str]]:
    turns, warnings = find_turns(text, hints)
    return ParsedTranscript(text, turns, "txt"), warnings


def test_common_label_forms(spoken):
    parsed, warnings = parse(
        "Intervjuer: Hva tenkte dere om fagdagen?\n"
        "P1: Det ga meg håp.\n"
        "Deltaker 3: Jeg kjente meg igjen.\n"
        "Ansatt 2: Vi ble også rørt.\n"
        "Moderator: Takk.\n")
    assert spoken(parsed) == [
        ("Intervjuer", "Hva tenkte dere om fagdagen?"),
        ("P1", "Det ga meg håp."),
        ("Deltaker 3", "Jeg kjente meg igjen."),
        ("Ansatt 2", "Vi ble også rørt."),
        ("Moderator", "Takk."),
    ]
    assert warnings == []


def test_timestamps_before_labels(spoken):
    parsed, _ = parse(
        "[00:01:02] P1: Første.\n"
        "(00:01:10) Intervjuer: Andre.\n"
        "00:01:15 P2: Tredje.\n"
        "[01:02] P1: Fjerde, mm:ss.\n"
        "[1:02:03.5] P2: Femte.\n")
    assert spoken(parsed) == [("P1", "Første."), ("Intervjuer", "Andre."), ("P2", "Tredje."),
                                  ("P1", "Fjerde, mm:ss."), ("P2", "Femte.")]
    assert [t.time_start for t in parsed.turns] == [62, 70, 75, 62, 3723.5]


def test_label_alone_on_its_line(spoken):
    parsed, warnings = parse(
        "Intervjuer:\n"
        "Hva var det som gjorde inntrykk?\n"
        "\n"
        "P1\n"
        "Det at hun hadde vært der selv.\n"
        "Og kommet seg ut av det.\n"
        "Kari:\n"
        "Ja.\n"
        "Kari\n"
        "Nettopp.\n")
    assert spoken(parsed) == [
        ("Intervjuer", "Hva var det som gjorde inntrykk?"),
        ("P1", "Det at hun hadde vært der selv.\nOg kommet seg ut av det."),
        ("Kari", "Ja."),
        ("Kari", "Nettopp."),  # known from "Kari:" above, so it counts without a colon
    ]
    assert warnings == []


def test_timestamp_on_the_line_above_the_label(spoken):
    parsed, _ = parse("[00:12:31]\nP1: Ja, sånn liksom.\n")
    assert spoken(parsed) == [("P1", "Ja, sånn liksom.")]
    assert parsed.turns[0].time_start == 751


def test_variants_are_merged_and_reported():
    parsed, warnings = parse("P1: en\nP 1: to\np1: tre\nP1 : fire\nP2: fem\n")
    assert [t.speaker for t in parsed.turns] == ["P1", "P1", "P1", "P1", "P2"]
    assert warnings == ["merged speaker label variants 'P 1', 'p1' into 'P1'"]


def test_most_frequent_spelling_wins():
    _, warnings = parse("deltaker 1: a\nDeltaker 1: b\nDeltaker 1: c\n")
    assert warnings == ["merged speaker label variants 'deltaker 1' into 'Deltaker 1'"]


def test_colon_inside_a_sentence_is_not_a_label(spoken):
    parsed, _ = parse(
        "P1: Jeg tenker sånn.\n"
        "Det jeg mener er: vi trenger håp.\n"
        "Han sa: nei.\n"
        "Han sa: jo.\n"
        "Klokka 10:30 begynte vi.\n"
        "Se https://example.org for mer.\n"
        "Poenget, altså: det hjelper.\n")
    assert spoken(parsed) == [("P1", "Jeg tenker sånn.\nDet jeg mener er: vi trenger håp.\n"
                                         "Han sa: nei.\nHan sa: jo.\nKlokka 10:30 begynte vi.\n"
                                         "Se https://example.org for mer.\n"
                                         "Poenget, altså: det hjelper.")]


def test_unknown_name_needs_two_uses():
    once, _ = parse("Intervjuer: Hei.\nKari: Hallo.\n")
    assert [t.speaker for t in once.turns] == ["Intervjuer"]
    twice, _ = parse("Intervjuer: Hei.\nKari: Hallo.\nPer Olav: Hei.\nKari: Ja.\nPer Olav: Nei.\n")
    assert [t.speaker for t in twice.turns] == ["Intervjuer", "Kari", "Per Olav", "Kari", "Per Olav"]


def test_continuations_and_transcription_marks_stay_in_the_turn(spoken):
    parsed, _ = parse(
        "P1: Det var liksom --\n"
        "[latter]\n"
        "\n"
        "-- ja, du skjønner.\n"
        "[pause] [uklart]\n"
        "P2: Æ trur ikkje det.\n")
    assert spoken(parsed) == [
        ("P1", "Det var liksom --\n[latter]\n\n-- ja, du skjønner.\n[pause] [uklart]"),
        ("P2", "Æ trur ikkje det."),
    ]


def test_preamble_is_unattributed(spoken):
    parsed, warnings = parse("Fokusgruppe 3, institusjon C\n12. mars\n\nIntervjuer: Velkommen.\n")
    assert spoken(parsed) == [(None, "Fokusgruppe 3, institusjon C\n12. mars"),
                                  ("Intervjuer", "Velkommen.")]
    assert warnings == []


def test_no_labels_gives_one_unattributed_turn(spoken):
    parsed, warnings = parse("  Dette er bare tekst.\nUten noen som snakker: egentlig.\n\n")
    assert spoken(parsed) == [(None, "Dette er bare tekst.\nUten noen som snakker: egentlig.")]
    assert warnings == ["no speaker labels found; imported as unattributed text"]


def test_label_without_text_is_skipped_with_a_warning(spoken):
    parsed, warnings = parse("P1:\nP2: Jeg begynner.\nP1:\n")
    assert spoken(parsed) == [("P2", "Jeg begynner.")]
    assert warnings == ["skipped 2 speaker label(s) with no text after them (lines 1, 3)"]


def test_bold_hint_needs_a_colon_or_a_second_use(spoken):
    text = "Kari Det var fint.\nViktig å huske.\nPer: Ja."
    hints = {0: LabelHint("Kari", 4, colon=False), 1: LabelHint("Viktig", 6)}
    parsed, _ = parse(text, hints)
    # "Kari" bold once without a colon is not enough; a colon or a common label is.
    assert [t.speaker for t in parsed.turns] == [None]
    hints = {0: LabelHint("Kari", 4, colon=True)}
    parsed, _ = parse(text, hints)
    assert spoken(parsed)[0] == ("Kari", "Det var fint.\nViktig å huske.\nPer: Ja.")


def test_label_prefixes_for_cues():
    texts = ["P1: Hei.", "Kari: Hallo.", "Bare tekst.", "Kari: Ja.", "Han sa: nei."]
    assert label_prefixes(texts) == [("P1", 4), ("Kari", 6), (None, 0), ("Kari", 6), (None, 0)]


def test_merge_variants_keeps_first_of_equals():
    display, warnings = merge_variants(["Ansatt 2", "ansatt 2"])
    assert display == {"ansatt2": "Ansatt 2"}
    assert warnings == ["merged speaker label variants 'ansatt 2' into 'Ansatt 2'"]


def test_table_lines_with_time_column_and_heading():
    rows = [["Tid", "Taler", "Tekst"],
            ["00:00:05", "Intervjuer", "Hva tenker du?"],
            ["00:00:09", "P1", "Om  håp."],
            ["", "", "Og mer."]]
    assert table_lines(rows) == [
        ("[00:00:05] Intervjuer: Hva tenker du?", LabelHint("Intervjuer", 23, 5.0, True, True)),
        ("[00:00:09] P1: Om håp.", LabelHint("P1", 15, 9.0, True, True)),
        ("Og mer.", None),
    ]


def test_table_of_facts_is_not_a_transcript():
    rows = [["Dato", "12. mars 2024"], ["Sted", "Institusjon B"]]
    assert table_lines(rows) == [("Dato | 12. mars 2024", None), ("Sted | Institusjon B", None)]


def test_clock():
    assert parse_clock("01:02") == 62
    assert parse_clock("00:01:02,250") == 62.25
    assert parse_clock("1:75:00") is None
    assert parse_clock("latter") is None
    assert format_timestamp(3723.9) == "01:02:03"


def test_130k_words_parse_well_under_a_second():
    turn = ("[00:01:02] P{n}: Eh, jeg syns liksom det var sånn at -- [latter] at vi fikk høre "
            "hvordan det var for dem, og det ga håp, ærlig talt, mer enn jeg trodde.\n"
            "Det jeg mener er: man kjenner seg igjen.\n")
    files = ["Fokusgruppe\n" + "".join(turn.format(n=i % 6 + 1) for i in range(500))
             for _ in range(8)]
    assert sum(len(f.split()) for f in files) > 130_000
    began = time.perf_counter()
    for text in files:
        turns, _ = find_turns(text)
        assert len(turns) == 501
    assert time.perf_counter() - began < 1.0


@pytest.mark.parametrize("line", [
    "P1" + ": a" * 1_000_000,
    "[" * 1_000_000,
    "Intervjuer" * 300_000,
    "0:" * 1_000_000,
])
def test_pathological_single_lines_are_fast(line):
    began = time.perf_counter()
    turns, _ = find_turns(line)
    assert len(turns) == 1
    assert time.perf_counter() - began < 1.0


def test_tab_after_the_label(spoken):
    parsed, _ = parse("Intervjuer\tHva tenker du?\nP1\tAt det hjelper.\nKari\tbare én gang.\n")
    assert spoken(parsed) == [("Intervjuer", "Hva tenker du?"),
                              ("P1", "At det hjelper.\nKari\tbare én gang.")]
