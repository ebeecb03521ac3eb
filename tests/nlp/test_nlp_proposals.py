"""Meaning-unit proposals: participants only, at sentence boundaries, fragments merged."""

from __future__ import annotations

from qualcode.nlp.proposals import propose_units

from .conftest import LONG_TURN, span_of


def test_only_participant_turns_are_proposed_never_the_interviewer(nlp_project, pipeline):
    proposals = propose_units(nlp_project, "T1", pipeline=pipeline)
    turns = {t.index: t for t in nlp_project.turns("T1")}
    assert proposals
    assert all(turns[p.turn].role != "moderator" for p in proposals)
    moderator_text = [t.text for t in turns.values() if t.role == "moderator"]
    assert not any(p.text in m or m in p.text for p in proposals for m in moderator_text)
    assert {p.speaker for p in proposals} == {"P1", "P2", "P3", "Ansatt 1"}


def test_units_lie_inside_their_turn_and_start_and_end_on_sentences(nlp_project, pipeline):
    text = nlp_project.text("T1")
    turns = {t.index: t for t in nlp_project.turns("T1")}
    for p in propose_units(nlp_project, "T1", pipeline=pipeline):
        turn = turns[p.turn]
        assert turn.start <= p.start < p.end <= turn.end
        assert text[p.start:p.end] == p.text
        assert (p.text[0].isalnum() and p.text[-1] in ".!?…") or p.text[-1].isalnum()
        assert not p.text.endswith("]")  # [latter] is trimmed from the edges


def test_fragments_are_merged_and_backchannels_are_not_units(nlp_project, pipeline):
    proposals = propose_units(nlp_project, "T1", pipeline=pipeline)
    texts = [p.text for p in proposals]
    assert "Ja." not in texts and not any(t.startswith("Ja. [latter]") for t in texts)
    assert "Nei, altså..." not in texts
    assert any(t.startswith("Nei, altså... Jeg håper det går bra.") for t in texts)  # merged forward


def test_a_long_turn_is_split_at_sentence_boundaries_into_even_parts(nlp_project, pipeline):
    proposals = [p for p in propose_units(nlp_project, "T1", pipeline=pipeline) if p.text in LONG_TURN]
    assert len(LONG_TURN.split()) == 127  # over twice the 60 words a unit may have: three parts
    assert [p.part for p in proposals] == [1, 2, 3] and all(p.parts == 3 for p in proposals)
    assert LONG_TURN.startswith(proposals[0].text) and LONG_TURN.endswith(proposals[-1].text)
    assert " ".join(p.text for p in proposals) == LONG_TURN  # nothing lost between the parts
    assert all(p.text.endswith(".") and p.text[0].isupper() for p in proposals)
    sizes = [p.words for p in proposals]
    assert max(sizes) <= 60 and min(sizes) >= 20  # as even as the sentences allow


def test_a_proposal_shows_the_units_that_already_overlap_it(nlp_project, basic_pipeline):
    start, end = span_of(nlp_project, "T1", "Eh, jeg kjente meg faktisk igjen")
    unit = nlp_project.add_coding("T1", start, end, "hap-gjen", "AB")
    proposals = propose_units(nlp_project, "T1", pipeline=basic_pipeline)
    assert [p.coded for p in proposals if p.start <= start < p.end] == [(unit.id,)]
    assert sum(1 for p in proposals if p.coded) == 1
