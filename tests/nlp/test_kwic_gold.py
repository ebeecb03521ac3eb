"""KWIC against the invented gold sets: precision and recall of lemma and fuzzy mode.

kwic_gold.yaml holds the cases the search was built for (verb forms and their noun, participles,
dialect *e* and *eg.*, false compounds); kwic_heldout.yaml was written afterwards and not tuned
on, so its floor is lower. ``python -m tests.nlp.kwic_gold`` prints the figures and the misses.
"""

from __future__ import annotations

import pytest

from qualcode.store import Project

from .kwic_gold import GOLD, HELD_OUT, evaluate, load_cases, total

FLOORS = {  # (precision, recall) at least, in both modes, with the model and in basic mode
    GOLD: (0.95, 0.95),
    HELD_OUT: (0.90, 0.90),
}


@pytest.mark.parametrize("gold", [GOLD, HELD_OUT], ids=["gold", "heldout"])
def test_lemma_and_fuzzy_search_on_the_gold_sets(tmp_path, pipeline, gold):
    project = Project.create(tmp_path / "gold.qualcode")
    try:
        cases = load_cases(project, gold)
        for fuzzy in (False, True):
            t = total(evaluate(project, cases, pipeline, fuzzy=fuzzy))
            precision, recall = FLOORS[gold]
            what = f"{'fuzzy' if fuzzy else 'lemma'} mode: wrong {t.wrong}, missed {t.missed}"
            assert t.precision >= precision and t.recall >= recall, what
    finally:
        project.close()
