"""Repairing transcripts: every repair keeps each unit on its words, is one undoable action, and
undo/redo restore the text, turns, speakers and units exactly."""

from __future__ import annotations

import pytest

from qualcode.core.errors import UserError
from qualcode.store.project import RoleRule
from tests.conftest import make_parsed

WHISPER = [  # a speech recogniser's cues: no speakers, sentences cut across cues
    (None, "Velkommen alle sammen, og takk for at dere"),
    (None, "kom i dag. Jeg heter Anne og leder samtalen."),
    (None, "Jeg har vært her i tre måneder nå. Det har gått bra."),
    (None, "Ja, for meg også. Jeg fikk håp igjen da jeg så de andre."),
    (None, "Undertekster av Amara.org-fellesskapet"),
]

LABELLED = [
    ("S01", "Hva tenkte dere om fagdagen?"),
    ("S00", "Jeg kjente meg igjen i historien."),
    ("S02", "Ja, det gjorde jeg også."),
    ("S00", "Det ga meg håp for framtida."),
]


@pytest.fixture
def whisper(project):
    project.import_transcript(make_parsed(WHISPER), title="Opptak 2", group="FG2")
    return project


@pytest.fixture
def labelled(project):
    project.import_transcript(make_parsed(LABELLED), title="Opptak 3", group="FG3",
                              roles=[RoleRule.parse("S01=moderator")])
    return project


def unit(project, tid, quote, code="hap"):
    [(start, end)] = project.find_quote(tid, quote)
    return project.add_coding(tid, start, end, code, "AB").id


def words(project):
    """Each unit's words, by id: what must never move."""
    return {u.id: u.text for u in project.units()}


def snapshot(project, tid):
    t = project.transcript(tid)
    return (project.text(tid), [(x.index, x.speaker, x.role, x.start, x.end) for x in project.turns(tid)],
            [(s.label, s.role) for s in t.speakers], t.title,
            sorted((c.id, c.start, c.end) for c in project.codings(transcript=tid)))


def undo_redo_round_trip(project, tid, before, after):
    assert project.undo() is not None
    assert snapshot(project, tid) == before
    assert project.redo() is not None
    assert snapshot(project, tid) == after


def test_speakers_are_attributed_to_turns_and_undone(whisper):
    p = whisper
    a, b = unit(p, "T2", "Jeg heter Anne"), unit(p, "T2", "Jeg fikk håp igjen")
    kept, before = words(p), snapshot(p, "T2")
    p.set_turn_speaker("T2", [0, 1], "Moderator")
    p.set_turn_speaker("T2", [2, 3], "P1")
    assert [t.speaker for t in p.turns("T2")] == ["Moderator", "Moderator", "P1", "P1", None]
    assert p.unattributed_turns("T2") == [4]
    assert words(p) == kept and {u.id: u.speaker for u in p.units()}[b] == "P1"
    after = snapshot(p, "T2")
    assert p.undo() and p.undo()
    assert snapshot(p, "T2") == before and words(p) == kept
    assert a in words(p)
    assert p.redo() and p.redo()
    assert snapshot(p, "T2") == after


def test_rename_rewrites_the_label_in_the_text_and_merging_keeps_roles(labelled):
    p = labelled
    u = unit(p, "T2", "kjente meg igjen")
    kept, before = words(p), snapshot(p, "T2")
    merged = p.rename_speaker("T2", "S00", "P1")
    assert merged is False
    text = p.text("T2")
    assert "S00" not in text and text.count("P1:") == 2
    assert words(p) == kept
    after = snapshot(p, "T2")
    undo_redo_round_trip(p, "T2", before, after)
    # Merging a diarizer's split of one person into the other label.
    p.set_roles("T2", [RoleRule.parse("P1=pasient")])
    assert p.rename_speaker("T2", "s02", "P1") is True  # labels match without regard to case
    assert [s.label for s in p.transcript("T2").speakers] == ["S01", "P1"]
    assert {t.speaker for t in p.turns("T2")} == {"S01", "P1"}
    assert next(x for x in p.units() if x.id == u).role == "pasient"
    assert words(p) == kept


def test_a_turn_is_split_where_the_next_speaker_begins(whisper):
    p = whisper
    first, second = unit(p, "T2", "tre måneder"), unit(p, "T2", "Det har gått bra")
    kept, before = words(p), snapshot(p, "T2")
    turn = p.turns("T2")[2]
    at = p.text("T2")[turn.start:turn.end].index("Det har")
    p.split_turn("T2", 2, at, speaker="P2")
    turns = p.turns("T2")
    assert len(turns) == 6 and turns[2].text == "Jeg har vært her i tre måneder nå." and turns[3].speaker == "P2"
    assert turns[3].text == "Det har gått bra." and turns[4].text.startswith("Ja, for meg")
    assert words(p) == kept
    assert {u.id: u.turn for u in p.units()} == {first: 2, second: 3}
    undo_redo_round_trip(p, "T2", before, snapshot(p, "T2"))


