"""Changing stored text remaps every coding so nothing detaches."""

from __future__ import annotations

import pytest

from qualcode.core.edits import TextEdit, apply_edits
from qualcode.core.errors import UserError


def test_offsets_follow_replacements_of_other_lengths():
    text = "Jeg heter Kari Nordmann og bor i Hamar."
    new, m = apply_edits(text, [TextEdit(33, 38, "[Sted 1]"), TextEdit(10, 23, "[Navn 1]")])
    assert new == "Jeg heter [Navn 1] og bor i [Sted 1]."
    cases = {(0, 9): "Jeg heter", (10, 23): "[Navn 1]", (4, 14): "heter [Navn 1]",
             (24, 38): "og bor i [Sted 1]", (23, 26): " og", (38, 39): "."}
    for (s, e), expected in cases.items():
        assert new[m.start(s):m.end(e)] == expected


def test_overlapping_or_outside_edits_are_refused():
    with pytest.raises(UserError, match="overlap"):
        apply_edits("abcdef", [TextEdit(0, 3, "x"), TextEdit(2, 4, "y")])
    with pytest.raises(UserError, match="outside"):
        apply_edits("abc", [TextEdit(2, 9, "x")])


def test_store_remaps_turns_and_codings(project):
    text = project.text("T1")
    [(s, e)] = project.find_quote("T1", "ho klarte seg")
    unit = project.add_coding("T1", s, e, "hap-sol", "AB")
    name_at = text.index("Intervjuer")
    project.edit_text("T1", [TextEdit(name_at, name_at + len("Intervjuer"), "[Navn 1]")])
    new_text = project.text("T1")
    moved = project.coding(unit.id)
    assert new_text[moved.start:moved.end] == "ho klarte seg"
    assert [t.text for t in project.turns("T1")][1].startswith("Eh, jeg kjente meg igjen")
    assert project.integrity_check() == []
