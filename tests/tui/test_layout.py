"""How a transcript is laid out and how the cursor moves: tested without a screen."""

from __future__ import annotations

import random

from qualcode.core.coverage import coded_fraction, participant_spans
from qualcode.core.models import Turn
from qualcode.tui.layout import HEADER, TEXT, Layout

TEXT_ = (
    "Intervjuer: Hva tenkte dere om dagen?\n"
    "P1: Jeg kjente meg igjen. Det var sterkt! Ja -- helt sant.\n"
    "Andre avsnitt i samme tur.\n"
    "P2: Æ veit ikkje.\n"
)


def turns_of(text: str) -> list[Turn]:
    out, pos = [], 0
    for line in text.split("\n"):
        if ": " in line:
            label, _said = line.split(": ", 1)
            out.append(Turn(index=len(out), speaker=label, start=pos + len(label) + 2, end=pos + len(line)))
        elif line and out:  # continuation paragraph
            last = out.pop()
            out.append(last.model_copy(update={"end": pos + len(line)}))
        pos += len(line) + 1
    return out


def test_every_offset_of_every_turn_is_on_exactly_one_row_within_the_width():
    rng = random.Random(3)
    words = ["jeg", "du", "håp", "recovery", "fagdagen", "liksom", "altså", "ikkje", "kjente", "meg", "igjen", "supercalifragilistiskord"]
    text = "".join(f"P{i % 3}: " + " ".join(rng.choice(words) for _ in range(rng.randint(1, 60))) + "\n" for i in range(40))
    turns = turns_of(text)
    layout = Layout(text, turns, 23)
    rows = [line for line in layout.lines if line.kind == TEXT]
    for line in rows:
        assert len(text[line.start:line.end].rstrip()) <= 23
    for turn in turns:
        covered = [o for line in rows for o in range(line.start, line.end) if turn.start <= o < turn.end]
        assert covered == list(range(turn.start, turn.end))
    for offset in (turns[5].start, turns[5].start + 17, turns[9].end):
        row, column = layout.position(offset)
        assert layout.offset_at(row, column) == offset


def test_headers_blank_lines_and_paragraphs():
    layout = Layout(TEXT_, turns_of(TEXT_), 80)
    kinds = [line.kind for line in layout.lines]
    assert kinds[0] == HEADER and kinds.count(HEADER) == 3
    p1_rows = [TEXT_[row.start:row.end] for row in layout.lines if row.kind == TEXT and row.turn == 1]
    assert p1_rows == ["Jeg kjente meg igjen. Det var sterkt! Ja -- helt sant.", "Andre avsnitt i samme tur."]


def test_words_sentences_and_turns():
    turns = turns_of(TEXT_)
    layout = Layout(TEXT_, turns, 80)
    p1 = turns[1].start
    assert TEXT_[layout.next_word(p1):].startswith("kjente")
    assert TEXT_[slice(*layout.sentence_bounds(p1 + 3))] == "Jeg kjente meg igjen."
    second = layout.next_sentence(p1)
    assert TEXT_[slice(*layout.sentence_bounds(second))] == "Det var sterkt!"
    assert TEXT_[slice(*layout.sentence_bounds(TEXT_.index("helt")))] == "helt sant."  # "--" ends a thought
    assert layout.previous_sentence(second) == p1
    assert layout.next_turn(p1) == turns[2].start
    assert layout.previous_turn(turns[2].start) == p1
    assert layout.step(turns[0].end, 1) == p1  # the label between turns is skipped
    assert layout.step(p1, -1) == turns[0].end
    assert layout.vertical(turns[0].start, 1) == p1  # down from the first text row
    assert layout.word_end(p1) == p1 + 3


def test_coded_share_of_participant_text():
    turns = [
        Turn(index=0, speaker="Intervjuer", role="moderator", start=0, end=100),
        Turn(index=1, speaker="P1", role="pasient", start=110, end=210),
        Turn(index=2, speaker=None, start=220, end=260),
        Turn(index=3, speaker="P2", role="pasient", start=270, end=370),
    ]
    spans = participant_spans(turns)
    assert spans == [(110, 210), (270, 370)]
    assert coded_fraction(spans, []) == 0
    assert coded_fraction(spans, [(0, 100)]) == 0  # coding the moderator does not count
    assert coded_fraction(spans, [(110, 160), (150, 210)]) == 0.5  # overlaps are counted once
    assert coded_fraction(spans, [(200, 280)]) == 0.1


def test_the_next_sentence_after_a_selected_sentence_is_the_one_after_it():
    """x selects a sentence and leaves the cursor at its end, Escape keeps the cursor there: . goes
    to the sentence that follows, not the one after that (issue 15)."""
    turns = turns_of(TEXT_)
    layout = Layout(TEXT_, turns, 80)
    first = TEXT_.index("Jeg kjente")
    start, end = layout.sentence_bounds(first)
    assert TEXT_[start:end] == "Jeg kjente meg igjen."
    assert layout.next_sentence(end) == TEXT_.index("Det var sterkt")
    assert layout.next_sentence(end + 1) == TEXT_.index("Ja -- helt")  # from the next sentence's start
    assert layout.previous_sentence(end) == first
