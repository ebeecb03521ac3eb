"""Meaning units: the typed unit, the filter, and the store's one-pass query behind them."""

from __future__ import annotations

import dataclasses

import pytest

from qualcode.core.errors import UserError
from qualcode.core.units import MeaningUnit, UnitFilter
from qualcode.store.project import RoleRule
from tests.conftest import make_parsed


def code(project, tid, quote, code_id, coder="AB", **fields):
    [(start, end)] = project.find_quote(tid, quote)
    coding = project.add_coding(tid, start, end, code_id, coder)
    if fields:
        project.update_coding(coding.id, **fields)
    return coding.id


@pytest.fixture
def coded(project):
    """Two transcripts; units by two coders over both, one starred, one by a relative."""
    project.import_transcript(make_parsed([
        ("Intervjuer", "Hvordan var det å komme tilbake?"),
        ("Mor", "Det var tungt, men jeg så at han fikk det bedre."),
        ("P3", "Jeg fikk håp igjen da jeg så de andre."),
    ]), title="Fokusgruppe 2", group="FG2", roles=[RoleRule.parse("Mor=Pårørende"), RoleRule.parse("P*=pasient")])
    ids = {
        "gjen": code(project, "T1", "kjente meg igjen", "hap-gjen", starred=True),
        "hap": code(project, "T1", "For meg ga det håp", "hap"),
        "sol": code(project, "T1", "det var fint å høre", "hap-sol", coder="CD"),
        "mor": code(project, "T2", "han fikk det bedre", "rec"),
        "p3": code(project, "T2", "Jeg fikk håp igjen", "hap", coder="CD"),
    }
    return project, ids


def test_a_unit_is_frozen_and_typed(coded):
    project, ids = coded
    unit = next(u for u in project.units() if u.id == ids["sol"])
    assert isinstance(unit, MeaningUnit)
    assert (unit.transcript, unit.title, unit.group, unit.speaker, unit.role) == (
        "T1", "Fokusgruppe 1", "FG1", "P2", "pasient")
    assert unit.code_path == ("Opplevelser av håp", "Solskinnshistorier") and unit.code_name == "Solskinnshistorier"
    assert unit.span == ("T1", unit.start, unit.end)
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.text = "noe annet"  # type: ignore[misc]


@pytest.mark.parametrize(("selection", "expected"), [
    (UnitFilter(), {"gjen", "hap", "sol", "mor", "p3"}),
    (UnitFilter(coder="CD"), {"sol", "p3"}),
    (UnitFilter(code="hap"), {"hap", "p3"}),
    (UnitFilter(code="hap", include_subcodes=True), {"gjen", "hap", "sol", "p3"}),
    (UnitFilter(transcript="t2"), {"mor", "p3"}),  # ids match without regard to case
    (UnitFilter(starred=True), {"gjen"}),
    (UnitFilter(role="pasient"), {"gjen", "sol", "p3"}),
    (UnitFilter(role="PÅRØRENDE"), {"mor"}),  # Unicode case folding, not SQLite's ASCII-only NOCASE
    (UnitFilter(role="ansatt", code="hap", include_subcodes=True), {"hap"}),
])
def test_the_filter_chooses_units(coded, selection, expected):
    project, ids = coded
    names = {v: k for k, v in ids.items()}
    assert {names[u.id] for u in project.units(selection)} == expected
    # The same filter as keywords.
    assert [u.id for u in project.units(**dataclasses.asdict(selection))] == [u.id for u in project.units(selection)]


def test_units_come_in_transcript_order_and_stream(coded):
    project, _ids = coded
    stream = project.iter_units()
    first = next(stream)
    assert first.transcript == "T1"
    rest = list(stream)
    units = [first, *rest]
    assert [(u.transcript, u.start) for u in units] == sorted((u.transcript, u.start) for u in units)


def test_a_unit_starting_in_a_speaker_label_belongs_to_the_turn_after_it(project):
    text = project.text("T1")
    label = text.index("P1:")
    turn = next(t for t in project.turns("T1") if t.speaker == "P1")
    coding = project.add_coding("T1", label, turn.start + 10, "hap", "AB")
    [unit] = project.units(coder="AB")
    assert unit.id == coding.id and unit.speaker == "P1" and unit.turn == turn.index


def test_unknown_names_in_the_filter_are_user_errors(coded):
    project, _ids = coded
    with pytest.raises(UserError, match="no transcript 'T9'"):
        project.units(transcript="T9")
    with pytest.raises(UserError, match="no code"):
        project.units(code="finnes-ikke")


def test_as_dict_is_what_scripts_have_always_read(coded):
    project, ids = coded
    unit = next(u for u in project.units() if u.id == ids["gjen"])
    data = unit.as_dict()
    assert data["theme"] == "Opplevelser av håp" and data["code_path"] == ["Opplevelser av håp", "Gjenkjennelse"]
    assert data["starred"] is True and data["role"] == "pasient" and data["text"] == "kjente meg igjen"
