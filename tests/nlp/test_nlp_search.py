"""Lemma search and keyword in context."""

from __future__ import annotations

import pytest

from qualcode.core.errors import UserError
from qualcode.nlp.search import search_lemma

from .conftest import make_parsed


def test_a_lemma_finds_its_inflections_but_not_its_compounds(nlp_project, pipeline):
    words = [h.word for h in search_lemma(nlp_project, "håp", pipeline=pipeline)]
    assert words == ["håp", "håper", "Håpet"]
    fuzzy = [(h.word, h.how) for h in search_lemma(nlp_project, "håp", fuzzy=True, pipeline=pipeline)]
    assert ("håpløst", "compound") in fuzzy and len(fuzzy) == 4


def test_hits_carry_speaker_role_and_context_within_the_turn(nlp_project, pipeline):
    [hit] = search_lemma(nlp_project, "håp", role="pasient", pipeline=pipeline)[:1]
    text = nlp_project.text("T1")
    assert text[hit.start:hit.end] == hit.word and hit.speaker == "P2" and hit.role == "pasient"
    assert hit.left.endswith("Og det gir ") and hit.right.startswith(" for framtida.")
    assert hit.left + hit.word + hit.right in text
    assert "Ansatt" not in hit.right  # the context stops at the end of the turn
    assert search_lemma(nlp_project, "håp", role="ansatt", pipeline=pipeline) == []


def test_dialect_forms_are_found_under_their_bokmal_lemma(nlp_project, pipeline):
    hits = search_lemma(nlp_project, "ikke", pipeline=pipeline)
    assert [h.word for h in hits] == ["ikkje", "ikkje", "ikke"]
    assert [h.how for h in hits] == ["dialect", "dialect", "lemma"]


def test_a_phrase_is_searched_as_a_lemma_sequence(nlp_project, pipeline):
    hits = search_lemma(nlp_project, "kjenne seg igjen", pipeline=pipeline)
    assert [(h.word, h.speaker) for h in hits] == [
        ("Kjente dere dere igjen", "Intervjuer"), ("kjente meg faktisk igjen", "P1")]


def test_the_focus_group_filter(nlp_project, basic_pipeline):
    nlp_project.import_transcript(make_parsed([("P1", "Håpet var borte.")]), title="FG2", group="FG2")
    assert {h.transcript for h in search_lemma(nlp_project, "håp", pipeline=basic_pipeline)} == {"T1", "T2"}
    assert {h.transcript for h in search_lemma(nlp_project, "håp", group="fg2", pipeline=basic_pipeline)} == {"T2"}
    with pytest.raises(UserError, match="no focus group named 'FG9'"):
        search_lemma(nlp_project, "håp", group="FG9", pipeline=basic_pipeline)
