"""The classifier over a coder's own units (issue 13): it learns from each new unit at once, and
explains itself with the words of the span that weighed most."""

from __future__ import annotations

import pytest

from qualcode.nlp.learned import LearnedModel
from qualcode.nlp.suggest import suggester_for

from .conftest import create_project

BOOK = """\
codebook: Hjemme
codes:
  - id: mat
    name: Måltider
    definition: Middag og matlyst.
  - id: nett
    name: Nettverk
    definition: Naboer og familie som hjelper til.
  - id: tid
    name: Tidspress
    definition: For lite tid til besøkene.
"""

DIALOGUE = [
    ("P1", "Vi spiller brettspill og spiser vafler på kafeen hver onsdag."),
    ("P2", "Kafeen med brettspill og vafler er det beste jeg vet."),
    ("P3", "Det var mye regn i fjor sommer, og hagen ble grønn."),
    ("P4", "Brettspill og vafler på kafeen, det gleder jeg meg til."),
]


def test_the_model_scores_and_names_the_lemmas_that_weigh_most():
    rows = [({"vaffel": 0.8, "kafe": 0.6}, {"nett"}), ({"middag": 1.0}, {"mat"}),
            ({"kafe": 0.6, "middag": 0.8}, {"mat", "nett"})]
    model = LearnedModel(rows, ["mat", "nett", "tid"])
    assert model.codes == ["mat", "nett"]  # a code without units is never predicted
    assert 0 < model.weight < 0.4
    scores = model.scores({"vaffel": 1.0})
    assert scores.get("nett", 0) > scores.get("mat", 0)
    assert model.reasons({"vaffel": 0.7, "middag": 0.7}, "nett")[0][1] == "vaffel"
    assert LearnedModel([], ["mat"]).scores({"vaffel": 1.0}) == {}


def test_a_new_unit_changes_the_next_suggestion_at_once(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    first, second, third, fourth = project.turns("T1")
    text = project.text("T1")

    def learned_for(code):
        found = {s.code: s for s in suggester_for(project, pipeline, coder="AB").suggest(
            "T1", fourth.start, fourth.end, top=10)}
        return found.get(code), [e for e in found[code].evidence if e.kind == "learned"] if code in found else []

    before, evidence = learned_for("nett")
    assert not evidence
    project.add_coding("T1", third.start, third.end, "tid", "AB")
    project.add_coding("T1", first.start, first.end, "nett", "AB")
    after, [learned] = learned_for("nett")
    assert after is not None and after.score > (before.score if before else 0.0)
    assert "learned from your units" in after.explain()
    # the words that weighed most, with their offsets into the stored text, all in the span
    assert learned.words and {w.text.lower() for w in learned.words} <= {"brettspill", "vafler", "kafeen"}
    assert all(text[w.start:w.end] == w.text and fourth.start <= w.start < fourth.end for w in learned.words)
    # another coder's units teach nothing
    other = {s.code: s for s in suggester_for(project, pipeline, coder="CD").suggest(
        "T1", fourth.start, fourth.end, top=10)}
    assert not any(e.kind == "learned" for s in other.values() for e in s.evidence)
    # the next unit counts at once: one more unit like it, and the code weighs more again
    project.add_coding("T1", second.start, second.end, "nett", "AB")
    again, [more] = learned_for("nett")
    assert again is not None and again.score > after.score and more.weight > learned.weight
    project.close()


def test_a_code_passed_over_for_an_alike_span_counts_less_learned_or_not(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE, codebook=BOOK)
    first, _second, third, fourth = project.turns("T1")
    project.add_coding("T1", first.start, first.end, "nett", "AB")
    project.add_coding("T1", third.start, third.end, "tid", "AB")

    def nett_score():
        found = {s.code: s for s in suggester_for(project, pipeline, coder="AB").suggest(
            "T1", fourth.start, fourth.end, top=10)}
        return found["nett"].score if "nett" in found else 0.0

    before = nett_score()
    assert before > 0
    project.record_suggestions("T1", fourth.start, fourth.end, "AB", [("nett", 1, before, "rejected")])
    assert nett_score() < before
    project.close()


def test_the_model_is_scikit_learns_complement_naive_bayes():
    """The same probabilities as ComplementNB (scikit-learn is only a test dependency)."""
    import numpy as np

    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    from qualcode.nlp.learned import LEARNED_SMOOTHING

    rng = np.random.default_rng(13)
    lemmas = [f"ord{i}" for i in range(12)]
    codes = ["a", "b", "c"]
    rows = []
    for n in range(30):
        values = rng.random(len(lemmas)) * (rng.random(len(lemmas)) < 0.4)
        rows.append(({k: float(v) for k, v in zip(lemmas, values) if v}, {codes[n % 3]}))
    model = LearnedModel(rows, codes)
    vocab = sorted(model.vocab, key=model.vocab.__getitem__)
    x = np.array([[vector.get(k, 0.0) for k in vocab] for vector, _ in rows])
    reference = naive_bayes.ComplementNB(alpha=LEARNED_SMOOTHING).fit(x, [next(iter(labels)) for _, labels in rows])
    query = {"ord1": 0.5, "ord4": 0.3, "ord7": 0.8}
    expected = reference.predict_proba(np.array([[query.get(k, 0.0) for k in vocab]]))[0]
    got = model.scores(query)
    assert np.allclose([got[c] for c in reference.classes_], expected)
