"""Cold suggestions learn the project's words for a code (issue 13): before the coder has units,
each code's description takes in the project's turns that fit it best, so a span that says what
the codebook means in the project's own words (*apoteket*, where the codebook says *dosett*) gets
the code, and the evidence says where the word came from."""

from __future__ import annotations

from qualcode.nlp import expansion
from qualcode.nlp.suggest import Suggester

from .conftest import create_project, span_of

BOOK = """\
codebook: Hjemme
codes:
  - id: med
    name: Legemidler
    definition: Hjelp med medisiner og dosett.
    keywords: [dosett]
  - id: nett
    name: Nettverk
    definition: Naboer, venner og familie som stikker innom.
    keywords: [nabo]
"""

TARGET = "Apoteket var stengt hele lørdagen, og pilleesken sto tom."
DIALOGUE = [
    ("P1", TARGET),
    ("Intervjuer", "Mm."),
    ("P2", "Dosetten kommer fra apoteket hver onsdag, og pilleesken fylles der."),
    ("P3", "Apoteket ringer når dosetten er klar, så henter sønnen min pilleesken."),
    ("P4", "Dosett og apotek, det er det hele dreier seg om for meg, apoteket og dosetten."),
    ("P2", "Naboen kommer innom med avisa, og venner ringer av og til."),
    ("P3", "Familien min stikker innom på søndager, og naboen hjelper med snøen."),
    ("P4", "Jeg liker å se på fjernsyn om kvelden, det er fint."),
]


def _target(project):
    return span_of(project, "T1", TARGET)


def test_before_the_coder_has_units_a_code_learns_the_projects_words_for_it(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    start, end = _target(project)
    found = Suggester(project, pipeline).suggest("T1", start, end)
    assert found and found[0].code == "med"
    [definition] = [e for e in found[0].evidence if e.kind == "definition"]
    assert {w.lemma for w in definition.words} & {"apotek", "apoteket", "pilleeske", "pilleesken"}
    # the words are named as the turns', not the codebook's
    assert "like the turns that fit the code best: " in found[0].explain()
    # a span with words of both: the codebook's first, the turns' apart (by lemma: *Dosetten* is
    # the codebook's *dosett* with the model, not in basic mode)
    start, end = span_of(project, "T1", "Dosetten kommer fra apoteket hver onsdag")
    [best, *_] = Suggester(project, pipeline).suggest("T1", start, end)
    [definition] = [e for e in best.evidence if e.kind == "definition"]
    assert best.code == "med"
    if not pipeline.basic:
        assert definition.about == "the code's definition"
        assert definition.term.startswith("dosett; and the turns that fit it best: apotek")
    project.close()


def test_without_the_projects_turns_the_span_had_no_word_of_the_codebook(tmp_path, pipeline, monkeypatch):
    """The test above cannot pass by the codebook alone: with no turns taken in, no code is
    suggested from the definition."""
    monkeypatch.setattr(expansion, "EXPANSION_WEIGHT", 0.0)
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    start, end = _target(project)
    found = Suggester(project, pipeline).suggest("T1", start, end)
    assert not [s for s in found if s.code == "med" and any(e.kind == "definition" for e in s.evidence)]
    project.close()


def test_once_the_coder_has_units_the_codebook_and_the_units_speak_alone(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    turns = project.turns("T1")
    cold = Suggester(project, pipeline, coder="AB")
    assert cold.expanded
    project.add_coding("T1", turns[5].start, turns[5].end, "nett", "AB")
    warm = Suggester(project, pipeline, coder="AB")
    assert not warm.expanded
    assert warm.profiles == warm.codebook_profiles
    # another coder's units do not make this coder's suggestions warm
    assert Suggester(project, pipeline, coder="CD").expanded
    project.close()


def test_the_projects_turns_are_read_once_per_codebook_and_texts(tmp_path, pipeline, monkeypatch):
    """The workbench builds a suggester after every decision: the pass over the turns is not
    made again while the codebook, the texts and the roles are the same."""
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    calls = []
    real = Suggester._fitting_turns
    monkeypatch.setattr(Suggester, "_fitting_turns", lambda self: calls.append(1) or real(self))
    first = Suggester(project, pipeline, coder="AB")
    start, end = _target(project)
    project.record_suggestions("T1", start, end, "AB", [("nett", 1, 0.3, "rejected")])
    second = Suggester(project, pipeline, coder="AB")
    assert second.expanded and second.profiles == first.profiles
    assert len(calls) == 1
    project.update_code("med", definition="Hjelp med medisiner, dosett og piller.")
    Suggester(project, pipeline, coder="AB")
    assert len(calls) == 2  # a changed definition: read again
    project.close()


def test_a_big_project_reads_a_sample_of_its_turns(tmp_path, basic_pipeline, monkeypatch):
    """The pass costs a suggestion per turn read: a big project reads an even sample of its turns."""
    project = create_project(tmp_path / "p.qualcode", DIALOGUE * 10, codebook=BOOK)
    asked = []
    real = Suggester.suggest_in
    monkeypatch.setattr(Suggester, "suggest_in", lambda self, *a, **kw: asked.append(a[1]) or real(self, *a, **kw))
    monkeypatch.setattr(expansion, "EXPANSION_SAMPLE", 20)
    assert Suggester(project, basic_pipeline).expanded
    participants = [t for t in project.turns("T1") if t.speaker != "Intervjuer"]
    assert len(participants) == 70 and 10 <= len(asked) <= 20
    assert max(asked) > participants[-10].start  # spread over the whole project, not its first turns
    project.close()
