"""One focus group in every tool's format: the same words come out of each (tests/data/transcribers).

The fixtures are written by ``tests/data/transcribers/make_fixtures.py`` from one list of segments;
whatever a format adds (labels, timestamps, pauses, overlap marks, a header) must not reach the
spoken text of the turns, and nothing said may be lost.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from qualcode.importers import parse_transcript

DATA = Path(__file__).resolve().parent.parent / "data" / "transcribers"
_spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
assert _spec is not None and _spec.loader is not None
make_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_fixtures)

WORD = re.compile(r"\w+")


def said_words(parsed) -> list[str]:
    """The words of the turns, leaving out the annotations inside them."""
    words: list[str] = []
    notes = sorted(parsed.annotations, key=lambda a: a.start)
    for turn in parsed.turns:
        pos = turn.start
        for note in notes:
            if note.start >= turn.end or note.end <= pos:
                continue
            words += WORD.findall(parsed.text[pos:note.start])
            pos = note.end
        words += WORD.findall(parsed.text[pos:turn.end])
    return words


def expected_words(*, invented_line: bool = True) -> list[str]:
    segments = make_fixtures.SEGMENTS if invented_line else make_fixtures.SEGMENTS[:-1]
    return WORD.findall(" ".join(text for _, _, _, text in segments))


@pytest.mark.parametrize("name", [
    "noscribe.html", "noscribe-edited.html", "noscribe-de.txt", "noscribe.vtt", "atrain/transcription.txt",
    "atrain/transcription_timestamps.txt", "atrain/transcription_maxqda.txt", "atrain/transcription.json",
    "atrain/transcription.srt",
])
def test_every_format_gives_the_words_that_were_said(name):
    parsed = parse_transcript(DATA / name)
    assert said_words(parsed) == expected_words()
    assert [parsed.text[parsed.turns[i].start:parsed.turns[i].end] for i in parsed.suspect_turns] == [
        "Teksting av Nicolai Winther"]


def test_zoom_and_f4_give_the_words_that_were_said():
    assert said_words(parse_transcript(DATA / "zoom.vtt")) == expected_words(invented_line=False)
    assert said_words(parse_transcript(DATA / "f4.txt")) == expected_words(invented_line=False)


def test_the_fixtures_are_what_the_writers_write():
    """make_fixtures.py and the files agree (run it again after changing it)."""
    result = make_fixtures.atrain_result()
    assert (DATA / "noscribe.html").read_text(encoding="utf-8") == make_fixtures.noscribe_html("en")
    assert (DATA / "noscribe-de.txt").read_text(encoding="utf-8") == make_fixtures.noscribe_txt("de")
    assert (DATA / "atrain" / "transcription_maxqda.txt").read_text(encoding="utf-8") == make_fixtures.atrain_txt(
        result, timestamps=True, maxqda=True)
    assert (DATA / "f4.txt").read_bytes() == make_fixtures.f4_txt().encode("utf-8")