def test_cues_of_one_sentence_are_merged_into_one_turn(whisper):
    p = whisper
    across = unit(p, "T2", "Velkommen alle sammen")
    later = unit(p, "T2", "Jeg heter Anne")
    kept, before = words(p), snapshot(p, "T2")
    p.merge_turns("T2", 0, 1)
    turns = p.turns("T2")
    assert turns[0].text == "Velkommen alle sammen, og takk for at dere kom i dag. Jeg heter Anne og leder samtalen."
    assert len(turns) == 4 and [t.index for t in turns] == [0, 1, 2, 3]
    assert words(p) == kept and {u.id: u.turn for u in p.units()} == {across: 0, later: 0}
    undo_redo_round_trip(p, "T2", before, snapshot(p, "T2"))


def test_a_hallucinated_line_is_dropped_and_units_on_it_need_force(whisper):
    p = whisper
    keep = unit(p, "T2", "Jeg fikk håp igjen")
    on_it = unit(p, "T2", "Amara.org", code="rec")
    before = snapshot(p, "T2")
    with pytest.raises(UserError, match=f"units {on_it}"):
        p.drop_turn("T2", 4)
    assert snapshot(p, "T2") == before  # refused whole
    assert p.drop_turn("T2", 4, force=True) == [on_it]
    assert "Amara" not in p.text("T2") and len(p.turns("T2")) == 4
    assert words(p) == {keep: "Jeg fikk håp igjen"}
    undo_redo_round_trip(p, "T2", before, snapshot(p, "T2"))
    p.undo()
    assert words(p)[on_it] == "Amara.org"


def test_the_first_turn_can_be_dropped_with_its_label(labelled):
    p = labelled
    u = unit(p, "T2", "kjente meg igjen")
    p.drop_turn("T2", 0)
    assert p.text("T2").startswith("S00: Jeg kjente") and p.turns("T2")[0].speaker == "S00"
    assert words(p) == {u: "kjente meg igjen"}
    assert [s.label for s in p.transcript("T2").speakers] == ["S00", "S02"]  # S01 had no other turn


def test_a_turn_is_corrected_and_units_keep_their_words(labelled):
    p = labelled
    before_edit = unit(p, "T2", "Det ga meg")
    after_edit = unit(p, "T2", "for framtida")
    kept, before = words(p), snapshot(p, "T2")
    p.edit_turn("T2", 3, "Det ga meg mye håp for framtida.")
    assert p.turns("T2")[3].text == "Det ga meg mye håp for framtida."
    assert words(p) == kept and {before_edit, after_edit} <= set(kept)
    undo_redo_round_trip(p, "T2", before, snapshot(p, "T2"))


def test_a_unit_made_after_a_repair_follows_the_text_when_the_repair_is_undone(labelled):
    p = labelled
    p.merge_turns("T2", 1, 2, coder="RK")  # takes "\nS02: " out of the text: later words move
    late = unit(p, "T2", "ga meg håp")
    moved_by = len("\nS02: ") - 1
    start_after = next(c for c in p.codings() if c.id == late).start
    # Undo per coder: RK's merge is undone while AB's newer unit stays on its words.
    assert p.undo(coder="RK") == "merge turns 1-2 of T2"
    assert words(p)[late] == "ga meg håp"
    assert next(c for c in p.codings() if c.id == late).start == start_after + moved_by
    assert p.redo(coder="RK") == "merge turns 1-2 of T2"
    assert words(p)[late] == "ga meg håp"


def test_a_title_is_changed_and_a_repair_again_since_blocks_an_old_undo(labelled):
    p = labelled
    p.set_title("T2", "Fokusgruppe 3")
    assert p.transcript("T2").title == "Fokusgruppe 3"
    p.split_turn("T2", 1, 4, coder="RK")
    with pytest.raises(UserError, match="nothing to change"):
        p.set_title("T2", "Fokusgruppe 3")
    assert p.undo(coder="RK")
    assert p.undo()  # the title, now that the structure is what it left
    assert p.transcript("T2").title == "Opptak 3"


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: p.split_turn("T2", 9, 3), "no turn 9"),
    (lambda p: p.split_turn("T2", 1, 0), "split it between"),
    (lambda p: p.merge_turns("T2", 2, 2), "two turns or more"),
    (lambda p: p.rename_speaker("T2", "S09", "P1"), "no speaker 'S09'"),
    (lambda p: p.rename_speaker("T2", "S00", "P1: x"), "without a colon"),
    (lambda p: p.set_turn_speaker("T2", [], "P1"), "which turns"),
    (lambda p: p.edit_turn("T2", 0, "  "), "empty"),
    (lambda p: p.set_title("T9", "x"), "no transcript 'T9'"),
])
def test_mistakes_are_refused_and_change_nothing(labelled, call, message):
    before = snapshot(labelled, "T2")
    with pytest.raises(UserError, match=message):
        call(labelled)
    assert snapshot(labelled, "T2") == before


def test_roles_take_the_first_rule_that_matches_as_import_does(labelled):
    p = labelled
    speakers = p.set_roles("T2", [RoleRule.parse("S01=moderator"), RoleRule.parse("S*=pasient")])
    assert {s.label: s.role for s in speakers} == {"S01": "moderator", "S00": "pasient", "S02": "pasient"}


def test_roles_on_a_transcript_without_speakers_say_how_to_attribute_turns(whisper):
    with pytest.raises(UserError, match=r"no speakers yet: attribute its turns first.*--set"):
        whisper.set_roles("T2", [RoleRule.parse("*=pasient")])
    whisper.set_turn_speaker("T2", [2, 3], "P1")
    assert [s.role for s in whisper.set_roles("T2", [RoleRule.parse("*=pasient")])] == ["pasient"]
