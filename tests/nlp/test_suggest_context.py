"""The talk around a span (issue 13): the moderator's question sets the topic for the turns that
answer it, several turns after it too, and its words are named in the evidence."""

from __future__ import annotations

from qualcode.core.models import Turn
from qualcode.nlp import context, expansion
from qualcode.nlp.suggest import Suggester

from .conftest import create_project
from .test_nlp_suggest_general import CARE_BOOK

DIALOGUE = [
    ("Intervjuer", "Hvordan er det med middag og mat, får dere hjelp til å spise?"),
    ("P1", "Jeg vet ikke helt hva jeg skal si til det."),
    ("P2", "Nei, jeg er enig med henne."),
    ("Intervjuer", "Og du, da?"),
    ("P3", "Ja, det er sånn hos meg òg, hver eneste dag."),
]


def test_a_span_answering_a_question_several_turns_back_gets_its_theme_cold(tmp_path, pipeline, monkeypatch):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=CARE_BOOK)
    answer = project.turns("T1")[-1]
    [best, *_] = Suggester(project, pipeline).suggest("T1", answer.start, answer.end)
    assert best.code == "mat"
    # The question's words are the evidence, named as the talk around the span; no word of the
    # evidence lies outside the span.
    described = best.explain()
    assert "in the talk around it" in described
    assert "mat" in described or "middag" in described or "spise" in described
    assert all(answer.start <= w.start and w.end <= answer.end for w in best.words)
    # Without the question, nothing in the span or the turn before says it is about meals.
    monkeypatch.setattr(context, "QUESTION_WEIGHT", 0.0)
    monkeypatch.setattr(expansion, "_EXPANSIONS", {})  # the turns that fit each code, read again without it
    found = [s.code for s in Suggester(project, pipeline).suggest("T1", answer.start, answer.end)]
    assert "mat" not in found[:1]
    project.close()


def _turns(*speakers: tuple[str, str]) -> list[Turn]:
    out, pos = [], 0
    for n, (role, text) in enumerate(speakers):
        out.append(Turn(index=n, speaker=f"S{n}", role=role, start=pos, end=pos + len(text), text=text))
        pos += len(text) + 2
    return out


def test_the_talk_around_counts_the_last_question_and_the_answers_and_replies_less():
    turns = _turns(("moderator", "Hva med maten?"), ("pasient", "Den er god."), ("pasient", "Ja."),
                   ("moderator", "Og da?"), ("pasient", "Alltid."))
    starts = [t.start for t in turns]
    about = {(t.start, t.end): t.text for t in turns}
    # "Og da?" asks about nothing: the question before it sets the topic.
    has_words = lambda lo, hi: about.get((lo, hi)) != "Og da?"  # noqa: E731
    spans = context.talk_around(turns, starts, turns[4].start, turns[4].end, has_words=has_words)
    # ... and the other answers to it count a little.
    assert {about[(lo, hi)]: w for lo, hi, w in spans} == {
        "Og da?": 1.0, "Hva med maten?": context.QUESTION_WEIGHT,
        "Den er god.": context.ANSWERS_WEIGHT, "Ja.": context.ANSWERS_WEIGHT}
    spans = context.talk_around(turns, starts, turns[2].start, turns[2].end, has_words=has_words)
    assert {about[(lo, hi)]: w for lo, hi, w in spans} == {"Den er god.": context.PREVIOUS_WEIGHT,
                                                           "Hva med maten?": context.QUESTION_WEIGHT}
    # The question right before counts as the turn before always did, and a participant's turn
    # right after counts too (the moderator's does not); no moderator: as before.
    spans = context.talk_around(turns, starts, turns[1].start, turns[1].end, has_words=has_words)
    assert {about[(lo, hi)]: w for lo, hi, w in spans} == {"Hva med maten?": 1.0, "Ja.": context.NEXT_WEIGHT}
    plain = [t.model_copy(update={"role": "pasient"}) for t in turns]
    spans = context.talk_around(plain, starts, turns[2].start, turns[2].end, has_words=has_words)
    assert {about[(lo, hi)]: w for lo, hi, w in spans} == {"Den er god.": 1.0, "Og da?": context.NEXT_WEIGHT}
    assert 0 < context.ANSWERS_WEIGHT < context.NEXT_WEIGHT < 1
