"""Code suggestions: keywords by lemma sequence, variants, similarity, role; and autocode."""

from __future__ import annotations

import pytest

from qualcode.nlp.autocode import autocode
from qualcode.nlp.matching import variant_quality
from qualcode.nlp.proposals import propose_units
from qualcode.nlp.suggest import Suggester, suggest_codes

from .conftest import create_project, span_of


def test_a_multi_word_keyword_matches_as_a_lemma_sequence_with_a_gap(nlp_project, pipeline):
    start, end = span_of(nlp_project, "T1", "Eh, jeg kjente meg faktisk igjen, altså.")
    [best, *_] = suggest_codes(nlp_project, "T1", start, end, pipeline=pipeline)
    assert best.code == "hap-gjen"
    [evidence] = [e for e in best.evidence if e.term == "kjenne seg igjen"]
    text = nlp_project.text("T1")
    assert [w.text for w in evidence.words] == ["kjente", "meg", "igjen"]
    assert all(text[w.start:w.end] == w.text for w in evidence.words)  # offsets into the stored text
    assert "kjente … meg … igjen" in best.explain()


def test_the_words_of_a_keyword_must_be_close_and_in_one_sentence(tmp_path, pipeline):
    dialogue = [("P1", "Jeg kjente ham fra før, og han sa at meg og de andre aldri kom tilbake igjen."),
                ("P2", "Jeg kjente meg. Igjen og igjen var det sånn.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    for turn in project.turns("T1"):
        found = suggest_codes(project, "T1", turn.start, turn.end, pipeline=pipeline)
        assert not any(e.term == "kjenne seg igjen" for s in found for e in s.evidence)
    project.close()


def test_dialect_and_spelling_variants_match_keywords(nlp_project, pipeline):
    start, end = span_of(nlp_project, "T1", "Men æ var ikkje aleine om det, det skjønte æ.")
    found = suggest_codes(nlp_project, "T1", start, end, pipeline=pipeline)
    assert found[0].code == "hap-gjen"
    [evidence] = [e for e in found[0].evidence if e.term == "ikke alene"]
    assert evidence.kind == "variant" and [w.text for w in evidence.words] == ["ikkje", "aleine"]
    start, end = span_of(nlp_project, "T1", "Jeg håper det går bra.")
    found = suggest_codes(nlp_project, "T1", start, end, pipeline=pipeline)
    assert any(e.term == "håp" and e.words[0].text == "håper" for s in found for e in s.evidence)


def test_variants_are_spellings_not_other_words():
    assert variant_quality("håp", "håpe") > 0.8
    assert variant_quality("høyrt", "hørt") > 0.8
    assert variant_quality("tro", "tre") == 0 and variant_quality("vei", "veit") == 0
    assert variant_quality("håp", "håpløs") == 0


def test_a_subtheme_for_the_other_role_is_held_back(tmp_path, pipeline):
    dialogue = [("P1", "Det ga meg påfyll, faktisk."), ("Ansatt 1", "Det ga meg påfyll, faktisk.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    patient, staff = project.turns("T1")
    for_staff = suggest_codes(project, "T1", staff.start, staff.end, pipeline=pipeline)
    for_patient = suggest_codes(project, "T1", patient.start, patient.end, pipeline=pipeline)
    score = {s.code: s.score for s in for_staff}["hap-ansatte"]
    patient_score = {s.code: s.score for s in for_patient}.get("hap-ansatte", 0)
    assert patient_score < score
    assert any(e.kind == "role" and "code is for ansatt" in e.term
               for s in for_patient if s.code == "hap-ansatte" for e in s.evidence)
    project.close()


def test_units_coded_by_people_make_similar_spans_suggest_their_code(tmp_path, pipeline):
    dialogue = [
        ("P1", "Kafeen på torget tok imot meg hver onsdag, med vafler og brettspill."),
        ("P2", "Onsdagene på kafeen med vafler og brettspill var det beste i uka."),
        ("P3", "Brettspill og vafler på kafeen, det husker jeg."),
    ]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    first, second, third = project.turns("T1")
    project.add_coding("T1", first.start, first.end, "hverdag", "AB")
    project.add_coding("T1", third.start, third.end, "fagdag", "auto")  # never evidence
    found = suggest_codes(project, "T1", second.start, second.end, pipeline=pipeline)
    assert found[0].code == "hverdag"
    [similar] = [e for e in found[0].evidence if e.kind == "similar"]
    assert similar.unit == project.codings(coder="AB")[0].id
    assert {w.lemma for w in similar.words} & {"kafé", "kafe", "vaffel", "vafler", "brettspill"}
    assert "fagdag" not in [s.code for s in found]
    project.close()


def test_a_span_is_never_suggested_from_its_own_coding(tmp_path, pipeline):
    """A second coder must not be shown the first coder's code for the same words."""
    dialogue = [("P1", "Kafeen på torget tok imot meg hver onsdag, med vafler og brettspill.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    [turn] = project.turns("T1")
    project.add_coding("T1", turn.start, turn.end, "hverdag", "AB")
    found = suggest_codes(project, "T1", turn.start, turn.end, pipeline=pipeline)
    assert not any(e.kind == "similar" for s in found for e in s.evidence if s.code == "hverdag")
    project.close()


def test_autocode_codes_under_auto_only_and_explains_itself(nlp_project, pipeline):
    human = nlp_project.add_coding("T1", *span_of(nlp_project, "T1", "For meg ga det påfyll."), "hap-ansatte", "AB")
    made = autocode(nlp_project, pipeline=pipeline, min_score=0.3)
    assert made and all(c.coder == "auto" for c in made)
    assert all(c.memo.startswith("auto (") and "keyword" in c.memo for c in made)
    moderator = [t for t in nlp_project.turns("T1") if t.role == "moderator"]
    assert not any(t.start <= c.start < t.end for c in made for t in moderator)
    gjen = [c for c in made if c.code == "hap-gjen"]
    assert any("kjente meg faktisk igjen" in nlp_project.text("T1")[c.start:c.end] for c in gjen)
    assert nlp_project.coding(human.id).coder == "AB"
    assert autocode(nlp_project, pipeline=pipeline, min_score=0.3) == []  # nothing new the second time
    assert nlp_project.undo("auto") is not None  # undoable as the coder auto


def test_the_suggester_is_rebuilt_when_codings_change(nlp_project, basic_pipeline):
    from qualcode.nlp.suggest import suggester_for

    first = suggester_for(nlp_project, basic_pipeline)
    assert suggester_for(nlp_project, basic_pipeline) is first
    nlp_project.add_coding("T1", 0, 10, "hap", "AB")
    assert suggester_for(nlp_project, basic_pipeline) is not first


@pytest.mark.parametrize("top", [1, 3])
def test_suggestions_are_ranked_and_limited(nlp_project, basic_pipeline, top):
    suggester = Suggester(nlp_project, basic_pipeline)
    proposal = propose_units(nlp_project, "T1", pipeline=basic_pipeline)[0]
    found = suggester.suggest("T1", proposal.start, proposal.end, top=top)
    assert len(found) <= top
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
