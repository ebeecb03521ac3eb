"""What the project was told to hide is hidden, the same way, everywhere."""

from __future__ import annotations

import pytest

from qualcode.core.deid import Term, find_redactions
from qualcode.core.edits import apply_edits
from qualcode.core.errors import UserError
from qualcode.store import Project, deid
from tests.conftest import make_parsed


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


# --- the one redactor, tested once and thoroughly ---------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    # overlapping names: the longer wins, wherever it stands
    ("Kari Nordmann og Kari kom.", "[Navn 2] og [Navn 1] kom."),
    ("Ole Kari Nordmann", "Ole [Navn 2]"),
    # the genitive, in every spelling, keeps its -s on the tag
    ("Karis mor, Kari's mor og Kari’s far.", "[Navn 1]s mor, [Navn 1]s mor og [Navn 1]s far."),
    ("Nordmanns hus", "Nordmanns hus"),  # a part of a hidden name is not hidden on its own
    # case: a decided name in any case; white space inside a name may vary
    ("KARI og kari og Kari\nNordmann", "[Navn 1] og [Navn 1] og [Navn 2]"),
    # never inside another word
    ("Karianne, Olav, Perlebakken, Hamarøy og Ola.", "Karianne, Olav, Perlebakken, Hamarøy og [Navn 3]."),
    # a decided name is hidden in any case (the person said so); a hyphen ends a word, so a name in a
    # hyphenated compound is hidden (Lysheim-ansatte) unless a longer name covers it
    ("per dag og Per-Ivar", "[Navn 5] dag og [Navn 5]-Ivar"),
    # a name that is a substring of another name
    ("Anne-Lise og Anne", "[Navn 6] og [Navn 4]"),
    ("Anne-Lises og Annes", "[Navn 6]s og [Navn 4]s"),
    ("Per og Persen", "[Navn 5] og Persen"),
    ("i Hamar og på Hamarøy", "i [Sted 1] og på Hamarøy"),
])
def test_the_redactor_matches_whole_names_only_with_genitive_case_and_overlaps(project, text, expected):
    for name, kind in (("Kari", "PER"), ("Kari Nordmann", "PER"), ("Ola", "PER"), ("Anne", "PER"),
                       ("Per", "PER"), ("Hamar", "GPE_LOC"), ("dag", "PER"), ("Anne-Lise", "PER")):
        deid.add_term(project, name, kind, hide=name != "dag")
    redactor = deid.Redactor(project)
    assert redactor.text(text) == expected


def test_the_redactor_widens_a_cut_name_and_maps_offsets_into_the_redacted_text(project):
    project.import_transcript(make_parsed([("P1", "Jeg møtte Kari Nordmann på Hamar i går.")]), title="FG2")
    deid.add_term(project, "Kari Nordmann")
    deid.add_term(project, "Hamar", "GPE_LOC")
    redactor = deid.Redactor(project)
    text = project.text("T2")
    start = text.index("Nordmann") + 2
    assert redactor.span("T2", start, text.index(" i går")) == "[Navn 1] på [Sted 1]"
    assert redactor.span("T2", text.index("Jeg"), text.index("Kari")) == "Jeg møtte "
    assert redactor.span("T2", 0, len(text)) == deid.deidentify(project, "T2", 0, len(text))
    assert deid.Redactor(project, enabled=False).span("T2", 0, len(text)) == text


def test_names_nobody_reviewed_are_hidden_with_tags_of_their_own(project):
    project.import_transcript(make_parsed([("Kari Nordmann", "Jeg bodde på Lysheim. Ja."),
                                           ("P2", "Kari har rett, livet på Lysheim var bra.")]), title="FG2")
    deid.save_findings(project, [deid.Found("Lysheim", "GPE_LOC"), deid.Found("Liv", "PER"),
                                 deid.Found("Hamar", "GPE_LOC")], model="m", basic=False)
    deid.add_term(project, "Hamar", "GPE_LOC", hide=False)  # a person kept it: it shows
    redactor = deid.Redactor(project)
    assert {t.term: t.variant_of for t in redactor.unreviewed_terms} == {
        "Lysheim": None, "Liv": None, "Kari Nordmann": None, "Kari": "Kari Nordmann"}
    assert redactor.text("Kari sa at Kari Nordmann bodde på Lysheim og i Hamar.") == \
        "[Navn 2?] sa at [Navn 2?] bodde på [Sted 1?] og i Hamar."  # the first name shares the speaker's tag
    # an unreviewed name only where it has its capital: 'liv' and 'lysheim' the words stay
    assert redactor.text("Liv sa: et bedre liv. LIV!") == "[Navn 1?] sa: et bedre liv. [Navn 1?]!"
    # ... but a file or project name is matched in any case
    assert redactor.name("lysheim-studie") == "[Sted 1?]-studie"
    assert (redactor.reviewed_count, redactor.unreviewed_count) == (0, 3)
    assert "3 name(s) not reviewed yet also hidden" in redactor.describe()
    # reviewing one renumbers nothing else
    deid.add_term(project, "Lysheim", "ORG")
    redactor = deid.Redactor(project)
    assert redactor.text("Kari på Lysheim, Liv") == "[Navn 2?] på [Institusjon 1], [Navn 1?]"
    assert deid.Redactor(project, unreviewed=False).text("Kari på Lysheim") == "Kari på [Institusjon 1]"


