"""KWIC finds what a researcher means by a word: a noun with its verb forms, a participle with its
verb, dialect *e* as *er* or as *jeg* by context, *eg* at the end of a sentence; fuzzy mode adds
real compounds and derivations, never *spørsmål* for *mål* or *Tromsø* for *tro*."""

from __future__ import annotations

import pytest

from qualcode.nlp.search import search_lemma

from .conftest import create_project

DIALOGUE = [
    ("Intervjuer", "Hva satt dere igjen med etter fagdagen?"),
    ("P1", "Jeg skammet meg sånn før. Man skal ikke trenge å skamme seg over å være syk."),
    ("P2", "Jeg skammer meg fortsatt litt. Skammen satt i kroppen i mange år. Det er ingen skam å be om hjelp."),
    ("P3", "Livet mitt er forandret nå. De ødelagte årene kommer ikke tilbake, men rusen ødela ikke alt."),
    ("P4", "Det e bra no. Ho e så flink med ungene. E trur det går bra. Det sa e til ho."),
    ("P5", "Det trur eg. Men eg veit ikkje."),
    ("P1", "Målet mitt er å få en jobb. Vi satte opp delmål sammen. Spørsmålet er om det hjelper."),
    ("P2", "Jeg tror det hjelper. Han bor i Tromsø nå. Tromsø er fin om sommeren. Han var troverdig."),
    ("P3", "Vi var i Trondheim, og det var et troll i eventyret. Fredrik sa det samme."),
    ("P6", "Det var en fin dag. Jeg finner ikke ord."),
]


@pytest.fixture
def project(tmp_path):
    project = create_project(tmp_path / "former.qualcode", DIALOGUE)
    yield project
    project.close()


def words(project, query, pipeline, **kw):
    return [h.word for h in search_lemma(project, query, pipeline=pipeline, **kw)]


def test_a_noun_finds_its_verb_forms_and_the_verb_its_noun(project, pipeline):
    assert words(project, "skam", pipeline) == ["skammet", "skamme", "skammer", "Skammen", "skam"]
    assert words(project, "skamme", pipeline) == ["skammet", "skamme", "skammer", "Skammen", "skam"]


def test_an_adjective_never_meets_a_verb(project, model_pipeline):
    # (basic mode has no tags: its stemmer gives fin and finner one stem, as it always did)
    assert words(project, "fin", model_pipeline) == ["fin", "fin"]  # not finner (finne)


def test_participles_used_as_adjectives_find_their_verb_and_back(project, pipeline):
    assert words(project, "forandre", pipeline) == ["forandret"]
    assert words(project, "ødelegge", pipeline) == ["ødelagte", "ødela"]
    assert words(project, "ødelagt", pipeline) == ["ødelagte", "ødela"]


def test_north_norwegian_e_is_er_after_a_subject_and_jeg_before_a_verb(project, pipeline):
    p4 = [(h.word, h.how) for h in search_lemma(project, "være", pipeline=pipeline) if h.speaker == "P4"]
    assert p4 == [("e", "dialect"), ("e", "dialect")]  # det e bra, ho e flink
    jeg = [h for h in search_lemma(project, "jeg", pipeline=pipeline) if h.speaker == "P4"]
    assert [h.right[:5] for h in jeg] == [" trur", " til "]  # e trur; det sa e til ho
    assert all(h.lemma == "jeg" for h in jeg)


def test_west_norwegian_eg_is_found_at_the_end_of_a_sentence(project, pipeline):
    text = project.text("T1")
    hits = [h for h in search_lemma(project, "jeg", pipeline=pipeline) if h.speaker == "P5"]
    assert [h.word for h in hits] == ["eg", "eg"]
    assert text[hits[0].end] == "."  # the word, not the full stop the tokeniser kept on it
    assert hits[0].right.startswith(". Men")


def test_fuzzy_compounds_are_real_compounds_never_names_or_places(project, pipeline):
    mål = words(project, "mål", pipeline, fuzzy=True)
    assert "delmål" in mål and not any("spørsmål" in w.casefold() for w in mål)
    tro = words(project, "tro", pipeline, fuzzy=True)
    assert "troverdig" in tro and "tror" in tro
    assert not {"Tromsø", "Trondheim", "troll"} & set(tro)
    assert words(project, "rik", pipeline, fuzzy=True) == []  # Fredrik is a name
