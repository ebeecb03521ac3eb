"""Disclosure of NLP assistance (schema v10): where each unit came from, and the suggestions a
coder took or passed over, as a methods section reports them."""

from __future__ import annotations

import pytest

from qualcode.core.units import NewUnit


def test_units_know_where_they_came_from_through_undo(project):
    manual = project.add_coding("T1", 0, 5, "hap", "AB")
    taken = project.add_coding("T1", 6, 12, "hap-sol", "AB", origin="suggestion")
    auto = project.add_coding("T1", 13, 20, "rec", "auto", origin="autocode")
    [imported] = project.insert_units([NewUnit("T1", 21, 30, "rec", "CD")])
    assert [project.coding(i).origin for i in (manual.id, taken.id, auto.id, imported)] == \
        ["manual", "suggestion", "autocode", "import"]
    with pytest.raises(ValueError):
        project.add_coding("T1", 0, 5, "rec", "AB", origin="magic")
    project.update_coding(taken.id, condensed="kort")
    project.undo("AB")
    assert project.coding(taken.id).origin == "suggestion"
    assert project.assistance() == {"units_manual": 1, "units_suggestion": 1, "units_autocode": 1,
                                    "units_import": 1, "suggestions_accepted": 0, "suggestions_rejected": 0}


def test_suggestions_taken_and_passed_over_are_counted(project):
    project.record_suggestions("t1", 0, 10, "AB", [("hap", 1, 0.8, "rejected"), ("rec", 2, 0.5, "accepted")])
    project.record_suggestions("T1", 11, 20, "CD", [("rec", 1, 0.4, "rejected")])
    project.record_suggestions("T1", 11, 20, "CD", [])
    assert project.suggestion_decisions("AB") == [("T1", 0, 10, "hap", "AB", "rejected"),
                                                  ("T1", 0, 10, "rec", "AB", "accepted")]
    counts = project.assistance()
    assert (counts["suggestions_accepted"], counts["suggestions_rejected"]) == (1, 2)
    with pytest.raises(ValueError):
        project.record_suggestions("T1", 0, 10, "AB", [("hap", 1, 0.8, "maybe")])