def test_a_pending_name_covered_by_a_hidden_one_adds_no_tag(project):
    deid.add_term(project, "Solbakken", "ORG")
    deid.add_term(project, "Kari", "PER")
    deid.save_findings(project, [deid.Found("Solbakken behandlingssenter", "ORG"),
                                 deid.Found("Kari Nordmann", "PER")], model="m", basic=False)
    redactor = deid.Redactor(project)
    assert [t.term for t in redactor.unreviewed_terms] == ["Kari Nordmann"]  # Nordmann would show otherwise
    assert redactor.text("Solbakken behandlingssenter, Kari Nordmann") == \
        "[Institusjon 1] behandlingssenter, [Navn 1?]"


def test_speaker_first_names_are_linked_only_when_one_speaker_has_them():
    assert deid.first_names(["Kari Nordmann", "Ola Hansen", "Ola Berg", "Per"]) == {"Kari": "Kari Nordmann"}
    assert deid.first_names(["Kari Nordmann", "Kari"]) == {}


def test_stored_findings_go_stale_when_what_the_finder_reads_changes(project):
    assert deid.stored_findings(project) is None and not deid.findings_current(project, "m")
    deid.save_findings(project, [deid.Found("Kari")], model="m", basic=False)
    assert deid.findings_current(project, "m") and not deid.findings_current(project, "other-model")
    project.add_memo("Møtte Ingrid på fagdagen.")
    assert not deid.findings_current(project, "m")  # a memo can name someone
    deid.save_findings(project, [deid.Found("Kari")], model="m", basic=True)
    assert not deid.findings_current(project, "m")  # basic-mode findings: the model may be there now
    deid.save_findings(project, [deid.Found("Kari")], model="basic", basic=True)
    assert deid.findings_current(project, "basic")
    with project.transaction() as conn:
        conn.execute("UPDATE meta SET value = 'not json' WHERE key = ?", (deid.FINDINGS_KEY,))
    assert deid.stored_findings(project) is None  # unreadable: found again, never a traceback


def test_bulk_decisions_are_one_undoable_action_and_leave_decided_names_alone(project):
    project.import_transcript(make_parsed([("Kari Nordmann", "Jeg bodde i Fjellvik."), ("P2", "Ja.")]),
                              title="FG2")
    deid.add_term(project, "Ola", "PER", hide=False, coder="AB")
    deid.save_findings(project, [deid.Found("Ola"), deid.Found("Fjellvik", "GPE_LOC"),
                                 deid.Found("Lysheimsenteret", "ORG"), deid.Found("Kari", variant_of="Kari Nordmann")],
                       model="m", basic=False)
    places = deid.bulk_decisions(project, hide_kinds=deid.kinds_named("place"))
    assert [(t.term, t.kind, t.hide) for t, _ in places] == [("Fjellvik", "GPE_LOC", True)]
    decisions = deid.bulk_decisions(project, hide_all=True, keep_kinds=deid.kinds_named("institution"))
    made = deid.add_terms(project, decisions, label="hide every pending name", coder="AB")
    assert {(t.term, t.hide, t.variant_of) for t in made} == {
        ("Kari Nordmann", True, None), ("Kari", True, "Kari Nordmann"), ("Fjellvik", True, None),
        ("Lysheimsenteret", False, None)}
    assert [t.term for t in made].index("Kari Nordmann") < [t.term for t in made].index("Kari")
    assert deid.terms(project)[0] == Term("Ola", "PER", False, None)  # a decision stays as it was
    assert deid.Redactor(project).text("Kari fra Fjellvik") == "[Navn 1] fra [Sted 1]"
    assert project.undo("AB") == "hide every pending name"
    assert [t.term for t in deid.terms(project)] == ["Ola"]
    with pytest.raises(UserError, match="unknown kind"):
        deid.kinds_named("planet")


def test_redaction_is_one_transaction_over_every_transcript(project, monkeypatch):
    project.import_transcript(make_parsed([("P1", "Kari bodde i Hamar.")]), title="FG2")
    project.import_transcript(make_parsed([("P1", "Kari flyttet.")]), title="FG3")
    before = {t: project.text(t) for t in ("T1", "T2", "T3")}
    deid.add_term(project, "Kari")
    deid.add_term(project, "Hamar", "GPE_LOC")
    real = Project.apply_text_edits
    calls = []

    def second_fails(project_, conn, tid, edits):
        calls.append(tid)
        if len(calls) == 2:
            raise OSError("disk full")
        real(project_, conn, tid, edits)

    monkeypatch.setattr(Project, "apply_text_edits", second_fails)
    with pytest.raises(OSError):
        deid.redact(project)
    assert calls == ["T2", "T3"]
    assert {t: project.text(t) for t in before} == before  # the first transcript is unchanged too
    assert project.integrity_check() == []
    monkeypatch.setattr(Project, "apply_text_edits", real)
    deid.redact(project)
    assert "Kari" not in project.text("T2") and "Kari" not in project.text("T3")


def test_findings_that_cannot_be_written_are_still_hidden_by_this_process(project, monkeypatch):
    from contextlib import contextmanager

    from qualcode.core.errors import StorageError

    @contextmanager
    def read_only():
        raise StorageError("the project file is read-only")
        yield

    monkeypatch.setattr(project, "transaction", read_only)
    deid.save_findings(project, [deid.Found("Sigrid")], model="m", basic=False)
    assert deid.Redactor(project).text("Sigrid sa") == "[Navn 1?] sa"
    monkeypatch.undo()
    deid.save_findings(project, [deid.Found("Torbjørn")], model="m", basic=False)
    assert deid.Redactor(project).text("Sigrid og Torbjørn") == "Sigrid og [Navn 1?]"
