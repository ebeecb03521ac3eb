"""aTrain: its three text files, its JSON and its SRT (tests/data/transcribers/atrain)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript

DATA = Path(__file__).resolve().parent.parent / "data" / "transcribers"
ATRAIN = DATA / "atrain"

# aTrain's blocks: a speaker's consecutive segments (pyannote gave the overlap to SPEAKER_00).
BLOCKS = [
    ("SPEAKER_01", "Velkommen, alle sammen, og takk for at dere ville være med. Vi skal snakke om hvordan "
                   "det har vært å komme tilbake til jobb etter sykemeldingen. Hvem vil begynne?"),
    ("SPEAKER_00", "Jeg kan begynne. Det første jeg merket var at jeg var veldig sliten. Jeg gikk hjem og "
                   "la meg rett etter middag hver dag den første uka. Ja, ikke sant. Men det ble bedre "
                   "etter hvert, når jeg fikk jobbe halv dag."),
    ("SPEAKER_01", "Hva var det som gjorde det lettere, tror du?"),
    ("SPEAKER_00", "At sjefen min var tydelig på at jeg ikke trengte å ta igjen alt på en gang."),
    ("SPEAKER_02", "For meg var det helt motsatt. Jeg følte at alle ventet på at jeg skulle være den samme "
                   "som før, og det var jeg jo ikke. Jeg er vel ikke det nå heller."),
    ("SPEAKER_01", "Kjenner dere andre dere igjen i det?"),
    ("SPEAKER_03", "Ja, veldig. Jeg hadde en kollega som spurte hver dag om jeg var frisk nå. Det var "
                   "sikkert godt ment, men det ble en slags press."),
    ("SPEAKER_02", "Det er det som er vanskelig å forklare for folk."),
    ("SPEAKER_01", "Hvis dere skulle gi ett råd til arbeidsgivere, hva ville det vært?"),
    ("SPEAKER_00", "Snakk med den som kommer tilbake, ikke om dem."),
    ("SPEAKER_03", "Og la det ta tid. Det er ikke en rett linje."),
    ("SPEAKER_02", "Enig. Og spør heller én gang for mye enn én gang for lite."),
    ("SPEAKER_01", "Tusen takk. Da avslutter vi der."),
    (None, "Teksting av Nicolai Winther"),
]
SEGMENT_STARTS = [0, 4, 9, 13, 18, 23, 24, 29, 34, 40, 46, 51, 54, 59, 76, 80, 87, 93, 97, 101, 112]


def flat(said: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """Line breaks inside a turn as spaces (transcription.txt keeps one segment a line)."""
    return [(speaker, " ".join(text.split())) for speaker, text in said]


def test_transcription_txt(spoken):
    parsed = parse_transcript(ATRAIN / "transcription.txt")
    assert parsed.format == "atrain-txt"
    assert parsed.title == "2403121015-fokusgr"
    assert not parsed.text.startswith("Transcription for")
    assert parsed.text.startswith("SPEAKER_01\nVelkommen")
    assert flat(spoken(parsed)) == BLOCKS
    assert parsed.suspect_turns == [13]
    assert parsed.warnings[0] == ("1 block(s) marked 'Speaker undefined' (aTrain found no speaker for them) "
                                  "imported without a speaker")
    assert parsed.warnings[-1].startswith("speakers SPEAKER_01, SPEAKER_00, SPEAKER_02, SPEAKER_03 are aTrain's")


@pytest.mark.parametrize("name, fmt", [("transcription_timestamps.txt", "atrain-timestamps"),
                                       ("transcription_maxqda.txt", "atrain-maxqda")])
def test_timestamped_files_give_a_turn_per_segment(name, fmt, spoken):
    parsed = parse_transcript(ATRAIN / name)
    assert parsed.format == fmt
    assert parsed.title == "2403121015-fokusgr"
    said = spoken(parsed)
    assert [t.time_start for t in parsed.turns] == SEGMENT_STARTS
    assert said[0] == ("SPEAKER_01", "Velkommen, alle sammen, og takk for at dere ville være med.")
    assert said[5] == ("SPEAKER_00", "Ja, ikke sant.")
    assert said[-1] == (None, "Teksting av Nicolai Winther")
    # the timestamps and their " - " are marks, not words
    assert all("[00:" not in text and not text.startswith("-") for _, text in said)
    times = [a for a in parsed.annotations if a.kind == "time"]
    assert len(times) == 21 and parsed.text[times[0].start:times[0].end] == "[00:00:00] -"
    # joined per speaker, the words are those of the blocks
    joined: list[tuple[str | None, str]] = []
    for speaker, text in said:
        if joined and joined[-1][0] == speaker:
            joined[-1] = (speaker, joined[-1][1] + " " + text)
        else:
            joined.append((speaker, text))
    assert joined == BLOCKS
    assert parsed.suspect_turns == [20]


def test_transcription_json(spoken):
    parsed = parse_transcript(ATRAIN / "transcription.json")
    assert parsed.format == "atrain-json"
    assert parsed.title is None
    assert spoken(parsed) == BLOCKS
    assert parsed.text.startswith("SPEAKER_01: Velkommen, alle sammen,")
    assert [(t.time_start, t.time_end) for t in parsed.turns][:3] == [(0, 11.4), (13.9, 28.7), (29.5, 33.8)]
    assert parsed.turns[-1].time_start == 112
    assert parsed.suspect_turns == [13]
    assert parsed.warnings[0] == ("1 segment(s) without a speaker (aTrain's 'Speaker undefined') imported "
                                  "without a speaker")


def test_transcription_srt(spoken):
    parsed = parse_transcript(ATRAIN / "transcription.srt")
    assert parsed.format == "srt"
    said = spoken(parsed)
    # cues that go on inside a sentence are one turn; a cue boundary is not a sentence boundary
    assert (None, "For meg var det helt motsatt. Jeg følte at alle ventet på at jeg skulle være den samme "
                  "som før, og det var jeg jo ikke. Jeg er vel ikke det nå heller.") in said
    assert len(said) == 20
    assert parsed.suspect_turns == [19]


def test_srt_time_rounded_up_to_1000_ms(write, spoken):
    data = "1\n00:00:01,1000 --> 00:00:02,500\nHei.\n\n"
    parsed = parse_transcript(write("transcription.srt", data))
    assert parsed.turns[0].time_start == 2.0


@pytest.mark.parametrize("name", ["transcription.txt", "transcription_timestamps.txt",
                                  "transcription_maxqda.txt", "transcription.json", "transcription.srt"])
def test_windows_line_endings(name, tmp_path):
    data = (ATRAIN / name).read_bytes()
    crlf = tmp_path / name
    crlf.write_bytes(data.replace(b"\n", b"\r\n"))
    original, converted = parse_transcript(ATRAIN / name), parse_transcript(crlf)
    assert (converted.text, converted.turns, converted.annotations) == (original.text, original.turns,
                                                                         original.annotations)


def _segments(*texts: str, speakers: tuple[str | None, ...] = ()) -> dict:
    segments = []
    for i, text in enumerate(texts):
        segment: dict = {"id": i + 1, "start": i * 2.0, "end": i * 2.0 + 1.5, "text": " " + text, "words": []}
        if i < len(speakers) and speakers[i] is not None:
            segment["speaker"] = speakers[i]
        segments.append(segment)
    return {"segments": segments}


def test_json_without_speaker_detection_joins_unfinished_sentences(write, spoken):
    data = _segments("Det første jeg merket var at", "jeg var veldig sliten.", "Takk for at du så på!",
                     "Men så ble det bedre.", "Og enda bedre.")
    parsed = parse_transcript(write("transcription.json", json.dumps(data, ensure_ascii=False)))
    assert spoken(parsed) == [(None, "Det første jeg merket var at jeg var veldig sliten."),
                              (None, "Takk for at du så på!"), (None, "Men så ble det bedre."),
                              (None, "Og enda bedre.")]
    assert parsed.suspect_turns == [1]
    assert parsed.turns[0].time_end == 3.5
    assert "no speakers" in parsed.warnings[0]


def test_txt_without_speaker_detection(write, spoken):
    data = ("Transcription for 2403121015-intervj\n\nDet første jeg merket var at\njeg var veldig sliten.\n"
            "Undertekster av Amara.org-fellesskapet\nMen så ble det bedre.\n")
    parsed = parse_transcript(write("transcription.txt", data))
    assert parsed.format == "atrain-txt"
    assert spoken(parsed) == [(None, "Det første jeg merket var at\njeg var veldig sliten."),
                              (None, "Undertekster av Amara.org-fellesskapet"), (None, "Men så ble det bedre.")]
    assert parsed.suspect_turns == [1]
    maxqda = ("Transcription for 2403121015-intervj\n\n[00:00:00] - Det første jeg merket var at "
              "[00:00:02] - jeg var veldig sliten. [00:00:04] - Men så ble det bedre. ")
    parsed = parse_transcript(write("transcription_maxqda.txt", maxqda))
    assert parsed.format == "atrain-maxqda"
    assert [(t.time_start, parsed.text[t.start:t.end]) for t in parsed.turns] == [
        (0, "Det første jeg merket var at"), (2, "jeg var veldig sliten."), (4, "Men så ble det bedre.")]


@pytest.mark.parametrize("name, message", [
    ("atrain-truncated.json", ":1: not valid JSON (Unterminated string starting at, column 4990); the file may be cut off"),
    ("atrain-latin1.json", ":1: cannot decode as utf-8: byte 0xe6 is not valid in that encoding (a JSON file must be UTF-8)"),
    ("zoom-timeline.json", ": not an aTrain transcript: expected an object with a 'segments' list, as in aTrain's "
                           "transcription.json; this file is an object with 'timeline'"),
])
def test_bad_json_files(name, message):
    path = DATA / "bad" / name
    with pytest.raises(UserError) as err:
        parse_transcript(path)
    assert str(err.value) == f"{path}{message}"


@pytest.mark.parametrize("document, fragment", [
    ([1, 2, 3], "this file is a JSON list"),
    ("tekst", "this file is a JSON string"),
    ({"segments": [{"start": 0, "end": 1}]}, "segment 1 has no 'text'"),
    ({"segments": [{"start": "0", "end": 1, "text": "Hei"}]}, "segment 1 has no 'start' and 'end' in seconds"),
    ({"segments": [{"start": 0, "end": 1, "text": "Hei", "speaker": 3}]}, "segment 1 has a speaker that is not a name"),
    ({"segments": ["Hei"]}, "segment 1 is not an object"),
    ({"segments": [{"start": 0, "end": 1, "text": "  "}]}, "no segments with text"),
])
def test_json_of_another_shape(write, document, fragment):
    path = write("annet.json", json.dumps(document))
    with pytest.raises(UserError) as err:
        parse_transcript(path)
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"{path}: ")


def test_hostile_json(write):
    with pytest.raises(UserError, match="nests too deeply"):
        parse_transcript(write("dyp.json", "[" * 100_000 + "]" * 100_000))
    with pytest.raises(UserError, match="not a usable JSON file"):
        parse_transcript(write("tall.json", '{"segments": [{"start": ' + "9" * 10_000 + "}]}"))
    with pytest.raises(UserError, match="not an aTrain transcript"):
        parse_transcript(write("nan.json", '{"segments": [{"start": NaN, "end": 1, "text": "Hei"}]}'))
    with pytest.raises(UserError, match="file is empty"):
        parse_transcript(write("tom.json", b""))


def test_json_over_the_size_limit(write, monkeypatch):
    from qualcode.importers import atrain

    monkeypatch.setattr(atrain, "JSON_FILE_MAX_BYTES", 1000)
    with pytest.raises(UserError, match="too large for a transcript"):
        parse_transcript(write("stor.json", json.dumps(_segments(*["Hei."] * 100))))


def test_a_headline_alone_does_not_make_an_atrain_file(write):
    parsed = parse_transcript(write("notat.txt", "Transcription for my thesis\n\nIntervjuer: Hei.\nP1: Hei.\n"))
    assert parsed.format == "txt"
    parsed = parse_transcript(write("a.txt", "Transcription for intervju\n\nSPEAKER_00\nHei.\n"))
    assert parsed.format == "atrain-txt" and parsed.title == "intervju"
