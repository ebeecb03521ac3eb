"""What the project was told to hide is hidden, the same way, everywhere."""

from __future__ import annotations

import pytest

from qualcode.core.deid import Term, find_redactions
from qualcode.core.edits import apply_edits
from qualcode.core.errors import UserError
from qualcode.store import deid

from .conftest import make_parsed


def test_terms_are_hidden_whole_word_case_insensitive_with_genitive():
    text = "Kari Nordmann sa at Karis mor bodde i Hamar. KARI var glad. Karianne ikke."
    terms = [Term("Kari"), Term("Kari Nordmann"), Term("Hamar", "GPE_LOC"), Term("mor", hide=False)]
    out = apply_edits(text, find_redactions(text, terms))[0]
    assert out == "[Navn 2] sa at [Navn 1]s mor bodde i [Sted 1]. [Navn 1] var glad. Karianne ikke."


def test_tags_are_consistent_across_transcripts_and_numbered_per_kind(project):
    project.import_transcript(make_parsed([("P1", "Jeg bodde i Hamar, og Kari var der.")]), title="FG2")
    deid.add_term(project, "Kari")
    deid.add_term(project, "Hamar", "GPE_LOC")
    deid.add_term(project, "Solbakken", "ORG", replacement="[behandlingsstedet]")
    s = project.text("T2").index("Jeg")
    assert deid.deidentify(project, "T2", s, s + 35) == "Jeg bodde i [Sted 1], og [Navn 1] var der."


def test_a_span_that_cuts_a_name_is_widened_so_no_part_leaks(project):
    project.import_transcript(make_parsed([("P1", "Det var Kari Nordmann som sa det.")]), title="FG2")
    deid.add_term(project, "Kari Nordmann")
    text = project.text("T2")
    cut = text.index("Nordmann") + 3
    assert deid.deidentify(project, "T2", text.index("Det"), cut) == "Det var [Navn 1]"


def test_decisions_are_undoable_and_validated(project):
    deid.add_term(project, "Kari", coder="AB")
    deid.add_term(project, "kari", hide=False, coder="AB")  # the same term, reviewed again
    assert deid.terms(project) == [Term("Kari", "PER", False, None)]  # first spelling kept
    assert project.undo("AB") == "keep name kari"
    assert deid.terms(project, hidden_only=True) == [Term("Kari", "PER", True, None)]
    with pytest.raises(UserError, match="unknown kind"):
        deid.add_term(project, "Oslo", "CITY")
    with pytest.raises(UserError, match="not in the project's name list"):
        deid.remove_term(project, "Per")
