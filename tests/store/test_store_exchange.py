"""What the store keeps for exchange with other programs (schema v9): codes that are only folders,
memos on a span, the GUIDs other programs gave, units stored in bulk with their own times, and
speakers' attributes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qualcode.core.codebook import codebook_to_yaml, parse_codebook
from qualcode.core.errors import UserError
from qualcode.core.models import CodeNode
from qualcode.core.units import NewUnit
from tests.conftest import make_parsed

THEN = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
LATER = datetime(2021, 3, 5, 8, 0, 0, tzinfo=UTC)


def test_a_code_that_is_only_a_folder_cannot_be_coded_with_and_survives_yaml(project):
    project.add_code(CodeNode(id="mappe", name="Mappe", codable=False))
    project.add_code(CodeNode(id="mappe-a", name="Under", parent="mappe"))
    assert project.code("mappe").codable is False and project.code("mappe-a").codable is True
    with pytest.raises(UserError, match="folder"):
        project.add_coding("T1", 0, 5, "mappe", "AB")
    with pytest.raises(UserError, match="folder"):
        project.insert_units([NewUnit("T1", 0, 5, "mappe", "AB")])
    project.add_coding("T1", 0, 5, "mappe-a", "AB")
    text = codebook_to_yaml(project.codebook())
    assert "codable: false" in text
    again = parse_codebook(text, "bok.yaml")
    assert again.get("mappe").codable is False and again.get("mappe-a").codable is True
    with pytest.raises(UserError, match="'codable' must be true or false"):
        parse_codebook("codes:\n  - id: a\n    name: A\n    codable: kanskje\n", "bok.yaml")


def test_units_stored_in_bulk_keep_their_times_and_leave_no_undo_steps(project):
    ids = project.insert_units([
        NewUnit("T1", 0, 5, "hap", "AB", condensed="kort", starred=True, created_at=THEN, updated_at=LATER),
        NewUnit("t1", 6, 12, "hap-sol", "EF", memo="notat"),
    ])
    first, second = (project.coding(i) for i in ids)
    assert (first.created_at, first.updated_at, first.starred, first.condensed) == (THEN, LATER, True, "kort")
    assert second.transcript == "T1" and second.memo == "notat" and second.created_at == second.updated_at
    assert "EF" in project.coders()
    assert project.undo("AB") is None and project.undo("EF") is None
    with pytest.raises(UserError, match="not inside T1"):
        project.insert_units([NewUnit("T1", 0, 5, "hap", "AB"), NewUnit("T1", 5, 4, "hap", "AB")])
    assert len(project.codings()) == 2  # all or nothing


def test_a_memo_on_a_span_keeps_it_through_undo_and_redo(project):
    memo = project.add_memo("Merk pausen her.", target_type="transcript", target_id="T1", author="AB",
                            start=3, end=9, created_at=THEN)
    assert (memo.start, memo.end, memo.created_at, memo.updated_at) == (3, 9, THEN, THEN)
    assert project.undo("AB") == "memo on transcript"
    assert project.memos() == []
    project.redo("AB")
    [back] = project.memos()
    assert (back.start, back.end) == (3, 9)
    for bad, message in (({"start": 3}, "both"), ({"start": 5, "end": 5}, "not inside"),
                         ({"start": 0, "end": 10**6}, "not inside")):
        with pytest.raises(UserError, match=message):
            project.add_memo("x", target_type="transcript", target_id="T1", **bad)
    with pytest.raises(UserError, match="only a memo on a transcript"):
        project.add_memo("x", start=0, end=2)


def test_guids_other_programs_gave_are_kept_first_come_and_forgotten_with_their_transcript(project):
    project.remember_refi_guids("source", {"T1": "AAAAAAAA-0000-4000-8000-000000000001"})
    project.remember_refi_guids("source", {"T1": "bbbbbbbb-0000-4000-8000-000000000002"})
    project.remember_refi_guids("code", {"hap": "cccccccc-0000-4000-8000-000000000003"})
    assert project.refi_guids("source") == {"T1": "aaaaaaaa-0000-4000-8000-000000000001"}
    assert project.refi_guids("code") == {"hap": "cccccccc-0000-4000-8000-000000000003"}
    assert project.refi_guids("user") == {}
    with pytest.raises(ValueError):
        project.remember_refi_guids("case", {"x": "y"})
    project.delete_transcript("T1")
    project.import_transcript(make_parsed(), title="Ny", allow_duplicate=True)  # gets the id T1 again
    assert project.refi_guids("source") == {}


def test_speakers_keep_attributes_given_at_import(project):
    result = project.import_transcript(make_parsed(), title="FG2", allow_duplicate=True,
                                       speaker_attributes={"P1": {"alder": "30-39"}})
    speakers = {s.label: s.attributes for s in result.transcript.speakers}
    assert speakers["P1"] == {"alder": "30-39"} and speakers["P2"] == {}
